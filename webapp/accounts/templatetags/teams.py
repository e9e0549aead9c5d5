"""The team switcher in the top bar: {% load teams %}{% team_switcher %}; and
{% team_in_use as team %} for pages that name the team in use.

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


@register.simple_tag(takes_context=True)
def team_in_use(context):
    """{% team_in_use as team %}: the team this browser session works in."""
    return current_team(context["request"])
