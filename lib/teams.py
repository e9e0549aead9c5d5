"""The one team-scoped lookup every object view starts with.

    spreadsheet = get_for_user(request, Spreadsheet, uuid)

Any model with `uuid` and `team` fields works. Objects of teams the user is not a
member of answer 404, exactly like objects that do not exist.
"""

from django.http import Http404


def teams_of(user):
    """The queryset of teams `user` belongs to (empty for anonymous users)."""
    from webapp.accounts.models import Team

    if not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(memberships__user=user)


def current_team(request):
    """The team new objects go into: the user's personal team, else the oldest one."""
    teams = teams_of(request.user).order_by("-personal", "created")
    team = teams.first()
    if team is None:
        from webapp.accounts.models import Team

        team = Team.create_personal(request.user)
    return team


def scoped(request, model):
    """`model`'s objects visible to this request's user."""
    return model.objects.filter(team__in=teams_of(request.user))


def get_for_user(request, model, uuid):
    try:
        return scoped(request, model).get(uuid=uuid)
    except (model.DoesNotExist, ValueError):
        raise Http404 from None
