"""Improve this model: new rows (a spreadsheet with the model's columns, or the filled-in
rows to label next) train a new run that starts from the model's own weights and replays a
sample of its old rows (finetune/continual.py); it becomes the model's next version
(catalog.versions.add_version) once it finishes, current only when someone promotes it.

    POST /models/<uuid>/improve/      the file of new rows (trainers and admins)

The file is kept as a spreadsheet of its own, mapped with the model's columns and checked;
the run freezes the old run's settings and the old rows it replays (runs/improving.py). The
run and model pages show the before and after on the old test rows and on the new ones.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from finetune import FinetuneError
from finetune.continual import mapping_for
from finetune.mapping import ColumnMapping
from webapp.accounts.access import get_for_user
from webapp.accounts.models import Role
from webapp.catalog.improve_card import ImproveForm, may_improve
from webapp.catalog.models import TrainedModel
from webapp.catalog.views import page_context
from webapp.runs.improving import frozen_replay
from webapp.runs.models import TrainingRun

COPY = (
    "This model is a copy of another team's model, so it has no rows of its own to keep. "
    "Train a model on your rows instead."
)


def start_improving(model: TrainedModel, user, upload) -> TrainingRun:
    """Keep the file as a spreadsheet, map and check it with the model's columns, and queue
    the run; FinetuneError (nothing kept) when its columns do not fit."""
    from webapp.spreadsheets.models import Spreadsheet

    old = model.run
    sheet = Spreadsheet.create_from_upload(model.team, user, upload)
    try:
        table = sheet.read()
        mapping = mapping_for(ColumnMapping.from_dict(old.mapping), table)
        report = Spreadsheet.check_data(table, mapping, old.task, [])
        sheet.save_mapping(table, mapping, old.task, report, [])
    except FinetuneError:
        sheet.delete()
        sheet.remove_file()
        raise
    with transaction.atomic():
        run = TrainingRun.objects.create(
            team=model.team,
            created_by=user,
            spreadsheet=sheet,
            name=f"{model.name} + {sheet.name}"[:200],
            task=old.task,
            sheet=sheet.sheet,
            mapping=mapping.to_dict(),
            config=old.config,
            improves=model,
            replay=frozen_replay(old),
        )
        run.start()
    return run


@login_required
@require_POST
def improve(request, uuid):
    model = get_for_user(request.user, TrainedModel, uuid, need=Role.TRAINER, related=("run",))
    form = ImproveForm(request.POST, request.FILES, prefix="improve")
    if form.is_valid() and may_improve(request.user, model):
        try:
            run = start_improving(model, request.user, form.cleaned_data["file"])
        except FinetuneError as err:
            form.add_error("file", str(err))
        else:
            messages.success(
                request,
                f"Improving “{model.name}” with the rows of “{run.spreadsheet.name}”. When it "
                "finishes it becomes the model's next version; make it current to use it.",
            )
            return redirect("runs:detail", run.uuid)
    elif form.is_valid():
        form.add_error("file", COPY)
    page = page_context(request, model, improve_form=form)
    return render(request, "catalog/detail.html", page, status=400)
