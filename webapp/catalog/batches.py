"""Batch predictions: upload a spreadsheet on a model page, a job scores it, download it back.

The upload is kept aside first and its columns read: when the file has the columns the
model was trained on (or is a single column of texts), the batch starts at once; otherwise
the page asks which column holds the text (and the second text, for pair models), with
finetune's guess preselected, and starts once the user picks. The status partial polls
itself with htmx every two seconds until the batch is final; the download is the user's file
with prediction columns added, in the format uploaded (finetune.writer.text_format).
"""

import uuid as uuidlib
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from finetune import FinetuneError
from finetune.data import read_table
from finetune.suggest import suggest
from lib import files
from webapp.accounts.access import get_for_user
from webapp.catalog.forms import BatchColumnsForm, BatchForm
from webapp.catalog.models import BatchPrediction, TrainedModel
from webapp.catalog.row_picks import may_pick
from webapp.catalog.views import page_context
from webapp.queue.maintenance import repair_runs
from webapp.runs.models import RunStatus

PENDING_SALT = "labeltune.batch.pending"
PENDING_MAX_AGE = 24 * 3600  # seconds an upload waits for its columns to be picked
PENDING_GONE = "This upload waited too long for its columns. Upload the file again."


PENDING = "batches/pending"  # storage folder of uploads waiting for their columns


def pending_name(folder: str, filename: str) -> str:
    """The storage name of an upload kept aside in PENDING/<folder>/."""
    return f"{PENDING}/{folder}/input{Path(filename).suffix.lower()[:10]}"


def pending_file(folder: str, filename: str) -> Path:
    """The upload kept aside, on this machine; FileNotFoundError once it was cleared out."""
    path = files.fetch(pending_name(folder, filename))
    if not path.is_file():
        raise FileNotFoundError(path)
    return path


@login_required
@require_POST
def batch_new(request, uuid):
    model = get_for_user(request.user, TrainedModel, uuid)
    form = BatchForm(request.POST, request.FILES)
    if not form.is_valid():
        page = page_context(request, model, batch_form=form)
        return render(request, "catalog/detail.html", page, status=400)
    upload = form.cleaned_data["file"]
    path = keep_aside(upload)
    try:
        table = read_table(path, filename=upload.name)
    except FinetuneError as err:
        files.remove_folder(f"{PENDING}/{path.parent.name}")
        form.add_error("file", str(err))
        page = page_context(request, model, batch_form=form)
        return render(request, "catalog/detail.html", page, status=400)
    if fits(model, table.columns):
        return start_batch(request, model, path, upload.name, "", "")
    token = signing.dumps(
        {"dir": path.parent.name, "name": upload.name[:255], "model": str(model.uuid)},
        salt=PENDING_SALT,
    )
    picker = BatchColumnsForm(
        initial={"pending": token} | guess(model, table), columns=table.columns,
        takes_pairs=model.takes_pairs,
    )  # fmt: skip
    page = page_context(request, model, column_picker=picker, pending_name=upload.name)
    return render(request, "catalog/detail.html", page)


@login_required
@require_POST
def batch_columns(request, uuid):
    model = get_for_user(request.user, TrainedModel, uuid)
    try:
        pending = signing.loads(
            request.POST.get("pending", ""), salt=PENDING_SALT, max_age=PENDING_MAX_AGE
        )
        path = pending_file(pending["dir"], pending["name"])
    except (signing.BadSignature, KeyError, FileNotFoundError):
        messages.error(request, PENDING_GONE)
        return redirect(reverse("catalog:detail", args=[model.uuid]) + "#batches")
    if pending["model"] != str(model.uuid):
        raise Http404
    columns = read_table(path, filename=pending["name"]).columns
    form = BatchColumnsForm(request.POST, columns=columns, takes_pairs=model.takes_pairs)
    if not form.is_valid():
        page = page_context(request, model, column_picker=form, pending_name=pending["name"])
        return render(request, "catalog/detail.html", page, status=400)
    data = form.cleaned_data
    return start_batch(
        request, model, path, pending["name"], data["text_column"], data.get("pair_column", "")
    )


def keep_aside(upload) -> Path:
    """Store the upload under batches/pending/<random>/ until it is started (any web machine
    may get the column choice), and return it on this machine; clear out ones older than a
    day (uploads whose columns were never picked)."""
    files.prune(PENDING, PENDING_MAX_AGE)
    name = files.save(pending_name(uuidlib.uuid4().hex, upload.name), upload)
    return files.fetch(name)


def fits(model: TrainedModel, columns: list[str]) -> bool:
    """The file has the columns the model was trained on (one column of text also does)."""
    mapping = model.run.mapping or {}
    text = model.scoring_column
    if text and all(c in columns for c in (text, mapping.get("text_pair")) if c):
        return True
    return len(columns) == 1 and not model.takes_pairs


def guess(model: TrainedModel, table) -> dict:
    """The columns to preselect: the training names where present, else finetune's guess."""
    mapping = model.run.mapping or {}
    suggested = suggest(table).mapping
    text = model.scoring_column if model.scoring_column in table.columns else None
    text = text or (suggested.text if suggested else None) or table.columns[0]
    initial = {"text_column": text}
    if model.takes_pairs:
        pair = mapping.get("text_pair") if mapping.get("text_pair") in table.columns else None
        pair = pair or (suggested.text_pair if suggested else None)
        others = [c for c in table.columns if c != text]
        initial["pair_column"] = pair if pair and pair != text else (others[0] if others else "")
    return initial


def start_batch(request, model, path: Path, name: str, text_column: str, pair_column: str):
    with transaction.atomic():
        batch = BatchPrediction(
            team=model.team, model=model, created_by=request.user, original_name=name[:255],
            text_column=text_column, pair_column=pair_column or "",
        )  # fmt: skip
        with path.open("rb") as handle:
            batch.input.save(name, File(handle), save=False)
        batch.save()
        batch.start()
    files.remove_folder(f"{PENDING}/{path.parent.name}")
    messages.success(request, f'"{batch.original_name}" is being labelled. It appears below.')
    return redirect(reverse("catalog:detail", args=[model.uuid]) + "#batches")


@login_required
def batch_status(request, uuid):
    batch = get_for_user(request.user, BatchPrediction, uuid)
    if batch.status in (RunStatus.QUEUED, RunStatus.RUNNING) and repair_runs([batch]):
        batch.refresh_from_db()
    can_pick = batch.is_final and may_pick(request.user, batch.model)
    return render(request, "includes/batch_status.html", {"batch": batch, "can_pick": can_pick})


@login_required
def batch_download(request, uuid):
    batch = get_for_user(request.user, BatchPrediction, uuid)
    if batch.status != RunStatus.FINISHED or not files.exists(batch.output_name):
        raise Http404
    return files.download_response(batch.output_name, batch.download_name)
