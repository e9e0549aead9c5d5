"""The answer to a sign-in refused by the throttle (settings.AXES_LOCKOUT_CALLABLE).

django-axes counts wrong passwords per account and per address; once either reaches
settings.AXES_FAILURE_LIMIT, every sign-in from there gets this page (HTTP 429) until the
cool-off has passed, even with the right password.
"""

import math

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

LOCKED_OUT = "Too many failed sign-ins. Wait {wait} and try again."


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    cool_off = get_cool_off(request)
    minutes = max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 15
    message = LOCKED_OUT.format(wait=f"{minutes} minute{'s' if minutes != 1 else ''}")
    return render(request, "registration/locked_out.html", {"message": message}, status=429)
