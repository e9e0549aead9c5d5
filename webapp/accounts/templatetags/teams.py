"""Team tags: the team menu in the top bar, the team line above each list, and the role
checks that show an action only to the roles that may take it.

    {% load teams %}
    {% team_switcher %}                            # the top bar's team menu
    {% team_in_use as team %}                      # the team this browser session works in
    {% team_header "runs.TrainingRun" "run" %}     # "Team in use: Support." + work elsewhere
    {% can "trainer" as may_train %}               # the user's role in the team in use...
    {% can "trainer" run.team as may_train %}      # ...or in an object's own team

Choosing a team in the menu posts to team_switch at once (static/js/topbar.js; without
JavaScript the menu has a Switch button). The list header says where else the user has work
("5 runs in your personal team") with a button that switches there.
"""

from django import template
from django.apps import apps
from django.db.models import Count

from webapp.accounts.access import current_team, role_in, teams_of
from webapp.accounts.models import Role, Team, role_at_least

register = template.Library()


def _in_use(request) -> Team:
    """current_team, looked up once per request however many tags ask."""
    cached = getattr(request, "_team_in_use", None)
    if cached is None:
        cached = request._team_in_use = current_team(request)
    return cached


@register.inclusion_tag("includes/team_switcher.html", takes_context=True)
def team_switcher(context) -> dict:
    request = context["request"]
    current = _in_use(request)
    return {
        "teams": teams_of(request.user).order_by("-personal", "name"),
        "current": current,
        "may_train": role_at_least(role_in(request.user, current.pk), Role.TRAINER),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def team_in_use(context) -> Team:
    """{% team_in_use as team %}: the team this browser session works in."""
    return _in_use(context["request"])


@register.simple_tag(takes_context=True)
def can(context, need: str, team: Team | None = None) -> bool:
    """Whether the user's role in `team` (the team in use when left out) is at least `need`."""
    request = context["request"]
    team = team or _in_use(request)
    return role_at_least(role_in(request.user, team.pk), need)


@register.inclusion_tag("includes/team_header.html", takes_context=True)
def team_header(context, model_label: str, noun: str) -> dict:
    """The team in use and the user's role there; then, per other team of the user holding
    objects of `model_label` ("app.Model", with a `team` field), how many and a switch."""
    request = context["request"]
    user, current = request.user, _in_use(request)
    others = teams_of(user).exclude(pk=current.pk)
    counts = dict(
        apps.get_model(model_label)
        .objects.filter(team__in=others)
        .values_list("team")
        .annotate(n=Count("pk"))
        .order_by()
    )
    elsewhere = [
        {"team": team, "count": counts[team.pk], "mine": _personal_team_of(team, user)}
        for team in others.filter(pk__in=counts).order_by("-personal", "name")
    ]
    return {
        "team": current,
        "role": role_in(user, current.pk),
        "elsewhere": elsewhere,
        "noun": noun,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }


def _personal_team_of(team: Team, user) -> bool:
    """A personal team is its first member's: the person it was made for at sign-up."""
    if not team.personal:
        return False
    return team.memberships.order_by("pk").values_list("user", flat=True).first() == user.pk
