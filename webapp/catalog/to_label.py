"""Pick rows to label: from a file of texts without labels (uploaded on the model page, or a
file the model already scored), a job picks the rows the model is least sure of, kept diverse
(finetune.to_label), and the page offers them as a file to fill in and upload as new data.

    POST /models/<uuid>/to-label/            a file and how many rows (trainers and admins)
    POST /models/batches/<uuid>/to-label/    how many rows of a finished batch's file
    GET  /models/picks/<uuid>/status/        the live status partial (htmx, every 2 s)
    GET  /models/picks/<uuid>/download/      the file to label

Only for models whose task can say how sure each answer is (Task.cannot_pick_rows is empty):
the page shows no such action otherwise, and its URLs answer 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from finetune import FinetuneError
from finetune.data import read_table
from lib import files
from webapp.accounts.access import get_for_user
from webapp.accounts.models import Role
from webapp.catalog.batches import fits
from webapp.catalog.forms import PickForm, PickRowsForm
from webapp.catalog.models import BatchPrediction, RowPick, TrainedModel
from webapp.catalog.views import page_context
from webapp.queue.maintenance import repair_runs
from webapp.runs.models import RunStatus


def no_text_column(model: TrainedModel) -> str:
    """Why a file cannot be picked from as it is, and what to do, in words."""
    column = model.scoring_column
    also = model.run.mapping.get("text_pair") if model.takes_pairs else None
    missing = f"no column named “{column}”" + (f" and “{also}”" if also else "")
    where = (
        "or label it under “Label a whole spreadsheet” first, where you pick the column, and "
        "pick the rows from there."
    )
    if column:
        return f"This file has {missing}. Rename its column of texts to “{column}”, {where}"
    return f"This file has several columns. Keep only the column of texts, {where}"


@login_required
@require_POST
def pick_new(request, uuid):
    model = get_for_user(request.user, TrainedModel, uuid, need=Role.TRAINER, related=("run",))
    if model.run.the_task.cannot_pick_rows:
        raise Http404
    form = PickForm(request.POST, request.FILES, prefix="pick")
    if form.is_valid():
        pick = RowPick.for_upload(model, request.user, form.cleaned_data["file"],
                                  form.cleaned_data["rows"])  # fmt: skip
        try:
            table = read_table(pick.input_path, filename=pick.original_name)
            if not fits(model, table.columns):
                raise FinetuneError(no_text_column(model))
        except FinetuneError as err:
            files.remove_folder(pick.folder)
            form.add_error("file", str(err))
        else:
            return start(request, pick)
    page = page_context(request, model, pick_form=form)
    return render(request, "catalog/detail.html", page, status=400)


@login_required
@require_POST
def pick_from_batch(request, uuid):
    batch = get_for_user(
        request.user, BatchPrediction, uuid, need=Role.TRAINER, related=("model__run",)
    )
    if batch.status != RunStatus.FINISHED or batch.model.run.the_task.cannot_pick_rows:
        raise Http404
    form = PickRowsForm(request.POST, prefix="pick")
    if not form.is_valid():
        messages.error(request, form.first_error())
        return redirect(reverse("catalog:detail", args=[batch.model.uuid]) + "#batches")
    return start(request, RowPick.for_batch(batch, request.user, form.cleaned_data["rows"]))


def start(request, pick: RowPick):
    with transaction.atomic():
        pick.save()
        pick.start()
    messages.success(
        request, f"Picking the rows of “{pick.original_name}” to label. They appear below."
    )
    return redirect(reverse("catalog:detail", args=[pick.model.uuid]) + "#to-label")


@login_required
def pick_status(request, uuid):
    pick = get_for_user(request.user, RowPick, uuid, need=Role.TRAINER)
    if pick.status in (RunStatus.QUEUED, RunStatus.RUNNING) and repair_runs([pick]):
        pick.refresh_from_db()
    return render(request, "includes/pick_status.html", {"pick": pick})


@login_required
def pick_download(request, uuid):
    pick = get_for_user(request.user, RowPick, uuid, need=Role.TRAINER)
    if pick.status != RunStatus.FINISHED or not files.exists(pick.output_name):
        raise Http404
    return files.download_response(pick.output_name, pick.download_name)
