"""Training-run pages: the list, "Train a model", the run page and its live status partial.

Every object view starts with get_for_user (404 for other teams); the models do the work
(run.start(), run.cancel(), run.retry()). The status partial polls itself with htmx every
two seconds and comes back without its trigger once the run is final, which stops polling.
"""

import uuid as uuidlib
from datetime import timedelta
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from webapp.accounts.access import get_for_user, scoped
from webapp.accounts.models import Role
from webapp.catalog.models import BatchPrediction
from webapp.queue.maintenance import has_worker, repair_runs
from webapp.runs.caveats import caveats
from webapp.runs.forms import NewRunForm, language_note
from webapp.runs.models import QUEUE_NAME, RunStatus, TrainingRun
from webapp.spreadsheets.models import Spreadsheet

QUIET_AFTER = timedelta(seconds=30)  # a running run this long without news gets its worker checked


def start_blockers(sheet: Spreadsheet) -> list[str]:
    """Plain sentences that stop a run from starting on this spreadsheet; [] when ready."""
    if sheet.column_mapping is None:
        return ["Choose the task and the columns of this spreadsheet first."]
    if sheet.health is None:
        return ["Check the data of this spreadsheet first: its health report is not ready."]
    if sheet.checking:
        return ["The data of this spreadsheet is being checked. Wait for the check to end."]
    return list(sheet.health.get("problems") or [])


@login_required
def run_list(request):
    runs = scoped(request, TrainingRun).select_related("spreadsheet", "model")
    return render(request, "runs/list.html", {"runs": runs})


@login_required
def run_new(request, uuid):
    sheet = get_for_user(request.user, Spreadsheet, uuid, need=Role.TRAINER)
    blockers = start_blockers(sheet)
    form = NewRunForm(request.POST or None, task=sheet.task, initial_name=Path(sheet.name).stem)
    if request.method == "POST" and not blockers and form.is_valid():
        run = start_run(sheet, request.user, form.cleaned_data)  # a double click: one run
        return redirect("runs:detail", run.uuid)
    ctx = {
        "sheet": sheet,
        "form": form,
        "blockers": blockers,
        "language_note": language_note(sheet.health),
    }
    return render(request, "runs/new.html", ctx, status=400 if request.method == "POST" else 200)


def start_run(sheet: Spreadsheet, user, data: dict) -> TrainingRun:
    """Start a run on the spreadsheet as it is now (its task, the columns training uses and
    its fixes, frozen) with a valid NewRunForm's cleaned data; the run a repeated POST of one
    "Train" page already started, if it is one. Call only when start_blockers(sheet) is []."""
    with transaction.atomic():
        earlier, run_uuid = claim_run_uuid(sheet, user, data.get("run_uuid"))
        if earlier is not None:
            return earlier
        run = TrainingRun.objects.create(
            uuid=run_uuid,
            team=sheet.team,
            created_by=user,
            spreadsheet=sheet,
            name=data["name"],
            task=sheet.task,
            sheet=sheet.sheet,
            mapping=sheet.fixed_mapping.to_dict(),  # the columns training uses
            fixes=sheet.fixes,
            config=data["config"].to_dict(),
        )
        run.start()
    return run


def claim_run_uuid(sheet: Spreadsheet, user, key) -> tuple[TrainingRun | None, uuidlib.UUID]:
    """(the run this page already started, its uuid) for a repeated POST of one "Train" page;
    else (None, the uuid for the new run): the page's own key when it is free.

    Call inside the transaction that creates the run: the spreadsheet row is locked first, so
    two quick POSTs of one page are handled one after the other.
    """
    Spreadsheet.objects.select_for_update().get(pk=sheet.pk)
    if key is None:
        return None, uuidlib.uuid4()
    earlier = TrainingRun.objects.filter(uuid=key).first()
    if earlier is not None:
        mine = earlier.team_id == sheet.team_id and earlier.created_by_id == user.pk
        return (earlier, earlier.uuid) if mine else (None, uuidlib.uuid4())
    if BatchPrediction.objects.filter(uuid=key).exists():
        return None, uuidlib.uuid4()  # RQ job ids (row uuids) share one namespace
    return None, key


def _check_worker(run: TrainingRun) -> None:
    """Notice a dead worker or a run never enqueued from the run page, instead of showing
    "running" or "waiting" forever."""
    quiet = run.heartbeat is None or timezone.now() - run.heartbeat > QUIET_AFTER
    waiting = run.status in (RunStatus.CREATED, RunStatus.QUEUED)
    if (run.status == RunStatus.RUNNING and quiet) or (waiting and run.queue_position() is None):
        if repair_runs([run]):
            run.refresh_from_db()


def _status_context(run: TrainingRun) -> dict:
    _check_worker(run)
    waiting = run.status in (RunStatus.CREATED, RunStatus.QUEUED)
    return {
        "run": run,
        "position": run.queue_position(),
        "no_worker": waiting and has_worker(QUEUE_NAME) is False,
        "caveats": caveats(run),
    }


@login_required
def run_detail(request, uuid):
    run = get_for_user(request.user, TrainingRun, uuid)
    return render(request, "runs/detail.html", _status_context(run))


@login_required
def run_status(request, uuid):
    run = get_for_user(request.user, TrainingRun, uuid)
    # Final here means it ended while the page was open: the page has no settings card and
    # no delete button of its final state yet, so the partial brings them.
    final = run.is_final
    context = _status_context(run) | {"settings_out_of_band": final, "offer_delete": final}
    return render(request, "includes/run_status.html", context)


@login_required
@require_POST
def run_cancel(request, uuid):
    run = get_for_user(request.user, TrainingRun, uuid, need=Role.TRAINER)
    if not run.can_cancel and run.status != RunStatus.FINISHED:
        messages.error(request, "This run has already ended, so there is nothing to cancel.")
        return redirect("runs:detail", run.uuid)
    run.cancel()  # finished meanwhile: recorded, and the page says the cancel came too late
    if run.status == RunStatus.CANCELED:
        messages.success(request, "The run was canceled before it started.")
    # A running run says "Stopping after the current step" in its live status card, which
    # turns into "Canceled" by itself; a banner above it would stay on screen.
    return redirect("runs:detail", run.uuid)


@login_required
@require_POST
def run_retry(request, uuid):
    run = get_for_user(request.user, TrainingRun, uuid, need=Role.TRAINER)
    if not run.can_retry:
        messages.error(request, "Only failed or canceled runs can be started again.")
        return redirect("runs:detail", run.uuid)
    if run.spreadsheet is None:
        messages.error(
            request, "The spreadsheet of this run was deleted. Upload it again to train."
        )
        return redirect("runs:detail", run.uuid)
    with transaction.atomic():
        new_run = run.retry(request.user)
    messages.success(
        request, f'Started "{new_run.name}": "{run.name}" again, with the same data and settings.'
    )
    return redirect("runs:detail", new_run.uuid)
