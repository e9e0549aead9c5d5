"""Passwords: the reset link's page, and a team admin setting a member's new password.

The rest of "Forgot your password?" is Django's own PasswordResetView family (see urls.py):
the e-mail goes out through settings.EMAIL_BACKEND (the console by default). A new password,
by link or by an admin, lifts the sign-in pause on that account (lockout.unlock) and ends
the account's other sessions.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from webapp.accounts.access import get_for_user
from webapp.accounts.forms import NewPasswordForm
from webapp.accounts.lockout import unlock
from webapp.accounts.models import Role, Team


class ResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        unlock(form.user.get_username())
        return response


@login_required
@require_POST
def member_password(request: HttpRequest, uuid) -> HttpResponse:
    team = get_for_user(request.user, Team, uuid, need=Role.ADMIN)
    membership = team.memberships.filter(user__username=request.POST.get("member", ""))
    membership = membership.select_related("user", "team").first()
    if membership is None:
        raise Http404
    name = membership.user.username
    form = NewPasswordForm(membership.user, request.POST)
    problem = membership.password_problem(request.user)
    if problem:
        messages.error(request, problem)
    elif not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])  # the first is enough
    else:
        membership.set_password(request.user, form.cleaned_data["new_password1"])
        unlock(name)
        messages.success(request, f"{name} has a new password and was signed out everywhere.")
    return redirect("team_detail", team.uuid)
