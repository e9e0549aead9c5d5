"""Deleting a training run for good: the row, its model, batch predictions and picks of rows to
label, and their files.

    POST /runs/<uuid>/delete/    (trainers and admins; a run still going must be canceled first)

The spreadsheet it trained on stays. Copies of its model in other teams keep their own files.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from lib import files
from webapp.accounts.access import get_for_user
from webapp.accounts.models import Activity, Role
from webapp.catalog.models import BatchPrediction, ModelVersion, RowPick, TrainedModel
from webapp.runs.models import TrainingRun


@login_required
@require_POST
def run_delete(request, uuid):
    run = get_for_user(request.user, TrainingRun, uuid, need=Role.TRAINER)
    if run.can_cancel:
        messages.error(request, "This run is still going. Cancel it first, then delete it.")
        return redirect("runs:detail", run.uuid)
    current_of = TrainedModel.objects.filter(run=run).first()
    if current_of is not None and current_of.versions.count() > 1:
        messages.error(request, f'This run is the current version of "{current_of.name}". '
                       "Make another version current first, then delete it.")  # fmt: skip
        return redirect("runs:detail", run.uuid)
    older = ModelVersion.objects.filter(run=run).exclude(model=current_of).select_related("model")
    done = f'Deleted the run "{run.name}" and its model.'
    if version := older.first():  # a version that does not answer: the model stays
        done = f'Deleted the run "{run.name}", v{version.number} of "{version.model.name}".'
    folders = [run.files_name] + [
        f"batches/{batch_uuid}"
        for batch_uuid in BatchPrediction.objects.filter(model__run=run).values_list(
            "uuid", flat=True
        )
    ]
    folders += [pick.folder for pick in RowPick.objects.filter(model__run=run).only("uuid")]
    with transaction.atomic():
        run.delete()  # its model and the model's batches and picks go with it (CASCADE)
        Activity.record(run.team, request.user, f'deleted the training run "{run.name}"')
    for folder in folders:
        files.remove_folder(folder)  # from the storage, and this machine's copy
    messages.success(request, done)
    return redirect("runs:list")
