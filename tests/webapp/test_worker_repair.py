"""Dead-worker repair against a real Redis: stuck rows are marked failed, live ones are left alone.

The slow module test_worker_training.py also kills a real worker mid-training; these tests
build the Redis side of each situation directly (a job started by a worker that is gone, by
a process that no longer exists, by a live worker) so they run in a second.
"""

import io
import os
import subprocess
import sys
from datetime import timedelta

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from rq.exceptions import AbandonedJobError
from rq.job import Job, JobStatus
from rq.timeouts import JobTimeoutException
from rq.worker import Worker

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, finished_model
from webapp.catalog.models import BatchPrediction
from webapp.queue.maintenance import LOST, on_job_failure, repair_runs
from webapp.runs import jobs
from webapp.runs.models import QUEUE_DOWN, WORKER_DIED, TrainingRun


class RepairTestCase(RedisMixin, BaseTestCase):
    def make_run(self, status="running", **fields) -> TrainingRun:
        run = TrainingRun.objects.create(team=self.alice_team, name="Reviews", **fields)
        with self.captureOnCommitCallbacks(execute=True):
            run.start()  # a real job in Redis, id = run uuid
        TrainingRun.objects.filter(pk=run.pk).update(status=status)
        run.refresh_from_db()
        return run

    def start_job(self, run, worker_name: str) -> Job:
        """What a worker does when it takes the job: status started, its name on the job."""
        job = Job.fetch(run.job_id, connection=self.redis)
        job.worker_name = worker_name
        job.set_status(JobStatus.STARTED)
        job.save()
        self.redis.lrem("rq:queue:training", 0, run.job_id)
        return job

    def register_worker(self, name: str, pid: int | None = None) -> Worker:
        worker = Worker(["training"], connection=self.redis, name=name)
        worker.register_birth()
        if pid is not None:
            self.redis.hset(worker.key, "pid", pid)
        return worker

    def status(self, run) -> tuple[str, str]:
        run.refresh_from_db()
        return run.status, run.message

    def test_it_fails_a_running_run_whose_job_is_gone(self):
        run = self.make_run()
        self.redis.flushall()
        self.assertEqual(repair_runs(), 1)
        self.assertEqual(self.status(run), ("failed", WORKER_DIED))
        self.assertIn("no longer in Redis", run.log)

    def test_it_fails_a_queued_run_lost_by_the_queue(self):
        run = self.make_run(status="queued")
        self.redis.flushall()
        repair_runs()
        self.assertEqual(self.status(run), ("failed", LOST))

    def test_it_fails_a_run_whose_worker_is_gone(self):
        run = self.make_run()
        self.start_job(run, "ghost-worker")
        repair_runs()
        self.assertEqual(self.status(run), ("failed", WORKER_DIED))

    def test_it_fails_a_run_whose_worker_process_died_on_this_machine(self):
        run = self.make_run()
        gone = subprocess.Popen([sys.executable, "-c", "pass"])
        gone.wait()
        self.register_worker("crashed-worker", pid=gone.pid)
        self.start_job(run, "crashed-worker")
        repair_runs()
        self.assertEqual(self.status(run), ("failed", WORKER_DIED))

    def test_it_fails_a_run_whose_job_ended_without_the_row_knowing(self):
        run = self.make_run()
        Job.fetch(run.job_id, connection=self.redis).set_status(JobStatus.FAILED)
        repair_runs()
        self.assertEqual(self.status(run)[0], "failed")

    def test_it_leaves_live_runs_alone(self):
        running = self.make_run()
        self.register_worker("alive-worker", pid=os.getpid())
        self.start_job(running, "alive-worker")
        queued = self.make_run(status="queued")
        self.assertEqual(repair_runs(), 0)
        self.assertEqual(self.status(running)[0], "running")
        self.assertEqual(self.status(queued)[0], "queued")

    def test_it_repairs_batch_predictions_too(self):
        model = finished_model(self.alice_team, self.alice)
        batch = BatchPrediction.objects.create(team=self.alice_team, model=model,
                                               original_name="new.csv", status="running")  # fmt: skip
        repair_runs()
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.message), ("failed", batch.worker_died_message))

    def test_it_leaves_rows_alone_when_redis_is_down(self):
        run = self.make_run()
        dead = {"URL": "redis://127.0.0.1:1/0"}
        with override_settings(RQ_QUEUES={"training": dead, "predictions": dead}):
            self.assertEqual(repair_runs(), 0)
        self.assertEqual(self.status(run)[0], "running")

    def forgotten_run(self, age: timedelta = timedelta(minutes=5)) -> TrainingRun:
        """A row saved as "created" whose web process died before it was enqueued."""
        run = TrainingRun.objects.create(team=self.alice_team, name="Reviews")
        TrainingRun.objects.filter(pk=run.pk).update(created=timezone.now() - age)
        return run

    def test_it_enqueues_a_run_that_was_never_enqueued(self):
        run = self.forgotten_run()
        self.assertEqual(repair_runs(), 1)
        self.assertEqual(self.status(run), ("queued", ""))
        job = Job.fetch(run.job_id, connection=self.redis)
        self.assertEqual(job.get_status(), JobStatus.QUEUED)
        self.assertEqual(job.timeout, run.job_timeout)
        self.assertEqual(job.args, (run.pk,))
        self.assertEqual(repair_runs(), 0)  # enqueued once, not again

    def test_it_leaves_a_run_that_is_being_started_alone(self):
        run = self.forgotten_run(age=timedelta(seconds=2))
        self.assertEqual(repair_runs(), 0)
        self.assertEqual(self.status(run)[0], "created")
        self.assertFalse(Job.exists(run.job_id, connection=self.redis))

    def test_it_fails_a_forgotten_run_in_plain_words_when_the_queue_refuses(self):
        run = self.forgotten_run()
        # A full Redis: it still answers reads, but refuses every write.
        self.redis.config_set("maxmemory-policy", "noeviction")
        self.redis.config_set("maxmemory", 1)
        try:
            repair_runs()
        finally:
            self.redis.config_set("maxmemory", 0)
        self.assertEqual(self.status(run), ("failed", QUEUE_DOWN))

    def test_it_has_a_management_command(self):
        self.make_run()
        self.redis.flushall()
        out = io.StringIO()
        call_command("repair_runs", stdout=out)
        self.assertEqual(out.getvalue().strip(), "Repaired 1 run.")

    def test_the_failure_callback_explains_timeouts_and_lost_jobs(self):
        timed_out, abandoned = self.make_run(), self.make_run()
        for run, exc in ((timed_out, JobTimeoutException), (abandoned, AbandonedJobError)):
            job = Job.fetch(run.job_id, connection=self.redis)
            jobs.on_train_failure(job, self.redis, exc, exc("details"), None)
        self.assertIn("longer than this server allows", self.status(timed_out)[1])
        self.assertEqual(self.status(abandoned), ("failed", WORKER_DIED))

    def test_a_batch_whose_job_timed_out_is_failed_by_the_default_callback(self):
        model = finished_model(self.alice_team, self.alice)
        batch = BatchPrediction.objects.create(team=self.alice_team, model=model,
                                               original_name="new.csv")  # fmt: skip
        with self.captureOnCommitCallbacks(execute=True):
            batch.start()  # a real job in Redis, with the callback the row names
        job = Job.fetch(batch.job_id, connection=self.redis)
        self.assertEqual(job.failure_callback, on_job_failure)
        BatchPrediction.objects.filter(pk=batch.pk).update(status="running")
        job.failure_callback(job, self.redis, JobTimeoutException, JobTimeoutException("t"), None)
        batch.refresh_from_db()
        self.assertEqual((batch.status, batch.message), ("failed", batch.worker_died_message))
        self.assertIn("JobTimeoutException", batch.log)
