"""Worker maintenance: notice jobs whose worker died and mark their rows failed.

    repair_runs()            # every queued or running row: training runs and batch predictions
    repair_runs([run])       # just these rows (the run page does this when a run goes quiet)

Called when a worker starts and during its periodic maintenance (webapp.runs.worker), by
`manage.py repair_runs`, and by the run page. A row is repaired when Redis shows that nothing
is working on it any more:
1. its job is gone from Redis (the queue was flushed or restarted), or
2. its job ended (failed, stopped, canceled) without the row saying so, or
3. its job is started but the worker holding it is gone: its key expired, or it lived on this
   machine and its process no longer exists.
"""

import logging
import os
import socket
from collections.abc import Iterable

import django_rq
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.worker import Worker

logger = logging.getLogger(__name__)

LOST = "This run was lost from the training queue (the queue was restarted). Start it again with Retry."
STILL_WAITING = (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED, JobStatus.CREATED)


def tracked_models() -> list:
    """Models whose rows follow one RQ job each (uuid = job id, `queue_name`, `mark_failed`)."""
    from webapp.catalog.models import BatchPrediction
    from webapp.runs.models import TrainingRun

    return [TrainingRun, BatchPrediction]


def open_rows() -> list:
    return [
        row
        for model in tracked_models()
        for row in model.objects.filter(status__in=("queued", "running"))
    ]


def repair_runs(rows: Iterable | None = None) -> int:
    """Mark rows failed whose job no longer runs anywhere; returns how many were repaired."""
    rows = open_rows() if rows is None else list(rows)
    repaired = 0
    for row in rows:
        try:
            problem = job_problem(row)
        except RedisError:
            logger.warning("Redis is not reachable; runs are not checked now.")
            return repaired
        if problem and row.mark_failed(problem[0], log=problem[1]):
            logger.warning("Marked %s %s failed: %s", type(row).__name__, row.uuid, problem[1])
            repaired += 1
    return repaired


def job_problem(row) -> tuple[str, str] | None:
    """(message for users, note for staff) when nothing is working on `row`; else None."""
    connection = django_rq.get_connection(row.queue_name)
    died = row.worker_died_message
    try:
        job = Job.fetch(row.job_id, connection=connection)
    except NoSuchJobError:
        if row.status == "queued":
            return LOST, "The job is no longer in Redis."
        return died, "The job is no longer in Redis."
    status = job.get_status(refresh=False)
    if status in STILL_WAITING:
        return None
    if status != JobStatus.STARTED:
        return died, f"The job ended as {status} but the row was still {row.status}."
    if row.status == "queued":
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
