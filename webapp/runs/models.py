"""TrainingRun: one fine-tuning job, from the click on "Train" to a model or a plain failure.

    run = TrainingRun.objects.create(team=team, spreadsheet=sheet, mapping=..., config=...)
    run.start()         # enqueued on the "training" queue once the transaction commits
    run.cancel()        # queued: taken off the queue; running: the worker stops at the next step;
                        # finished: too late, the model is kept and the page says so
    new = run.retry(user)  # failed or canceled: a new run with the same data and settings

The worker (jobs.train_run) moves the row through mark_running, mark_progress (throttled)
and one of mark_finished, mark_failed or mark_canceled. The row, not Redis, is the truth:
a run whose worker died is found by queue.maintenance.repair_runs (or by its worker, when only the
work horse died) and recovered: put back in line to continue from its last complete epoch
when training left a checkpoint (at most MAX_RESUMES times), else marked failed.

The queued-job lifecycle it shares with batch predictions is in webapp.queue.lifecycle; what
its pages say of it (figures, settings, resumes and time left in words) in webapp.runs.words.

Files: the worker writes the run folder in run.out_dir and publishes it to the file storage
(webapp.runs.runfiles); readers on any machine use run.local_dir() or run.read_file(name).
"""

import logging
import re
import time
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from redis.exceptions import RedisError
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job

from finetune import rundir
from finetune.rundir import INFO_FILE  # written last: a run folder without it is incomplete
from finetune.tasks import default_task_name
from lib import files
from webapp.queue.lifecycle import FINAL, NOT_FINAL, QueuedJob, RunStatus, job_connection
from webapp.runs.words import RunWords

__all__ = ["FINAL", "INFO_FILE", "NOT_FINAL", "QueuedJob", "RunStatus", "TrainingRun"]

logger = logging.getLogger(__name__)

QUEUE_NAME = "training"
QUEUE_DOWN = (
    "The training queue is not reachable right now. Try again in a minute; "
    "if it keeps happening, tell your administrator."
)
WORKER_DIED = "The worker running this training stopped unexpectedly. Start it again with Retry."
MAX_RESUMES = 2  # times a run is put back in line after its worker stopped, before it fails
PROGRESS_EVERY = 2.0  # seconds between progress writes to the database
HISTORY_POINTS = 400  # live curve points kept on the row; older ones are thinned out
NUMBERED = re.compile(r"^(.*) \((\d{1,4})\)$")  # "reviews (2)": a retry's name


