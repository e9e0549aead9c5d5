"""Labels that look wrong, on the spreadsheet page: start a check, its live status, and the
one-click fixes of a listed row (the suggested label, another label, drop the row) or of
every row above a confidence. The fixes are finetune.fixes steps like the data check's
others: undone on the page, frozen into the runs trained after them.

Every view starts with webapp.accounts.access.get_for_user (other teams: 404; viewers: 403).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from finetune.basemodels import DEFAULT_BASE_MODEL
from finetune.fixes import describe
from webapp.accounts.access import get_for_user
from webapp.accounts.models import Role
from webapp.runs.forms import LOCAL_PREFIX, local_model_path, model_options
from webapp.spreadsheets.label_checks import LabelCheck
from webapp.spreadsheets.models import Spreadsheet
from webapp.spreadsheets.views_reading import tell_fixed

SHOWN = 50  # listed rows on the page; fixing them brings up the next ones
ROW_GONE = "That row is no longer on the list. Look at the list again."
NOT_READY = "Check your data first, then look for labels that look wrong."


def label_context(spreadsheet: Spreadsheet) -> dict:
    """What templates/spreadsheets/label_issues.html shows: the last check, whether it still
    fits the data, its open rows and the "accept all" offers."""
    check = LabelCheck.latest_for(spreadsheet)
    ctx = {"check": check, "base_models": model_options(), "stale": False}
    if check is None:
        return ctx
    ctx["stale"] = not check.fits(spreadsheet)
    if check.status == LabelCheck.Status.FINISHED and not ctx["stale"]:
        issues = check.open_issues(spreadsheet)
        ctx |= {
            "found": check.found,
            "issues": issues[:SHOWN],
            "open_count": len(issues),
            "accept_offers": check.accept_offers(issues),
        }
    return ctx


@require_POST
@login_required
def label_check(request: HttpRequest, uuid) -> HttpResponse:
    """Queue a look for labels that look wrong, with the base model picked."""
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    if not spreadsheet.health or spreadsheet.fixed_mapping is None:
        messages.error(request, NOT_READY)
        return _to_list(spreadsheet)
    base_model = base_model_for(request.POST.get("base_model"))
    if base_model is None:
        messages.error(request, "Pick one of the models in the list.")
        return _to_list(spreadsheet)
    LabelCheck.start_for(spreadsheet, request.user, base_model)
    return _to_list(spreadsheet)


def base_model_for(choice: str | None) -> str | None:
    """The base model a label check reads with, from one of the Train page's choices (the
    default when none is given); None for a choice that is not in the list."""
    choice = choice or DEFAULT_BASE_MODEL
    known = {o["value"] for o in model_options()}
    base_model = local_model_path(choice) if choice.startswith(LOCAL_PREFIX) else choice
    return base_model if choice in known else None


@login_required
def label_check_status(request: HttpRequest, uuid) -> HttpResponse:
    """The live section (htmx polls it until the check ends)."""
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    ctx = {"spreadsheet": spreadsheet, "health": spreadsheet.health or {}}
    return render(request, "spreadsheets/label_issues.html", ctx | label_context(spreadsheet))


@require_POST
@login_required
def label_fix(request: HttpRequest, uuid) -> HttpResponse:
    """Fix one listed row: its suggested label, another label, or drop it."""
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    issue = _open_issue(spreadsheet, request.POST.get("row"))
    action = request.POST.get("action")
    if issue is None:
        messages.error(request, ROW_GONE)
        return _to_list(spreadsheet)
    if action == "drop":
        fix = {"kind": "drop_rows", "rows": [issue["row"]]}
    elif action == "other" and request.POST.get("label") in issue["others"]:
        fix = _relabel([issue], to=request.POST["label"])
    elif action == "suggested":
        fix = _relabel([issue])
    else:
        messages.error(request, "Pick the label to give this row.")
        return _to_list(spreadsheet)
    return _apply(request, spreadsheet, fix)


@require_POST
@login_required
def label_fix_all(request: HttpRequest, uuid) -> HttpResponse:
    """Give every listed row LabelTune is at least this sure of its suggested label."""
    spreadsheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    check = LabelCheck.latest_for(spreadsheet)
    try:
        at = int(request.POST.get("percent", ""))
    except ValueError:
        at = -1
    usable = check is not None and check.status == LabelCheck.Status.FINISHED
    issues = check.open_issues(spreadsheet) if usable and check.fits(spreadsheet) else []
    offered = {o["percent"] for o in check.accept_offers(issues)} if issues else set()
    if at not in offered:
        messages.error(request, ROW_GONE.replace("That row is", "These rows are"))
        return _to_list(spreadsheet)
    fix = _relabel([x for x in issues if x["confidence"] * 100 >= at]) | {"suggested": True}
    return _apply(request, spreadsheet, fix)


def _open_issue(spreadsheet: Spreadsheet, row) -> dict | None:
    """The listed row `row` (a spreadsheet row number) of a finished check that still fits
    the data, unless a fix handled it already."""
    check = LabelCheck.latest_for(spreadsheet)
    if check is None or check.status != LabelCheck.Status.FINISHED or not check.fits(spreadsheet):
        return None
    return next((x for x in check.open_issues(spreadsheet) if str(x["row"]) == row), None)


def _relabel(issues: list[dict], to=None) -> dict:
    changes = [
        {"row": x["row"], "from": x["given"], "to": x["suggested"] if to is None else to}
        for x in issues
    ]
    return {"kind": "relabel_rows", "changes": changes}


def _apply(request: HttpRequest, spreadsheet: Spreadsheet, fix: dict) -> HttpResponse:
    tell_fixed(request, spreadsheet, [*spreadsheet.fixes, fix], describe(fix))
    return _to_list(spreadsheet)


def _to_list(spreadsheet: Spreadsheet) -> HttpResponse:
    return redirect(reverse("spreadsheets:detail", args=[spreadsheet.uuid]) + "#label-issues")
