"""Accounts pages: the dashboard ("what to do next") and sign-up.

Log in and log out are Django's own views (see urls.py); sign-up creates the user and
their personal team in one transaction, logs them in, and goes on to `next` (an invitation).
"""

from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from webapp.accounts.access import scoped
from webapp.accounts.forms import SignupForm
from webapp.accounts.models import Team
from webapp.accounts.views_teams import next_url
from webapp.spreadsheets.models import Spreadsheet

RECENT = 5  # spreadsheets listed on the dashboard


@login_required
def home(request: HttpRequest) -> HttpResponse:
    spreadsheets = scoped(request, Spreadsheet).select_related("team")[:RECENT]
    return render(request, "accounts/home.html", {"spreadsheets": spreadsheets})


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(next_url(request) or "home")

    form = SignupForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        with transaction.atomic():
            user = form.save()
            Team.create_personal(user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(next_url(request) or "home")
    ctx = {"form": form, "next": next_url(request)}
    return render(request, "accounts/signup.html", ctx)
