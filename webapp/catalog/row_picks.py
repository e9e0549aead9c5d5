"""RowPick: the rows to label next, picked from a file of texts by a job on the predictions
queue (finetune.to_label), then downloaded from the model page.

    pick = RowPick.for_upload(model, user, upload, rows=50)   # a file uploaded on the model page
    pick = RowPick.for_batch(batch, user, rows=50)             # a file the model already scored
    pick.start()            # enqueued on the "predictions" queue once the transaction commits
    may_pick(user, model)   # trainers and admins, for a model whose task can say how sure it is
    pick_context(user, model)   # the model page's card: form, latest picks, columns to fill

The file picked from stays where it was uploaded (a batch's file is read where the batch keeps
it); the file to label is written beside it under picks/<uuid>/, in the format uploaded.
"""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models

from finetune.to_label import DEFAULT_ROWS, label_columns
from webapp.accounts.models import Role
from webapp.catalog.models import QUEUE_DOWN, BatchPrediction, TrainedModel
from webapp.runs.lifecycle import QueuedJob, RunStatus


def pick_upload_to(instance, filename):
    return f"{instance.folder}/input{Path(filename).suffix.lower()[:10]}"


def may_pick(user, model: TrainedModel) -> bool:
    """Whether `user` may pick rows to label with `model` (a trainer or admin of its team, and
    a task that can say how sure each answer is)."""
    trains = model.team.role_of(user) in (Role.TRAINER, Role.ADMIN)
    return trains and not model.run.the_task.cannot_pick_rows


def pick_context(user, model: TrainedModel) -> dict:
    """What the model page's "Pick rows to label" card needs (catalog/to_label.html): the
    form, the latest picks, and the columns the file leaves empty (the training data's label
    columns)."""
    from webapp.catalog.forms import PickForm

    mapping = model.run.column_mapping
    return {
        "can_pick": may_pick(user, model),
        "pick_form": PickForm(prefix="pick"),
        "picks": model.row_picks.all()[:10],
        "answer_columns": label_columns(mapping) if mapping else [],
    }


class RowPick(QueuedJob):
    queue_name = "predictions"
    queue_down_message = QUEUE_DOWN
    worker_died_message = (
        "The worker picking the rows stopped unexpectedly. Pick the rows to label again."
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="row_picks")
    model = models.ForeignKey(TrainedModel, on_delete=models.CASCADE, related_name="row_picks")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The file of texts: uploaded for this pick, or the file of a batch the model scored.
    input = models.FileField(upload_to=pick_upload_to, max_length=255)
    original_name = models.CharField(max_length=255)
    # The columns the model reads when the file names them differently (a batch's choice).
    text_column = models.CharField(max_length=255, blank=True)
    pair_column = models.CharField(max_length=255, blank=True)
    wanted = models.PositiveIntegerField(default=DEFAULT_ROWS)  # rows asked for
    rows = models.PositiveIntegerField(default=0)  # rows picked (fewer when the file is short)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.CREATED)
    message = models.TextField(blank=True)
    log = models.TextField(blank=True)
    output = models.CharField(max_length=255, blank=True)  # the file to label's storage name
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.original_name

    # A pick waits in the same line as batches, reads its file and writes one back as they do.
    waiting_words = BatchPrediction.waiting_words
    _describe_jobs = BatchPrediction._describe_jobs
    input_path = BatchPrediction.input_path
    output_suffix = BatchPrediction.output_suffix
    output_path = BatchPrediction.output_path
    mark_finished = BatchPrediction.mark_finished

    @classmethod
    def for_upload(cls, model: TrainedModel, user, upload, rows: int) -> "RowPick":
        """A pick of the uploaded file, saved to the storage (the row is not saved yet)."""
        pick = cls(team=model.team, model=model, created_by=user, wanted=rows,
                   original_name=upload.name[:255])  # fmt: skip
        pick.input.save(upload.name, upload, save=False)
        return pick

    @classmethod
    def for_batch(cls, batch: BatchPrediction, user, rows: int) -> "RowPick":
        """A pick of a batch's file, read with the columns the batch read (not saved yet)."""
        return cls(
            team=batch.team, model=batch.model, created_by=user, wanted=rows,
            input=batch.input.name, original_name=batch.original_name,
            text_column=batch.text_column, pair_column=batch.pair_column,
        )  # fmt: skip

    @property
    def folder(self) -> str:
        return f"picks/{self.uuid}"

    @property
    def output_name(self) -> str:
        return f"{self.folder}/to label{self.output_suffix}"

    @property
    def download_name(self) -> str:
        return f"{Path(self.original_name).stem} to label{self.output_suffix}"

    def job_callables(self) -> tuple:
        from webapp.catalog import jobs

        return jobs.pick_rows, jobs.on_pick_failure
