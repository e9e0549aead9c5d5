"""Content-Security-Policy header on every response (settings.MIDDLEWARE).

    "lib.csp.ContentSecurityPolicyMiddleware"

Scripts load only from this site's own files (static/js, static/vendor): no inline <script>
and no on...= attributes run, so an injected one does nothing. JSON data blocks from
`json_script` are not scripts and are fine. Styles may be inline (progress bar widths, the
indicator style htmx adds). A response that already has the header keeps its own.

One exception: the queue dashboard (django-rq, staff only, under /admin/rq/) ships a few
inline scripts of fixed text (the "select all" of its job lists). Its pages allow exactly
those, by their SHA-256 hash read from django-rq's own templates; any other inline script
still does nothing there.
"""

import base64
import hashlib
import importlib.util
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse

QUEUE_DASHBOARD = "/admin/rq/"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)


def policy(script_sources: str = "'self'") -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script_sources}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


POLICY = policy()


@cache
def dashboard_policy() -> str:
    """POLICY, with the hashes of the inline scripts of django-rq's templates (text without
    template tags, so the page carries them byte for byte)."""
    package = Path(importlib.util.find_spec("django_rq").origin).parent
    hashes = set()
    for template in (package / "templates").rglob("*.html"):
        for body in INLINE_SCRIPT.findall(template.read_text(encoding="utf-8")):
            if body.strip() and "{%" not in body and "{{" not in body:
                digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
                hashes.add(f"'sha256-{digest}'")
    return policy(" ".join(["'self'", *sorted(hashes)]))


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        dashboard = request.path.startswith(QUEUE_DASHBOARD)
        response.headers.setdefault(
            "Content-Security-Policy", dashboard_policy() if dashboard else POLICY
        )
        return response
