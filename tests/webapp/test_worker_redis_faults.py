"""Redis faults at Train time, on real processes: the Redis server paused (SIGSTOP: it accepts
connections but answers nothing) when Train is pressed, and restarted empty while a run waits.

Same setup as test_worker_training.py: a real redis-server (the `redis_proc` fixture, which
can pause and restart it), `manage.py rqworker` subprocesses, one shared database and data
folder. Each fault ends the run in exactly one final state with its plain sentence, and an
earlier finished run and its model are left as they were. (Redis down at Train time:
test_runs_new.py; Redis emptied under a running or queued run: test_worker_repair.py.)
"""

import threading

import pytest
from django.conf import settings
from django.urls import reverse
from rq import Queue, Worker
from rq.job import Job, JobStatus
from rq.worker import WorkerStatus

from tests.webapp import test_worker_training as training
from tests.webapp.runs_support import finished_model
from tests.webapp.test_worker_training import (
    FORM,
    logged_in_client,
    rq_worker,
    start_run,
    upload_and_map,
    wait_for,
)
from webapp.queue.maintenance import LOST
from webapp.runs.models import QUEUE_DOWN, TrainingRun

pytestmark = pytest.mark.slow
# The real-process fixtures of test_worker_training.py, for this module too.
redis_proc, shared, worker = training.redis_proc, training.shared, training.worker


def earlier_model():
    """A finished run and model of alice's, made before the fault."""
    from django.contrib.auth.models import User

    user = User.objects.get(username="alice")
    model = finished_model(user.teams.first(), user)
    return model, snapshot(model)


def snapshot(model) -> tuple:
    model.refresh_from_db()
    run = TrainingRun.objects.get(pk=model.run.pk)
    files = sorted(p.name for p in run.out_dir.iterdir())
    return (model.name, run.status, run.message, run.metrics, run.finished, files)


def assert_stays(run: TrainingRun, status: str, message: str, server, worker_process) -> None:
    """The run is in `status` with `message`, and still is once the worker has nothing left
    to do (no job waiting or running, the worker idle): nothing else can change it then."""
    run.refresh_from_db()
    assert (run.status, run.message) == (status, message), run.log
    finished = run.finished
    connection = redis_proc_client(server)

    def worker_idle():
        queues = [Queue(name, connection=connection) for name in ("training", "predictions")]
        busy = any(q.count or q.started_job_registry.count for q in queues)
        workers = Worker.all(connection=connection)
        return workers and not busy and all(w.get_state() == WorkerStatus.IDLE for w in workers)

    wait_for(worker_idle, 60, "the worker to have nothing left to do", worker_process)
    run.refresh_from_db()
    assert (run.status, run.message, run.finished) == (status, message, finished)
    assert not TrainingRun.objects.filter(pk=run.pk, model__isnull=False).exists()


def test_train_answers_in_plain_words_when_redis_is_paused(shared, worker, redis_proc):
    client = logged_in_client()
    model, before = earlier_model()
    sheet = upload_and_map(client)

    # Train answers while Redis is still paused: each Redis command gives up after
    # REDIS_TIMEOUT. A command without a timeout would wait for ever; the watchdog resumes
    # Redis after a deadline far above the few timeouts expected, only so that such a build
    # fails here instead of hanging the suite.
    resumed_by_watchdog = threading.Event()

    def watchdog():
        resumed_by_watchdog.set()
        redis_proc.resume()

    timer = threading.Timer(12 * settings.REDIS_TIMEOUT, watchdog)
    redis_proc.pause()
    timer.start()
    try:
        page = client.post(reverse("runs:new", args=[sheet.uuid]), FORM, follow=True)
    finally:
        timer.cancel()
        redis_proc.resume()

    assert not resumed_by_watchdog.is_set(), "Train waited for the paused Redis to answer."
    assert page.status_code == 200
    assert QUEUE_DOWN in page.content.decode()
    run = TrainingRun.objects.latest("pk")
    assert run.status == TrainingRun.Status.FAILED

    # The enqueue may still reach Redis once it runs again: the worker then takes the job,
    # sees the run has ended, and leaves it alone.
    def job_done():
        try:
            status = Job.fetch(run.job_id, connection=redis_proc_client(redis_proc)).get_status()
        except Exception:
            return True  # never reached Redis
        return status not in (JobStatus.QUEUED, JobStatus.STARTED)

    wait_for(job_done, 60, "the worker to skip the job", worker)
    assert_stays(run, TrainingRun.Status.FAILED, QUEUE_DOWN, redis_proc, worker)
    assert snapshot(model) == before
    assert TrainingRun.objects.count() == 2


def test_a_waiting_run_lost_by_a_redis_restart_ends_in_plain_words(shared, redis_proc, tmp_path):
    client = logged_in_client()
    model, before = earlier_model()
    run = start_run(client)  # no worker yet: it waits in line
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.QUEUED

    redis_proc.restart_empty()
    # A worker starting on the new, empty Redis repairs first: the job is gone.
    with rq_worker(shared, tmp_path / "worker.log") as worker_process:

        def final():
            run.refresh_from_db()
            return run.is_final

        wait_for(final, 60, "the repair to notice the lost run", worker_process)
        assert_stays(run, TrainingRun.Status.FAILED, LOST, redis_proc, worker_process)
    assert snapshot(model) == before
    page = client.get(reverse("runs:detail", args=[run.uuid])).content.decode()
    assert "Start it again with Retry" in page


def redis_proc_client(server):
    import redis

    return redis.Redis.from_url(server.url, socket_timeout=5)
