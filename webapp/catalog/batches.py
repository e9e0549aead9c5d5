"""Batch predictions: upload a spreadsheet on a model page, a job scores it, download it back.

The status partial polls itself with htmx every two seconds until the batch is final; the
download is the user's file with prediction and confidence columns added (xlsx in, xlsx
out; csv in, csv out).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from lib.teams import get_for_user
from webapp.catalog.forms import BatchForm
from webapp.catalog.models import BatchPrediction, TrainedModel
from webapp.catalog.views import page_context
from webapp.runs.maintenance import repair_runs
from webapp.runs.models import RunStatus


@login_required
@require_POST
def batch_new(request, uuid):
    model = get_for_user(request.user, TrainedModel, uuid)
    form = BatchForm(request.POST, request.FILES)
    if not form.is_valid():
        page = page_context(request, model, batch_form=form)
        return render(request, "catalog/detail.html", page, status=400)
    upload = form.cleaned_data["file"]
    with transaction.atomic():
        batch = BatchPrediction(
            team=model.team, model=model, created_by=request.user, original_name=upload.name[:255]
        )
        batch.input.save(upload.name, upload, save=False)
        batch.save()
        batch.start()
    messages.success(request, f'"{batch.original_name}" is being labelled. It appears below.')
    return redirect(reverse("catalog:detail", args=[model.uuid]) + "#batches")


@login_required
def batch_status(request, uuid):
    batch = get_for_user(request.user, BatchPrediction, uuid)
    if batch.status in (RunStatus.QUEUED, RunStatus.RUNNING) and repair_runs([batch]):
        batch.refresh_from_db()
    return render(request, "includes/batch_status.html", {"batch": batch})


@login_required
def batch_download(request, uuid):
    batch = get_for_user(request.user, BatchPrediction, uuid)
    if batch.status != RunStatus.FINISHED or not batch.output_path.is_file():
        raise Http404
    handle = batch.output_path.open("rb")
    return FileResponse(handle, as_attachment=True, filename=batch.download_name)
