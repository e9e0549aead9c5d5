"""The lifecycle shared by rows that each follow one RQ job: training runs, batch predictions,
label checks, row picks.

    class TrainingRun(QueuedJob):
        queue_name = "training"
        job_function = "webapp.runs.jobs.train_run"        # by dotted path: models never
        failure_callback = "webapp.runs.jobs.on_train_failure"  # import the job modules
    row.start()          # enqueued once the transaction commits (the only place that enqueues)
    row.mark_running()   # the worker took it; False when it was canceled meanwhile
    row.mark_failed(message, log=traceback)
    result = row.run_work(work, UNEXPECTED)   # in the job: None when it failed

Statuses move CREATED -> QUEUED -> RUNNING -> FINISHED | FAILED | CANCELED; a final status
is never left (every move is a conditional UPDATE on the status the row had).
"""

import logging
import traceback
import uuid

import django_rq
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from redis.exceptions import RedisError
from rq.callbacks import Callback

from finetune import FinetuneError

logger = logging.getLogger(__name__)


class RunStatus(models.TextChoices):
    CREATED = "created", "Created"
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


FINAL = (RunStatus.FINISHED, RunStatus.FAILED, RunStatus.CANCELED)
NOT_FINAL = (RunStatus.CREATED, RunStatus.QUEUED, RunStatus.RUNNING)


def job_connection(queue_name: str):
    return django_rq.get_connection(queue_name)


class QueuedJob(models.Model):
    """The lifecycle shared by rows that each follow one RQ job (runs, batch predictions...).

    It holds the fields every such row has (uuid = the job id, who asked, status, message,
    log, created, finished); a subclass adds its own and names its queue, the job function
    (a dotted path: the worker imports it; the failure callback too, when the default one,
    which marks the row failed, is not enough), and the sentences users see when things go
    wrong.
    """

    Status = RunStatus
    queue_name = ""
    job_function = ""  # "webapp.<app>.jobs.<function>", called with the row's pk
    # RQ's on_failure: ends the row when the job could not (a timeout, a dead work horse)
    failure_callback = "webapp.queue.maintenance.on_job_failure"
    queue_down_message = ""  # the queue could not be reached when starting
    worker_died_message = ""  # the worker died while the job ran (maintenance.repair_runs)

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.CREATED)
    message = models.TextField(blank=True)  # a plain sentence for users
    log = models.TextField(blank=True)  # traceback, for staff only
    created = models.DateTimeField(auto_now_add=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def job_id(self) -> str:
        return str(self.uuid)

    @property
    def job_timeout(self) -> int:
        return settings.RQ_QUEUES[self.queue_name]["DEFAULT_TIMEOUT"]

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    def start(self) -> None:
        """Enqueue once the current transaction commits (the only place that enqueues)."""
        transaction.on_commit(self._enqueue)

    def _enqueue(self) -> None:
        try:
            django_rq.get_queue(self.queue_name, commit_mode="auto").enqueue(
                self.job_function,
                self.pk,
                job_id=self.job_id,
                job_timeout=self.job_timeout,
                on_failure=Callback(self.failure_callback),
                result_ttl=24 * 3600,
                failure_ttl=7 * 24 * 3600,
            )
        except RedisError:
            logger.exception("Could not enqueue %s %s", type(self).__name__, self.uuid)
            self.mark_failed(self.queue_down_message, log=traceback.format_exc())
            return
        # QUEUED only now, and only if the worker has not already picked the job up.
        if (
            type(self)
            .objects.filter(pk=self.pk, status=RunStatus.CREATED)
            .update(status=RunStatus.QUEUED)
        ):
            self.status = RunStatus.QUEUED

    def mark_running(self, **fields) -> bool:
        """False when the row was canceled (or already ran) before the worker got to it."""
        updated = (
            type(self)
            .objects.filter(pk=self.pk, status__in=(RunStatus.CREATED, RunStatus.QUEUED))
            .update(status=RunStatus.RUNNING, **fields)
        )
        self.refresh_from_db(fields=["status", *fields])
        return bool(updated)

    def mark_failed(self, message: str, log: str = "") -> bool:
        return self._finish(RunStatus.FAILED, message=message, log=log)

    def run_work(self, work, unexpected: str):
        """Do the job's `work()` for this row and return what it returns (never None), or
        None when it stopped on a FinetuneError: the row is failed in the error's own words.
        Any other error fails the row in the `unexpected` sentence and is raised again, so
        RQ records the job as failed too. The tracebacks go to the row's log."""
        try:
            return work()
        except FinetuneError as err:
            self.mark_failed(str(err), log=traceback.format_exc())
            return None
        except Exception:
            logger.exception("%s %s stopped on an unexpected error", type(self).__name__, self.uuid)
            self.mark_failed(unexpected, log=traceback.format_exc())
            raise

    def recover(self, message: str, log: str = "") -> bool:
        """Nothing works on this row any more (its worker died, its job was lost): mark it
        failed with `message`. A subclass may put it back in line instead."""
        return self.mark_failed(message, log=log)

    def same_attempt(self) -> dict:
        """Filter that matches the row only while it is still on this attempt (see _finish)."""
        return {}

    def _finish(self, status: str, from_status=NOT_FINAL, **fields) -> bool:
        """Move to a final status unless the row already is final, or was put back in line
        since this copy was loaded; True when it moved."""
        fields |= {"status": status, "finished": timezone.now()}
        rows = type(self).objects.filter(pk=self.pk, status__in=from_status, **self.same_attempt())
        updated = rows.update(**fields)
        if updated:
            for name, value in fields.items():
                setattr(self, name, value)
        return bool(updated)
