"""{% finished_runs spreadsheet as count %}: how many finished runs a spreadsheet has, so its
page offers "Compare its runs" (webapp.runs.compare) only when there are two to compare."""

from django import template

from webapp.runs.models import RunStatus

register = template.Library()


@register.simple_tag
def finished_runs(spreadsheet) -> int:
    return spreadsheet.runs.filter(status=RunStatus.FINISHED).count()
