"""Team access: the one team-scoped lookup every object view (and the API) starts with.

    sheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    model = get_for_user(token.team, TrainedModel, uuid)          # the API: a token's team

Team itself, or any model with `uuid` and `team` fields, works. Objects of teams the user is not a member of
answer 404, exactly like objects that do not exist; members whose role is below `need`
get 403. A team stands for an API token, which may use its own team's objects as a viewer.

The team in use is remembered per browser session (`use_team`, `current_team`); lists show
only its objects (`scoped`).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from webapp.accounts.models import Membership, Role, Team, role_at_least

SESSION_KEY = "team"
TOO_LOW = "Your role in this team does not allow this. Ask one of the team's admins."


def teams_of(user):
    """The queryset of teams `user` belongs to (empty for anonymous users)."""
    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user)


def role_in(who, team_id) -> str | None:
    """`who`'s role in the team, None for non-members; a team is a viewer of itself."""
    if isinstance(who, Team):
        return Role.VIEWER if who.pk == team_id else None
    if not who.is_authenticated:
        return None
    found = Membership.objects.filter(team_id=team_id, user=who).values_list("role", flat=True)
    return found.first()


def check_role(who, team_id, need: str = Role.VIEWER) -> str:
    """The role of `who` in the team, or Http404 (not a member) / PermissionDenied (too low)."""
    role = role_in(who, team_id)
    if role is None:
        raise Http404
    if not role_at_least(role, need):
        raise PermissionDenied(TOO_LOW)
    return role


def get_for_user(who, model, uuid, need: str = Role.VIEWER, related: tuple[str, ...] = ()):
    """The object of `model` with this uuid, if `who` (a user or a token's team) may `need`;
    `related`: foreign keys to fetch in the same query (a query less where the view uses them)."""
    objects = model.objects if model is Team else model.objects.select_related("team", *related)
    try:
        obj = objects.get(uuid=uuid)
    except (model.DoesNotExist, ValueError):
        raise Http404 from None
    check_role(who, obj.pk if model is Team else obj.team_id, need)
    return obj


def current_team(request) -> Team:
    """The team in use in this browser session: the one picked last, else personal, else oldest."""
    teams = teams_of(request.user)
    picked = request.session.get(SESSION_KEY)
    team = teams.filter(uuid=picked).first() if picked else None
    if team is None:
        team = teams.order_by("-personal", "created").first()
    if team is None:
        team = Team.create_personal(request.user)
    return team


def use_team(request, team: Team) -> None:
    request.session[SESSION_KEY] = str(team.uuid)


def require_role(request, need: str) -> Team:
    """The team in use, or PermissionDenied when the user's role there is below `need`."""
    team = current_team(request)
    check_role(request.user, team.pk, need)
    return team


def scoped(request, model):
    """`model`'s objects in the team in use."""
    return model.objects.filter(team=current_team(request))
