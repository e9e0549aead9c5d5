"""The named-entity evaluation's test texts with a mistake: most mistakes first, twenty at a
time, filtered by type of name.

    mistakes_context(evaluation, request.GET)   # the ner section's list (evaluation.py)
    GET /runs/<uuid>/evaluation/entities/?type=PER&offset=20   # the next twenty (htmx)

The texts come from evaluation.json's "examples" (finetune keeps the most wrong ones, with
"examples_total" counting them all). A text's mistakes are the names it missed (in the
spreadsheet, not found as they are) and the ones it got wrong (found, but not in the
spreadsheet: another type, other words, or not a name at all). Without JavaScript "Show more"
is a link to the page with ?shown=40; with htmx it fetches the next twenty from the view below
and puts them in place of the button.
"""

import json
from collections import Counter

from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import render

from lib.teams import get_for_user
from webapp.runs.models import RunStatus, TrainingRun

PAGE = 20  # texts shown at first and added by each "Show more"


def with_mistakes(example: dict) -> dict:
    """An example with its "missed" and "wrong" names and the types they are of."""
    expected, predicted = example.get("expected", []), example.get("predicted", [])
    expected_keys, predicted_keys = {_span(e) for e in expected}, {_span(e) for e in predicted}
    missed = [e for e in expected if _span(e) not in predicted_keys]
    wrong = [e for e in predicted if _span(e) not in expected_keys]
    return example | {
        "missed": missed,
        "wrong": wrong,
        "mistake_types": {e["type"] for e in missed + wrong},
    }


def _span(entity: dict) -> tuple:
    return entity.get("start"), entity.get("end"), entity.get("type")


def _number(params: QueryDict, name: str, default: int) -> int:
    try:
        return max(0, int(params.get(name, default)))
    except ValueError:
        return default


def count_words(shown: int, total: int, kind: str) -> str:
    """ "Showing 20 of 87 texts with mistakes", "Showing all 3 texts with a mistake in a
    “PER” name"."""
    if kind:
        which = f"with a mistake in a “{kind}” name"
    else:
        which = "with a mistake" if total == 1 else "with mistakes"
    if total == 1:
        return f"Showing the one text {which}"
    if shown >= total:
        return f"Showing all {total:,} texts {which}"
    return f"Showing {shown:,} of {total:,} texts {which}"


def mistakes_context(evaluation: dict, params: QueryDict, offset: int = 0) -> dict:
    """The texts of one step of the list: from `offset` (the htmx "Show more"), up to ?shown=
    (the same without JavaScript) or PAGE; only those with a mistake in a name of ?type=."""
    examples = [with_mistakes(e) for e in evaluation.get("examples", [])]
    examples.sort(key=lambda e: -(len(e["missed"]) + len(e["wrong"])))  # stable: test order
    types = Counter(t for e in examples for t in e["mistake_types"])
    kind = params.get("type", "")
    kind = kind if kind in types else ""
    matching = [e for e in examples if kind in e["mistake_types"]] if kind else examples
    end = min(len(matching), max(offset + PAGE, _number(params, "shown", PAGE)))
    kept, total = len(examples), max(evaluation.get("examples_total", 0), len(examples))
    return {
        "entity_examples": matching[offset:end],
        "entity_offset": offset,
        "entity_end": end,
        "entity_more": min(PAGE, len(matching) - end),
        "entity_kind": kind,
        "entity_kinds": sorted(types.items()),
        "entity_count": count_words(end, len(matching), kind),
        "entity_kept": (
            f"This page keeps the {kept:,} texts with the most mistakes, of {total:,} in all; "
            "the test rows download above has every one."
        )
        if total > kept
        else "",
    }


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
    offset = _number(request.GET, "offset", 0)
    ctx = {"run": run} | mistakes_context(evaluation, request.GET, offset)
    return render(request, "runs/evaluation/entity_mistakes.html", ctx | {"partial": True})
