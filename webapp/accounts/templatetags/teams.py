"""The team switcher in the top bar: {% load teams %}{% team_switcher %}.

It lists the user's teams with the one in use selected; picking another posts to
team_switch, which remembers it for this browser session.
"""

from django import template

from lib.teams import current_team, teams_of

register = template.Library()


@register.inclusion_tag("includes/team_switcher.html", takes_context=True)
def team_switcher(context) -> dict:
    request = context["request"]
    return {
        "teams": teams_of(request.user).order_by("-personal", "name"),
        "current": current_team(request),
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
