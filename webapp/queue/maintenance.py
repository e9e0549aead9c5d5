"""Worker maintenance: notice jobs whose worker died and recover their rows (a training run
with a checkpoint is put back in line to continue, anything else is marked failed); enqueue
rows that were saved but never enqueued; tell whether any worker listens on a queue.

    repair_runs()            # every row not final: runs, batch predictions, picks...
    repair_runs([run])       # just these rows (the run page does this when a run goes quiet)
    has_worker("training")   # False when no worker listens on the queue; None: Redis can't tell

Called when a worker starts and during its periodic maintenance (webapp.queue.worker), by
`manage.py repair_runs`, and by the run page. A row is repaired when Redis shows that nothing
is working on it any more:
1. its job is gone from Redis (the queue was flushed or restarted), or
2. its job ended (failed, stopped, canceled) without the row saying so, or
3. its job is started but the worker holding it is gone: its key expired, or it lived on this
   machine and its process no longer exists.
A row still "created" a minute after it was saved, with no job in Redis, was never enqueued
(the web process died between saving it and enqueueing it). Nothing ran, so it is enqueued
again rather than failed; if Redis refuses, the enqueue marks it failed with a plain sentence.
"""

import logging
import os
import socket
import traceback
from collections.abc import Iterable
from datetime import timedelta

import django_rq
from django.apps import apps
from django.utils import timezone
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.worker import Worker

from webapp.queue.lifecycle import NOT_FINAL, QueuedJob, RunStatus

logger = logging.getLogger(__name__)

LOST = "This run was lost from the training queue (the queue was restarted). Start it again with Retry."
STILL_WAITING = (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED, JobStatus.CREATED)
NEVER_ENQUEUED_AFTER = timedelta(minutes=1)  # a "created" row this old without a job was forgotten


def tracked_models() -> list:
    """The installed models whose rows follow one RQ job each: the QueuedJob subclasses
    (uuid = job id, `queue_name`, `recover`), in the order of INSTALLED_APPS."""
    return [model for model in apps.get_models() if issubclass(model, QueuedJob)]


def find_row(job_id: str):
    """The row an RQ job works on (its uuid is the job id) among the tracked models; None."""
    for model in tracked_models():
        row = model.objects.filter(uuid=job_id).first()
        if row is not None:
            return row
    return None


def on_job_failure(job, connection, exc_type, exc_value, tb) -> None:
    """RQ's failure callback of every QueuedJob that does not name its own: a timeout or a
    dead work horse still ends the row, failed in its worker_died_message."""
    row = find_row(job.id)
    if row is None or row.is_final:
        return
    details = "".join(traceback.format_exception(exc_type, exc_value, tb)) if exc_type else ""
    row.mark_failed(row.worker_died_message, log=details or "The job was lost.")


def open_rows() -> list:
    return [row for model in tracked_models() for row in model.objects.filter(status__in=NOT_FINAL)]


def repair_runs(rows: Iterable | None = None) -> int:
    """Enqueue forgotten rows again, and recover rows whose job no longer runs anywhere
    (row.recover: back in line from a checkpoint, or failed); returns how many were repaired."""
    rows = open_rows() if rows is None else list(rows)
    repaired = 0
    for row in rows:
        try:
            if never_enqueued(row):
                row._enqueue()  # the one enqueue; it marks the row failed if Redis refuses
                logger.warning(
                    "Enqueued %s %s again: it was never enqueued.", type(row).__name__, row.uuid
                )
                repaired += 1
                continue
            problem = job_problem(row)
        except RedisError:
            logger.warning("Redis is not reachable; runs are not checked now.")
            return repaired
        if problem and row.recover(problem[0], log=problem[1]):
            logger.warning("Repaired %s %s (now %s): %s", type(row).__name__, row.uuid,
                           row.status, problem[1])  # fmt: skip
            repaired += 1
    return repaired


def never_enqueued(row) -> bool:
    """True for a row saved a while ago as "created" whose job never reached Redis."""
    if row.status != RunStatus.CREATED or timezone.now() - row.created < NEVER_ENQUEUED_AFTER:
        return False
    connection = django_rq.get_connection(row.queue_name)
    return not connection.exists(Job.key_for(row.job_id))


def has_worker(queue_name: str) -> bool | None:
    """Whether a live worker listens on the queue (a killed one drops out when its key
    expires); None when Redis is not reachable."""
    try:
        return bool(Worker.all(queue=django_rq.get_queue(queue_name)))
    except RedisError:
        return None


def job_problem(row) -> tuple[str, str] | None:
    """(message for users, note for staff) when nothing is working on `row`; else None."""
    connection = django_rq.get_connection(row.queue_name)
    died = row.worker_died_message
    try:
        job = Job.fetch(row.job_id, connection=connection)
    except NoSuchJobError:
        if row.status == RunStatus.CREATED:
            return None  # enqueued once its transaction commits; never_enqueued() covers the rest
        if row.status == RunStatus.QUEUED:
            return LOST, "The job is no longer in Redis."
        return died, "The job is no longer in Redis."
    status = job.get_status(refresh=False)
    if status in STILL_WAITING:
        return None
    if status != JobStatus.STARTED:
        return died, f"The job ended as {status} but the row was still {row.status}."
    if row.status == RunStatus.QUEUED:
        return None  # the worker just took it; the row turns to running in a moment
    if not job.worker_name:
        return None
    key = Worker.redis_worker_namespace_prefix + job.worker_name
    worker = Worker.find_by_key(key, connection=connection)
    if worker is None:
        return died, f"Worker {job.worker_name} is gone (no heartbeat)."
    if worker.hostname == socket.gethostname() and worker.pid and not pid_alive(worker.pid):
        return died, f"Worker {job.worker_name} (process {worker.pid}) no longer exists."
    return None


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
