"""Team pages: my teams (create, switch), members (invite, roles, remove, leave), activity.

Creating a team does not switch to it: the new team's page asks "Switch to <team> now?", and
any team page not in use offers the same switch.

Every view on a team starts with get_for_user(request.user, Team, uuid, need=...): other
teams answer 404, a role too low answers 403. An invitation link is shown to the inviter once
and sent by e-mail through Django's e-mail backend; accepting it needs an account, so the
page offers to sign up or log in and comes back.
"""

import uuid as uuidlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from webapp.accounts.access import current_team, get_for_user, teams_of, use_team
from webapp.accounts.forms import InviteForm, RoleForm, TeamNameForm
from webapp.accounts.models import (
    INVITATION_DAYS,
    ROLE_WORDS,
    Activity,
    Invitation,
    Membership,
    Role,
    Team,
)

ACTIVITY_SHOWN = 100  # most recent entries on the activity page
LAST_ADMIN = "A team needs at least one admin. Make someone else an admin first."


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    form = TeamNameForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        # The team in use stays as it was: its lists would look empty after a silent switch,
        # so the new team's page asks first.
        team = Team.create_for(request.user, form.cleaned_data["name"])
        messages.success(request, f'Created "{team.name}". You are its admin.')
        return redirect("team_detail", team.uuid)
    memberships = Membership.objects.filter(user=request.user).select_related("team")
    ctx = {"memberships": memberships, "form": form, "current": current_team(request)}
    return render(request, "accounts/teams.html", ctx)


@login_required
@require_POST
def team_switch(request: HttpRequest) -> HttpResponse:
    team = teams_of(request.user).filter(uuid=_uuid_or_none(request.POST.get("team"))).first()
    if team is None:
        raise Http404
    use_team(request, team)
    messages.success(request, f'You are now working in "{team.name}".')
    return redirect(next_url(request) or "home")


@login_required
def team_detail(request: HttpRequest, uuid) -> HttpResponse:
    team = get_for_user(request.user, Team, uuid)
    role = team.role_of(request.user)
    ctx = {
        "team": team,
        "in_use": current_team(request),
        "role": role,
        "is_admin": role == Role.ADMIN,
        "members": team.memberships.select_related("user"),
        "invitations": [i for i in team.invitations.all() if i.is_pending],
        "roles": [(value, label, ROLE_WORDS[value]) for value, label in Role.choices[::-1]],
        "role_choices": Role.choices,
        "invite_form": InviteForm(),
        "name_form": TeamNameForm(initial={"name": team.name}),
        "days": INVITATION_DAYS,
    }
    return render(request, "accounts/team.html", ctx)


@login_required
@require_POST
def team_rename(request: HttpRequest, uuid) -> HttpResponse:
    team = get_for_user(request.user, Team, uuid, need=Role.ADMIN)
    form = TeamNameForm(request.POST)
    if form.is_valid():
        old, team.name = team.name, form.cleaned_data["name"]
        team.save(update_fields=["name"])
        Activity.record(team, request.user, f'renamed the team from "{old}" to "{team.name}"')
        messages.success(request, f'The team is now called "{team.name}".')
    else:
        messages.error(request, "Give the team a name of at most 100 characters.")
    return redirect("team_detail", team.uuid)


@login_required
@require_POST
def team_invite(request: HttpRequest, uuid) -> HttpResponse:
    team = get_for_user(request.user, Team, uuid, need=Role.ADMIN)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Type a valid e-mail address and pick a role.")
        return redirect("team_detail", team.uuid)
    email, role = form.cleaned_data["email"], form.cleaned_data["role"]
    invitation, secret = Invitation.create(team, request.user, email, role)
    link = request.build_absolute_uri(reverse("invitation_accept", args=[secret]))
    send_mail(
        f"{request.user.username} invites you to {team.name} on LabelTune",
        f"{request.user.username} invites you to the team {team.name} on LabelTune as a "
        f"{role}.\n\nOpen this link to join (it works once, for {INVITATION_DAYS} days):\n"
        f"{link}\n",
        None,
        [email],
    )
    ctx = {"team": team, "invitation": invitation, "link": link, "days": INVITATION_DAYS}
    return render(request, "accounts/invited.html", ctx)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, uuid) -> HttpResponse:
    invitation = get_for_user(request.user, Invitation, uuid, need=Role.ADMIN)
    if invitation.is_pending:
        invitation.revoke(request.user)
        messages.success(request, f"The invitation for {invitation.email} no longer works.")
    return redirect("team_detail", invitation.team.uuid)