class TrainingRun(RunWords, QueuedJob):
    queue_name = QUEUE_NAME
    job_function = "webapp.runs.jobs.train_run"
    failure_callback = "webapp.runs.jobs.on_train_failure"
    queue_down_message = QUEUE_DOWN
    worker_died_message = WORKER_DIED

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="runs")
    spreadsheet = models.ForeignKey(
        "spreadsheets.Spreadsheet", null=True, on_delete=models.SET_NULL, related_name="runs"
    )
    name = models.CharField(max_length=200)
    # Frozen at creation: what to train on and how. Re-mapping the spreadsheet (another sheet,
    # other columns) while the run waits, or before a Retry, does not change them.
    task = models.CharField(max_length=30, default=default_task_name)
    sheet = models.CharField(max_length=255, blank=True)  # the workbook sheet; "" for CSV
    mapping = models.JSONField(default=dict)  # finetune ColumnMapping.to_dict(), after fixes
    fixes = models.JSONField(default=list, blank=True)  # finetune.fixes steps, applied first
    config = models.JSONField(default=dict)  # TrainConfig.to_dict()
    # A run that improves a model (webapp/runs/improving.py): that model, and the old rows it
    # replays (the old run, its spreadsheet, sheet, mapping and fixes, the share), frozen.
    improves = models.ForeignKey(
        "catalog.TrainedModel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="improvements",
    )
    replay = models.JSONField(default=dict, blank=True)

    progress = models.JSONField(default=dict, blank=True)  # the last Progress.to_dict()
    history = models.JSONField(default=list, blank=True)  # live curve: {"step", "loss", "val"}
    metrics = models.JSONField(default=dict, blank=True)  # metrics.json, flat
    warning = models.TextField(blank=True)  # trouble while it runs (file storage), for users
    cancel_requested = models.BooleanField(default=False)
    resumes = models.PositiveSmallIntegerField(default=0)  # times put back in line (worker died)

    started = models.DateTimeField(null=True, blank=True)
    heartbeat = models.DateTimeField(null=True, blank=True)  # last progress write

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.name

    # Facts for pages and jobs

    @property
    def job_timeout(self) -> int:
        """The worker's time limit: the setting's, or longer for a budget that needs more."""
        from finetune.tuning import job_seconds

        return max(settings.TRAINING_JOB_TIMEOUT, int(job_seconds(self.config)))

    @property
    def files_name(self) -> str:
        """The run folder's name in the file storage (lib.files)."""
        return f"runs/{self.uuid}"

    @property
    def out_dir(self) -> Path:
        """Where the worker writes the run folder on its machine (lib.files.local_path)."""
        return files.local_path(self.files_name)

    def local_dir(self) -> Path:
        """The finished run folder on this machine, complete: from object storage it is
        downloaded once, then reused. FileNotFoundError when the storage lacks it."""
        return files.fetch_folder(self.files_name, INFO_FILE)

    def read_file(self, name: str) -> bytes:
        """One file of the run folder (this machine's copy, else the storage's, not cached:
        labeltune.json alone must not make a cached folder look complete)."""
        return files.read_bytes(f"{self.files_name}/{name}")

    def local_file(self, name: str) -> Path:
        """One file of the finished run folder on this machine, fetched alone from object
        storage (not labeltune.json: see read_file); the path may not exist."""
        return files.fetch(f"{self.files_name}/{name}")

    @property
    def base_model(self) -> str:
        return self.config.get("base_model", "")

    @property
    def base_model_name(self) -> str:
        """The base model as people know it: a hub id, or a local folder's name."""
        return rundir.base_model_name(self.base_model)

    @property
    def the_task(self):
        """The finetune Task this run trains: pages ask it what to show."""
        from finetune.tasks import get_task

        return get_task(self.task)

    @property
    def column_mapping(self):
        """The frozen mapping as a finetune ColumnMapping; None before one was chosen."""
        from finetune.mapping import ColumnMapping

        return ColumnMapping.from_dict(self.mapping) if self.mapping else None

    @property
    def current_epoch(self) -> int:
        """The epoch being trained now, counting from 1 (progress.epoch is a fraction done)."""
        epochs = int(self.progress.get("epochs") or 0)
        return min(epochs, int(float(self.progress.get("epoch") or 0)) + 1)

    @property
    def can_cancel(self) -> bool:
        return self.status in NOT_FINAL

    @property
    def base_model_failed(self) -> bool:
        """The run failed getting its base model (not downloadable, no internet, unsafe
        weights, not a text model): finetune.basemodels names the model in quotes."""
        return self.status == RunStatus.FAILED and f'"{self.base_model}"' in self.message

    @property
    def can_retry(self) -> bool:
        return self.status in (RunStatus.FAILED, RunStatus.CANCELED)

    @property
    def percent(self) -> int:
        if self.status == RunStatus.FINISHED:
            return 100
        return int(round(100 * float(self.progress.get("fraction") or 0)))

    def queue_position(self) -> int | None:
        """1 for the next run to start; None when not queued or the queue can't tell."""
        if self.status != RunStatus.QUEUED:
            return None
        try:
            job = Job.fetch(self.job_id, connection=job_connection(QUEUE_NAME))
            position = job.get_position()
        except (NoSuchJobError, RedisError):
            return None
        return None if position is None else position + 1

    # Lifecycle, called by views

    def cancel(self) -> None:
        if self.status in (RunStatus.CREATED, RunStatus.QUEUED):
            self._cancel_job()
            if self._finish(RunStatus.CANCELED, from_status=(RunStatus.CREATED, RunStatus.QUEUED)):
                return
            self.refresh_from_db(fields=["status"])  # the worker started it meanwhile
        if self.status in (RunStatus.RUNNING, RunStatus.FINISHED):
            # Running: the worker's cancel check reads this flag; finetune stops at the next
            # step. Finished (the model was saved before the click arrived), or finishing
            # before the flag is read: the flag tells the page the cancel came too late.
            self.cancel_requested = True
            self.save(update_fields=["cancel_requested"])

    def _cancel_job(self) -> None:
        try:
            Job.fetch(self.job_id, connection=job_connection(QUEUE_NAME)).cancel()
        except (NoSuchJobError, InvalidJobOperation):
            pass
        except RedisError:
            # The row is canceled anyway; a worker that gets the job later sees that and skips it.
            logger.warning("Could not remove run %s from the queue", self.uuid)

    def retry(self, user) -> "TrainingRun":
        """A new run with the same spreadsheet, columns and settings, started now, named
        with the next free number ("reviews (2)") so the list tells the tries apart."""
        run = TrainingRun.objects.create(
            team=self.team,
            created_by=user,
            spreadsheet=self.spreadsheet,
            name=self.next_name(),
            task=self.task,
            sheet=self.sheet,
            mapping=self.mapping,
            fixes=self.fixes,
            config=self.config,
            improves=self.improves,
            replay=self.replay,
        )
        run.start()
        return run

    def next_name(self) -> str:
        """ "reviews" -> "reviews (2)"; "reviews (2)" -> "reviews (3)", skipping names taken."""
        match = NUMBERED.match(self.name)
        base = match[1] if match else self.name
        taken = set(
            TrainingRun.objects.filter(team=self.team, name__startswith=base).values_list(
                "name", flat=True
            )
        )
        number = int(match[2]) + 1 if match else 2
        while f"{base} ({number})" in taken:
            number += 1
        suffix = f" ({number})"
        return base[: 200 - len(suffix)] + suffix

    # Lifecycle, called by the worker and the repair

    def same_attempt(self) -> dict:
        # A work horse orphaned by a dead worker may still be training after the run was put
        # back in line; its copy of the row has fewer resumes, so it cannot end the run.
        return {"resumes": self.resumes}

    @property
    def checkpoint_file(self) -> Path:
        from finetune import checkpoint

        return checkpoint.folder(self.out_dir) / checkpoint.FILE

    @property
    def checkpoint_name(self) -> str:
        """The checkpoint's name in the file storage, where any worker machine finds it."""
        return f"{self.files_name}/{self.checkpoint_file.relative_to(self.out_dir).as_posix()}"

    @property
    def can_resume(self) -> bool:
        """Training left a complete checkpoint, and the run has not been resumed too often."""
        return (
            self.status == RunStatus.RUNNING
            and not self.cancel_requested
            and self.resumes < MAX_RESUMES
            and (self.checkpoint_file.is_file() or files.exists(self.checkpoint_name))
        )

    def recover(self, message: str, log: str = "") -> bool:
        if self.can_resume and self.resume(log):
            return True
        return super().recover(message, log=log)

    def resume(self, note: str = "") -> bool:
        """Put the run back in line; the next attempt continues from the checkpoint (finetune
        finds it in out_dir). False when another process changed the row first."""
        # 1. Claim the row for a new attempt (it is "created" until the enqueue succeeds).
        claimed = TrainingRun.objects.filter(
            pk=self.pk, status=RunStatus.RUNNING, resumes=self.resumes
        ).update(status=RunStatus.CREATED, resumes=F("resumes") + 1, log=note)
        if not claimed:
            return False
        self.refresh_from_db(fields=["status", "resumes", "log"])
        logger.warning("Run %s is put back in line (resume %d): %s", self.uuid, self.resumes, note)
        # 2. Drop the dead attempt's job (its registries too), then 3. the one enqueue.
        try:
            Job.fetch(self.job_id, connection=job_connection(QUEUE_NAME)).delete()
        except NoSuchJobError:
            pass
        except RedisError:
            pass  # the enqueue below meets the same Redis and fails the run plainly
        self._enqueue()
        return True

    def mark_running(self) -> bool:
        now = timezone.now()
        # A resumed run keeps the time it first started.
        running = super().mark_running(started=Coalesce("started", Value(now)), heartbeat=now)
        self.refresh_from_db(fields=["cancel_requested"])
        return running

    def mark_progress(self, progress) -> None:
        """Keep the latest Progress; write it at most every PROGRESS_EVERY seconds."""
        data = progress.to_dict() if hasattr(progress, "to_dict") else dict(progress)
        phase_changed = data.get("phase") != self.progress.get("phase")
        self.progress = data
        if data.get("loss") is not None:
            val = data.get("val_metric")
            self.history.append(
                {"step": data.get("step", 0), "loss": round(float(data["loss"]), 5),
                 "val": None if val is None else round(float(val), 5)}
            )  # fmt: skip
            if len(self.history) > HISTORY_POINTS:
                self.history = self.history[::2]
        clock = time.monotonic()
        if not phase_changed and clock - getattr(self, "_written_at", 0.0) < PROGRESS_EVERY:
            return
        self._written_at = clock
        self.heartbeat = timezone.now()
        self.save(update_fields=["progress", "history", "heartbeat"])

    def warn(self, sentence: str) -> None:
        """Show `sentence` on the run page while it runs ("" takes it away); written only
        when it changes (at most once an epoch), not with every progress report."""
        if sentence != self.warning:
            self.warning = sentence
            self.save(update_fields=["warning"])

    def mark_finished(self, metrics: dict) -> bool:
        progress = self.progress | {"phase": "done", "fraction": 1.0, "seconds_left": 0}
        return self._finish(RunStatus.FINISHED, metrics=metrics, progress=progress,
                            history=self.history)  # fmt: skip

    def mark_canceled(self) -> bool:
        return self._finish(RunStatus.CANCELED, message="Training was canceled.")
