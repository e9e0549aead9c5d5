"""The next texts of the named-entity evaluation's list of test texts with a mistake (the
list itself: finetune/tasks/ner/pages.py, through Task.evaluation_context).

    GET /runs/<uuid>/evaluation/entities/?type=PER&offset=20   # the next twenty (htmx)

Without JavaScript "Show more" is a link to the page with ?shown=40; with htmx it fetches the
next twenty from the view below and puts them in place of the button.
"""

import json

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from webapp.accounts.access import get_for_user
from webapp.runs.models import RunStatus, TrainingRun


@login_required
def entity_mistakes(request, uuid):
    """The next texts of the list as a partial: they replace the "Show more" button."""
    run = get_for_user(request.user, TrainingRun, uuid)
    if run.status != RunStatus.FINISHED:
        raise Http404
    try:
        evaluation = json.loads(run.local_file("evaluation.json").read_bytes())
    except (OSError, ValueError) as err:
        raise Http404 from err
    if "examples" not in evaluation:
        raise Http404
    ctx = {"run": run} | run.the_task.evaluation_context(evaluation, None, request.GET)
    return render(request, "runs/evaluation/entity_mistakes.html", ctx | {"partial": True})
