"""TrainedModel (what a finished run becomes) and BatchPrediction (a spreadsheet to score).

    model = TrainedModel.objects.create(team=run.team, run=run, name=run.name)  # jobs.finish
    batch = BatchPrediction.objects.create(team=..., model=model, input=upload, original_name=...)
    batch.start()    # enqueued on the "predictions" queue once the transaction commits
    batch.waiting_words()  # "Waiting: 2nd in line behind another team's scoring."

A model's files live in its run directory (model.run_dir); the model row adds a name and a
place in the catalogue. A batch keeps the uploaded file and the scored copy side by side.
A RowPick (the rows to label next, catalog/row_picks.py) waits in line and keeps its files as
a batch does.
"""

import logging
import uuid
from pathlib import Path

import django_rq
from django.conf import settings
from django.contrib.humanize.templatetags.humanize import ordinal
from django.db import models
from django.utils import timezone
from redis.exceptions import RedisError
from rq.worker import Worker

from finetune import rundir
from finetune.data import SUPPORTED_SUFFIXES
from finetune.to_label import DEFAULT_ROWS
from finetune.writer import TEXT_OUTPUTS
from lib import files
from webapp.queue.lifecycle import QueuedJob, RunStatus
from webapp.runs.models import TrainingRun

logger = logging.getLogger(__name__)

QUEUE_DOWN = (
    "The prediction queue is not reachable right now. Try again in a minute; "
    "if it keeps happening, tell your administrator."
)
WAITING = "Waiting in line."  # when the queue can't tell more
NO_WORKER = (
    "Waiting for the predictions worker to start. If it keeps waiting, tell your administrator."
)
STARTING = "Starting…"  # first in line and a worker is free: it takes the file in a moment


class TrainedModelQuerySet(models.QuerySet):
    def catalogue(self, team) -> "TrainedModelQuerySet":
        """The team's models, published ones first (newest first), then drafts."""
        return self.filter(team=team).order_by(
            models.F("published").desc(nulls_last=True), "-created"
        )


class TrainedModel(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="models")
    run = models.OneToOneField("runs.TrainingRun", on_delete=models.CASCADE, related_name="model")
    name = models.CharField(max_length=200)
    created = models.DateTimeField(auto_now_add=True)
    # Publishing: a draft until a trainer publishes it to the team's catalogue.
    description = models.TextField(blank=True)
    published = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # When training finished; a copy keeps the original's time (its `created` is the copy's).
    trained = models.DateTimeField(default=timezone.now)
    # Copies: the model copied, when and by whom, and the name of the team that trained it
    # (kept as text: the original and its team may be deleted or renamed later).
    copied_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="copies"
    )
    copied = models.DateTimeField(null=True, blank=True)
    copied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    trained_in = models.CharField(max_length=100, blank=True)

    objects = TrainedModelQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:  # every model has its v1: the run it was made from (catalog/versions.py)
            by = self.copied_by or self.run.created_by
            ModelVersion.objects.create(
                model=self, number=1, run=self.run, created=self.trained, created_by=by,
                made_current=self.created, made_current_by=by,
            )  # fmt: skip

    @property
    def current_version(self):
        """The version that answers (its run is `self.run`)."""
        return self.versions.get(run_id=self.run_id)

    @property
    def takes_pairs(self) -> bool:
        """True when the model reads pairs of texts (its mapping has a second text column),
        as finetune's Predictor.takes_pairs says of the same mapping."""
        mapping = self.run.column_mapping
        return bool(mapping and mapping.text_pair)

    @property
    def scoring_column(self) -> str | None:
        """The column a file to score should have: the training file's text column, or None
        when any column of texts will do (the task says; after one word per row)."""
        mapping = self.run.column_mapping
        return self.run.the_task.scoring_column(mapping) if mapping else None

    @property
    def run_dir(self) -> Path:
        """The model's folder on this machine, complete (run.local_dir: downloaded once from
        object storage, then reused); FileNotFoundError when it is missing."""
        return self.run.local_dir()

    @property
    def is_published(self) -> bool:
        return self.published is not None

    @property
    def is_copy(self) -> bool:
        """A copy of another team's model: its files hold no rows of the spreadsheet."""
        return self.copied is not None

    def publish(self, user, name: str, description: str) -> None:
        self.name, self.description = name, description
        self.published, self.published_by = timezone.now(), user
        self.save(update_fields=["name", "description", "published", "published_by"])

    def unpublish(self) -> None:
        self.published = None
        self.save(update_fields=["published"])

    def info(self) -> dict:
        """labeltune.json: task, columns, labels, config, base model."""
        try:  # one small file, without downloading the whole model
            return rundir.parse_info(self.run.read_file(rundir.INFO_FILE))
        except (OSError, ValueError) as err:
            logger.warning("Model %s: %s could not be read: %r", self.uuid, rundir.INFO_FILE, err)
            return {}

    def card(self) -> str:
        """The model card's text, without the metadata block meant for the model hub."""
        try:
            text = self.run.read_file("README.md").decode("utf-8")
        except (OSError, UnicodeDecodeError) as err:
            logger.warning("Model %s: its card README.md could not be read: %r", self.uuid, err)
            return ""
        if text.startswith("---\n"):
            text = text.split("\n---\n", 1)[-1]
        return text.strip()


