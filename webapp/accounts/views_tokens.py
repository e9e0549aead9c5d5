"""API tokens of a team: list, create (the secret is shown once), revoke.

Admins see and revoke all of the team's tokens; trainers see, create and revoke their own.
Viewers have no tokens. Tokens are stored hashed (ApiToken.create).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from webapp.accounts.access import TOO_LOW, check_role, get_for_user
from webapp.accounts.forms import TokenForm
from webapp.accounts.models import ApiToken, Role, Team


@login_required
def token_list(request: HttpRequest, uuid) -> HttpResponse:
    team = get_for_user(request.user, Team, uuid, need=Role.TRAINER)
    form = TokenForm(request.POST if request.method == "POST" else None)
    secret = None
    if form.is_bound and form.is_valid():
        token, secret = ApiToken.create(team, request.user, form.cleaned_data["name"])
        form = TokenForm()
    tokens = team.tokens.filter(revoked__isnull=True).select_related("created_by")
    if team.role_of(request.user) != Role.ADMIN:
        tokens = tokens.filter(created_by=request.user)
    ctx = {
        "team": team,
        "tokens": tokens,
        "form": form,
        "secret": secret,
        "api_base": request.build_absolute_uri(reverse("api:api-root")),
    }
    return render(request, "accounts/tokens.html", ctx)


@login_required
@require_POST
def token_revoke(request: HttpRequest, uuid) -> HttpResponse:
    token = get_for_user(request.user, ApiToken, uuid, need=Role.TRAINER)
    role = check_role(request.user, token.team_id, Role.TRAINER)
    if role != Role.ADMIN and token.created_by_id != request.user.pk:
        raise PermissionDenied(TOO_LOW)
    if token.revoked is None:
        token.revoke(request.user)
        messages.success(request, f'The token "{token.name}" no longer works.')
    return redirect("token_list", token.team.uuid)
