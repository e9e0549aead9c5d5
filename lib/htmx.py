"""htmx requests that meet an expired session send the whole page to the login.

    "lib.htmx.HtmxLoginMiddleware"   # settings.MIDDLEWARE, after AuthenticationMiddleware

A live partial (the run's status card, a batch's status line, "Try it") polls or posts with
htmx. When the session has ended (a log-out in another tab), login_required answers with a
redirect to the login page, the browser follows it inside the request, and htmx would swap a
whole login page into the card. For htmx requests this middleware answers instead with an
`HX-Redirect` header: htmx then loads the login page as the whole page, and after signing
in the user comes back to the page they were on (not to the partial's URL).
"""

from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


class HtmxLoginMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.headers.get("HX-Request") or response.status_code not in (301, 302):
            return response
        login = resolve_url(settings.LOGIN_URL)
        if urlsplit(response.get("Location", "")).path != login:
            return response
        redirect = HttpResponse(status=200)
        redirect["HX-Redirect"] = f"{login}?{urlencode({REDIRECT_FIELD_NAME: page(request)})}"
        return redirect


def page(request: HttpRequest) -> str:
    """The path of the page the htmx request came from (HX-Current-URL), when it is this
    site's; else the site's home."""
    current = urlsplit(request.headers.get("HX-Current-URL", ""))
    path = current.path + (f"?{current.query}" if current.query else "")
    if current.path and url_has_allowed_host_and_scheme(
        current.geturl(), allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return path
    return resolve_url(settings.LOGIN_REDIRECT_URL)