class ModelVersion(models.Model):
    """A numbered version of a model: v1 is the run it was made from; the current one is the
    version whose run is `model.run` (webapp/catalog/versions.py promotes)."""

    model = models.ForeignKey(TrainedModel, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    run = models.OneToOneField(
        "runs.TrainingRun", on_delete=models.CASCADE, related_name="model_version"
    )
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The last time this version was made current, and by whom (None: never made current).
    made_current = models.DateTimeField(null=True, blank=True)
    made_current_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["model", "number"], name="one_number_per_model")
        ]

    def __str__(self):
        return f"v{self.number}"

    @property
    def is_current(self) -> bool:
        return self.run_id == self.model.run_id


def batch_upload_to(instance, filename):
    suffix = Path(filename).suffix.lower()[:10]
    return f"batches/{instance.uuid}/input{suffix}"


class FileJob(QueuedJob):
    """A job of the prediction worker that reads one file of texts and writes one back:
    batch scoring and row picks. Both wait in the same line and say where they are in it."""

    queue_name = "predictions"
    queue_down_message = QUEUE_DOWN

    original_name = models.CharField(max_length=255)
    # The columns the model reads, when the file names them differently from the training
    # data (picked by the user); "" means the training columns' own names.
    text_column = models.CharField(max_length=255, blank=True)
    pair_column = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField(default=0)  # rows written (a pick: fewer when short)
    output = models.CharField(max_length=255, blank=True)  # the written file's storage name

    class Meta:
        abstract = True
        ordering = ["-created"]

    def __str__(self):
        return self.original_name

    @property
    def input_path(self) -> Path:
        """The uploaded file on this machine (downloaded once from object storage)."""
        return files.fetch(self.input.name)

    @property
    def output_suffix(self) -> str:
        """Workbooks come back as .xlsx; text files as they came (.csv, .tsv or .txt)."""
        suffix = Path(self.original_name).suffix.lower()
        if suffix in TEXT_OUTPUTS:
            return suffix
        return ".xlsx" if suffix in SUPPORTED_SUFFIXES else ".csv"

    @property
    def output_path(self) -> Path:
        """Where the worker writes the file on its machine, before publishing it."""
        return files.local_path(self.output_name)

    def mark_finished(self, rows: int) -> bool:
        return self._finish(RunStatus.FINISHED, rows=rows, output=self.output_name)

    def waiting_words(self) -> str:
        """Where a waiting batch or pick is, in plain words: its place in line and what it
        waits for ("Waiting: 2nd in line behind another team's scoring."); "" once it runs or
        ended. Other teams' files are counted, never named."""
        if self.status not in (RunStatus.CREATED, RunStatus.QUEUED):
            return ""
        try:
            queue = django_rq.get_queue(self.queue_name)
            workers = Worker.all(queue=queue)
            position = queue.get_job_position(self.job_id)
            if not workers:
                return NO_WORKER
            if position is None:  # not in the queue yet, or a worker is taking it now
                return WAITING
            # 1. The jobs ahead in the queue, and what the workers do when none is free.
            ahead = queue.get_job_ids(0, position) if position else []
            running = [w.get_current_job_id() for w in workers]
        except RedisError:
            return WAITING
        if None not in running:
            ahead += running
        elif not position:
            return STARTING
        # 2. The rows behind those job ids (RQ job ids are row uuids).
        what = self._describe_jobs(ahead)
        place = "next" if position == 0 else ordinal(position + 1)
        return f"Waiting: {place} in line behind {what}." if what else f"Waiting: {place} in line."

    def _describe_jobs(self, job_ids: list[str]) -> str:
        """What the jobs ahead of this one are, e.g. `your team's file “a.csv”, 2 files
        from other teams and a model in training`; "" when none is a run or a batch."""
        ids = set()
        for job_id in job_ids:
            try:
                ids.add(uuid.UUID(job_id))
            except (TypeError, ValueError):
                continue  # not one of ours
        ids.discard(self.uuid)
        batches = list(
            BatchPrediction.objects.filter(uuid__in=ids).values_list("team", "original_name")
        )
        mine = [name for team, name in batches if team == self.team_id]
        others = len(batches) - len(mine)
        training = TrainingRun.objects.filter(uuid__in=ids).count()
        parts = []
        if len(mine) == 1:
            parts.append(f"your team's file “{mine[0]}”")
        elif mine:
            parts.append(f"{len(mine)} of your team's files")
        if others:
            parts.append(
                "another team's scoring" if others == 1 else f"{others} files from other teams"
            )
        if training:
            parts.append(
                "a model in training" if training == 1 else f"{training} models in training"
            )
        return (
            " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)
        )


