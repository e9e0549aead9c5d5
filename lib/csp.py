"""Content-Security-Policy header on every response (settings.MIDDLEWARE).

    "lib.csp.ContentSecurityPolicyMiddleware"

Scripts load only from this site's own files (static/js, static/vendor): no inline <script>
and no on...= attributes run, so an injected one does nothing. JSON data blocks from
`json_script` are not scripts and are fine. Styles may be inline (progress bar widths, the
indicator style htmx adds). A response that already has the header keeps its own.
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
