"""Make it faster: a smaller copy of a model (finetune/distill.py), made by a job on the
training queue, shown beside the model on its page, and answering instead of it only once it
passed its check and a trainer accepted it (undo puts the model back).

    POST /models/<uuid>/faster/                 start one for the current version (trainers)
    POST /models/faster/<uuid>/accept/          the smaller copy answers (Try it, API, batches)
    POST /models/faster/<uuid>/undo/            the model answers again

A Distillation belongs to the run it was made from (the version current then) and freezes its
settings when it is created; `served_folder(run)` is the folder that answers for a run.
"""

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from finetune import FinetuneError, rundir
from lib import files
from webapp.accounts.access import get_for_user
from webapp.accounts.models import Role
from webapp.queue.lifecycle import NOT_FINAL, QueuedJob, RunStatus

QUEUE_DOWN = (
    "The training queue is not reachable right now. Try again in a minute; if it keeps "
    "happening, tell your administrator."
)
UNEXPECTED = (
    "Making the smaller model stopped because of an unexpected error. Try again; if it "
    "happens again, tell your administrator."
)
NO_ROWS = (
    "The spreadsheet this model was trained on was deleted, so a smaller copy cannot learn from it."
)


class Distillation(QueuedJob):
    queue_name = "training"
    job_function = "webapp.catalog.faster.distill_job"
    queue_down_message = QUEUE_DOWN
    worker_died_message = (
        "The worker making the smaller model stopped unexpectedly. Start it again."
    )

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="+")
    model = models.ForeignKey(
        "catalog.TrainedModel", on_delete=models.CASCADE, related_name="distillations"
    )
    run = models.ForeignKey(
        "runs.TrainingRun", on_delete=models.CASCADE, related_name="distillations"
    )
    frozen = models.JSONField(default=dict)  # finetune.distill.DistillConfig, as created
    metrics = models.JSONField(default=dict, blank=True)
    accepted = models.DateTimeField(null=True, blank=True)  # answers instead of the model
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        app_label = "catalog"
        ordering = ["-created"]

    @property
    def files_name(self) -> str:
        return f"distilled/{self.uuid}"

    def local_dir(self):
        return files.fetch_folder(self.files_name, rundir.INFO_FILE)

    @property
    def passed(self) -> bool:
        return self.status == RunStatus.FINISHED and bool(self.metrics.get("distill_ok"))

    @property
    def int8_sentence(self) -> str:
        """On processors its int8 copy answers ... (finetune.distill.int8_sentence)."""
        from finetune.distill import int8_sentence

        return int8_sentence(self.metrics, self.run.the_task)

    def figures(self) -> list[tuple[str, str, str]]:
        """(figure, the smaller model's, the model's) in the task's words."""
        task = self.run.the_task
        teacher = {k.removeprefix("teacher_"): v for k, v in self.metrics.items()
                   if k.startswith("teacher_test_")}  # fmt: skip
        pairs = zip(task.headline(self.metrics), task.headline(teacher), strict=True)
        return [(name, small, big) for (name, small), (_, big) in pairs]


def served_folder(run):
    """The folder that answers for `run`: its accepted smaller copy, else the run's own."""
    accepted = run.distillations.filter(status=RunStatus.FINISHED, accepted__isnull=False)
    found = next((d for d in accepted if d.passed), None)
    return found.local_dir() if found else run.local_dir()


def may_distill(user, model) -> bool:
    """A trainer or admin of the model's team, for a model trained by the team (a copy holds
    none of the rows the smaller model learns from)."""
    return model.team.role_of(user) in (Role.TRAINER, Role.ADMIN) and not model.is_copy


def faster_context(user, model) -> dict:
    """The model page's "Make it faster" card: the latest try for the version that answers."""
    return {
        "can_distill": may_distill(user, model),
        "distillation": model.distillations.filter(run=model.run).first(),
    }


def start_distillation(model, user) -> Distillation:
    """A Distillation of the model's current version with frozen settings, queued once the
    transaction commits; FinetuneError when one is already on its way or nothing to learn on."""
    from finetune.distill import DistillConfig

    if model.distillations.filter(run=model.run, status__in=NOT_FINAL).exists():
        raise FinetuneError("A smaller copy of this model is already being made. Wait for it.")
    if model.is_copy or model.run.spreadsheet_id is None:
        raise FinetuneError(NO_ROWS)
    config = DistillConfig(device=model.run.config.get("device", "auto"))
    with transaction.atomic():
        row = Distillation.objects.create(team=model.team, model=model, run=model.run,
                                          created_by=user, frozen=config.to_dict())  # fmt: skip
        row.start()
    return row


def distill_job(pk: int) -> str | None:
    """The worker's job: the smaller model from the run's frozen rows, published as a folder."""
    from finetune.data import read_table
    from finetune.distill import DistillConfig, distill
    from finetune.fixes import apply_table
    from finetune.mapping import ColumnMapping

    row = Distillation.objects.filter(pk=pk).select_related("run__spreadsheet").first()
    if row is None or not row.mark_running():
        return None
    run = row.run

    def work():
        sheet = run.spreadsheet
        if sheet is None or not sheet.path.is_file():
            raise FinetuneError(NO_ROWS)
        table = read_table(sheet.path, sheet=run.sheet or None, filename=sheet.name)
        table, _, _ = apply_table(table, ColumnMapping.from_dict(run.mapping), run.fixes,
                                  task=run.task)  # fmt: skip
        out = files.local_path(row.files_name)
        result = distill(run.local_dir(), table, out, config=DistillConfig(**row.frozen))
        files.publish_folder(row.files_name, rundir.INFO_FILE)
        return result

    result = row.run_work(work, UNEXPECTED)
    if result is not None:
        row._finish(RunStatus.FINISHED, metrics=result.metrics)
    return row.status


def _page(model) -> str:
    return reverse("catalog:detail", args=[model.uuid]) + "#faster"


@login_required
@require_POST
def faster_new(request, uuid):
    model = get_for_user(
        request.user,
        apps.get_model("catalog", "TrainedModel"),
        uuid,
        need=Role.TRAINER,
        related=("run",),
    )
    try:
        start_distillation(model, request.user)
    except FinetuneError as err:
        messages.error(request, str(err))
    else:
        messages.success(
            request, "Making a smaller, faster copy of this model. It shows here when done."
        )
    return redirect(_page(model))


@login_required
@require_POST
def faster_accept(request, uuid):
    row = get_for_user(request.user, Distillation, uuid, need=Role.TRAINER, related=("model",))
    if not row.passed:
        raise Http404
    row.accepted, row.accepted_by = timezone.now(), request.user
    row.save(update_fields=["accepted", "accepted_by"])
    messages.success(request, "The smaller copy answers now. Undo puts the model back.")
    return redirect(_page(row.model))


@login_required
@require_POST
def faster_undo(request, uuid):
    row = get_for_user(request.user, Distillation, uuid, need=Role.TRAINER, related=("model",))
    row.accepted, row.accepted_by = None, None
    row.save(update_fields=["accepted", "accepted_by"])
    messages.success(request, "The model answers again, not its smaller copy.")
    return redirect(_page(row.model))
