"""The 403 page, and one line in the server's log for it instead of a traceback.

    handler403 = "webapp.forbidden.forbidden"      # webapp/urls.py

A role too low for an action (webapp.accounts.access.check_role) raises PermissionDenied. Django's own
handling logs that as a warning with the whole traceback, many lines for an everyday refusal;
this view logs it once, on one line, through the same "django.request" logger: who, what and
why. Django then sees the response as logged and adds nothing.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.log import log_response

from webapp.accounts.access import TOO_LOW


def forbidden(request: HttpRequest, exception: Exception) -> HttpResponse:
    reason = str(exception)
    response = render(request, "403.html", {"exception": reason}, status=403)
    user = getattr(request, "user", None)
    who = user.get_username() if user is not None and user.is_authenticated else "anonymous"
    log_response(
        "Forbidden: %s %s by %s: %s",
        request.method,
        request.path,
        who,
        reason or TOO_LOW,
        response=response,
        request=request,
    )
    return response
