"""Sign-in throttling: who is refused (settings.AXES_HANDLER), the page they get
(settings.AXES_LOCKOUT_CALLABLE), and lifting a lock (`unlock(username)`).

django-axes counts wrong passwords for each account *from each address* (the pair,
settings.AXES_LOCKOUT_PARAMETERS): AXES_FAILURE_LIMIT of them pause that account at that
address for AXES_COOLOFF_TIME. So neither colleagues behind one office address nor someone
who knows a username can lock anyone else out. PairAndAddressHandler adds a looser limit per
address over a longer window, across all accounts: LOGIN_ADDRESS_FAILURE_LIMIT wrong
passwords within LOGIN_ADDRESS_WINDOW pause every sign-in from that address, which slows
guessing passwords over many accounts. Either lock answers 429, even to the right password.
"""

import math
from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessFailureLog
from axes.signals import user_locked_out
from axes.utils import reset
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

ACCOUNT_LOCKED = (
    "Too many wrong passwords for this account. Wait {wait} and try again, "
    "or choose a new password with “Forgot your password?”."
)
ADDRESS_LOCKED = "Too many wrong passwords from your network. Wait {wait} and try again."


def address_wait(request: HttpRequest) -> timedelta | None:
    """How long sign-ins from this request's address stay paused; None when they are not.

    1. Take the wrong passwords from this address within the window, newest first.
    2. Below the limit: not paused.
    3. Otherwise the pause ends when enough of them leave the window to fall below the
       limit: when the limit-th newest one is as old as the window.
    """
    limit, window = settings.LOGIN_ADDRESS_FAILURE_LIMIT, settings.LOGIN_ADDRESS_WINDOW
    now = timezone.now()
    times = list(
        AccessFailureLog.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=now - window
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)[:limit]
    )
    if len(times) < limit:
        return None
    return times[limit - 1] + window - now


class PairAndAddressHandler(AxesDatabaseHandler):
    """Axes' database handler (the pair limit) plus the per-address limit."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or address_wait(request) is not None

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if address_wait(request) is not None:  # this wrong password reached the address limit
            request.axes_locked_out = True
            request.axes_credentials = credentials
            username = get_client_username(request, credentials)
            ip_address = request.axes_ip_address
            user_locked_out.send("axes", request=request, username=username, ip_address=ip_address)

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        """`manage.py axes_reset` and `axes_reset_ip ADDRESS` lift address pauses too: the
        address's recent wrong passwords leave the count (older ones stay, as history)."""
        count = super().reset_attempts(
            ip_address=ip_address, username=username, ip_or_username=ip_or_username
        )
        recent = AccessFailureLog.objects.filter(
            attempt_time__gte=timezone.now() - settings.LOGIN_ADDRESS_WINDOW
        )
        if ip_address:
            recent.filter(ip_address=ip_address).delete()
        elif username is None:
            recent.delete()
        return count


def unlock(username: str) -> None:
    """Lift the pauses on this account at every address (a new password works at once);
    a paused address stays paused."""
    reset(username=username)


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    wait = address_wait(request)
    template = ADDRESS_LOCKED
    if wait is None:
        wait, template = get_cool_off(request) or timedelta(minutes=15), ACCOUNT_LOCKED
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    message = template.format(wait=f"{minutes} minute{'s' if minutes != 1 else ''}")
    ctx = {"message": message, "account": template is ACCOUNT_LOCKED}
    return render(request, "registration/locked_out.html", ctx, status=429)