def invitation_accept(request: HttpRequest, secret: str) -> HttpResponse:
    invitation = Invitation.find(secret)
    if invitation is None:
        raise Http404
    ctx = {"invitation": invitation, "team": invitation.team, "problem": invitation.problem}
    if not request.user.is_authenticated or ctx["problem"]:
        status = 410 if ctx["problem"] else 200
        return render(request, "accounts/invitation.html", ctx, status=status)
    if invitation.team.role_of(request.user):
        ctx["problem"] = f'You are already a member of "{invitation.team.name}".'
        return render(request, "accounts/invitation.html", ctx)
    if request.method == "POST":
        if invitation.accept(request.user) is None:
            ctx["problem"] = Invitation.objects.get(pk=invitation.pk).problem
            return render(request, "accounts/invitation.html", ctx, status=410)
        use_team(request, invitation.team)
        messages.success(request, f'Welcome to "{invitation.team.name}".')
        return redirect("team_detail", invitation.team.uuid)
    return render(request, "accounts/invitation.html", ctx)


@login_required
@require_POST
def member_role(request: HttpRequest, uuid) -> HttpResponse:
    team = get_for_user(request.user, Team, uuid, need=Role.ADMIN)
    form = RoleForm(request.POST)
    membership = _membership(team, form)
    new = form.cleaned_data["role"]
    if membership.is_last_admin and new != Role.ADMIN:
        messages.error(request, LAST_ADMIN)
    elif membership.role != new:
        membership.role = new
        membership.save(update_fields=["role"])
        Activity.record(team, request.user, f"made {membership.user.username} a {new}")
        messages.success(request, f"{membership.user.username} is now a {new}.")
    return redirect("team_detail", team.uuid)


@login_required
@require_POST
def member_remove(request: HttpRequest, uuid) -> HttpResponse:
    team = get_for_user(request.user, Team, uuid, need=Role.ADMIN)
    membership = _membership(
        team, RoleForm({"member": request.POST.get("member", ""), "role": Role.VIEWER})
    )
    if membership.is_last_admin:
        messages.error(request, LAST_ADMIN)
    else:
        membership.delete()
        Activity.record(team, request.user, f"removed {membership.user.username} from the team")
        messages.success(request, f"{membership.user.username} is no longer in this team.")
    return redirect("team_detail", team.uuid)


@login_required
@require_POST
def team_leave(request: HttpRequest, uuid) -> HttpResponse:
    team = get_for_user(request.user, Team, uuid)
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(team=team, user=request.user)
        if membership.is_last_admin:
            messages.error(request, LAST_ADMIN)
            return redirect("team_detail", team.uuid)
        membership.delete()
        Activity.record(team, request.user, "left the team")
    messages.success(request, f'You left "{team.name}".')
    return redirect("team_list")


@login_required
def team_activity(request: HttpRequest, uuid) -> HttpResponse:
    team = get_for_user(request.user, Team, uuid)
    activities = team.activities.select_related("user")[:ACTIVITY_SHOWN]
    return render(request, "accounts/activity.html", {"team": team, "activities": activities})


def _membership(team: Team, form: RoleForm) -> Membership:
    if not form.is_valid():
        raise Http404
    user = User.objects.filter(username=form.cleaned_data["member"]).first()
    membership = team.memberships.filter(user=user).select_related("user", "team").first()
    if user is None or membership is None:
        raise Http404
    return membership


def _uuid_or_none(value):
    try:
        return uuidlib.UUID(str(value))
    except ValueError:
        return None


def next_url(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    ok = url_has_allowed_host_and_scheme(url, {request.get_host()}, request.is_secure())
    return url if ok else ""