class BatchPrediction(FileJob):
    job_function = "webapp.catalog.jobs.score_batch"
    worker_died_message = (
        "The worker scoring this file stopped unexpectedly. Upload the file again to retry."
    )

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="batches")
    model = models.ForeignKey(TrainedModel, on_delete=models.CASCADE, related_name="batches")
    input = models.FileField(upload_to=batch_upload_to, max_length=255)
    # The model's version that scores it: the current one when the batch was made.
    version = models.ForeignKey(
        "catalog.ModelVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def save(self, *args, **kwargs):
        if self._state.adding and self.version_id is None:
            self.version = self.model.current_version
        super().save(*args, **kwargs)

    @property
    def scoring_dir(self) -> Path:
        """The folder of the version that scores this batch (downloaded once if need be)."""
        run = self.version.run if self.version else self.model.run
        return served_folder(run)  # its smaller copy, when one was accepted

    @property
    def output_name(self) -> str:
        """The scored file's name in the file storage."""
        return f"batches/{self.uuid}/scored{self.output_suffix}"

    @property
    def download_name(self) -> str:
        return f"{Path(self.original_name).stem} with predictions{self.output_suffix}"


def pick_upload_to(instance, filename):
    return f"{instance.folder}/input{Path(filename).suffix.lower()[:10]}"


class RowPick(FileJob):
    job_function = "webapp.catalog.jobs.pick_rows"
    worker_died_message = (
        "The worker picking the rows stopped unexpectedly. Pick the rows to label again."
    )

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="row_picks")
    model = models.ForeignKey(TrainedModel, on_delete=models.CASCADE, related_name="row_picks")
    # The file of texts: uploaded for this pick, or the file of a batch the model scored.
    input = models.FileField(upload_to=pick_upload_to, max_length=255)
    wanted = models.PositiveIntegerField(default=DEFAULT_ROWS)  # rows asked for

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


from webapp.catalog.faster import Distillation, served_folder  # noqa: E402, F401  (loads its model)
