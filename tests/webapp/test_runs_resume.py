"""Resume, fast, against a real Redis: a run whose worker died is put back in line when training
left a checkpoint, at most MAX_RESUMES times, never when it was being canceled; an attempt it
left behind cannot end it; the run page says it resumed.

The checkpoint here is only a file in the right place (the repair looks no further; finetune
decides whether it is usable). test_worker_resume.py kills real workers mid-training.
"""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from rq.exceptions import AbandonedJobError
from rq.job import Job, JobStatus

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin
from webapp.queue.maintenance import repair_runs
from webapp.runs import jobs
from webapp.runs.models import MAX_RESUMES, WORKER_DIED, TrainingRun
from webapp.runs.words import RESTARTED, RESUMED, RESUMING


class ResumeTestCase(RedisMixin, BaseTestCase):
    def dead_run(self, checkpoint: bool = True, **fields) -> TrainingRun:
        """A running run whose job was started by a worker that is gone."""
        run = TrainingRun.objects.create(team=self.alice_team, name="Reviews", **fields)
        with self.captureOnCommitCallbacks(execute=True):
            run.start()
        job = Job.fetch(run.job_id, connection=self.redis)
        job.worker_name = "ghost-worker"
        job.set_status(JobStatus.STARTED)
        job.save()
        self.redis.lrem("rq:queue:training", 0, run.job_id)
        TrainingRun.objects.filter(pk=run.pk).update(status="running")
        run.refresh_from_db()
        if checkpoint:
            run.checkpoint_file.parent.mkdir(parents=True)
            run.checkpoint_file.write_bytes(b"a complete checkpoint")
        return run

    def test_it_puts_a_run_with_a_checkpoint_back_in_line(self):
        run = self.dead_run()
        self.assertEqual(repair_runs(), 1)
        run.refresh_from_db()
        self.assertEqual((run.status, run.resumes, run.message), ("queued", 1, ""))
        self.assertIn("ghost-worker is gone", run.log)  # for staff: why it was put back
        job = Job.fetch(run.job_id, connection=self.redis)
        self.assertEqual(job.get_status(), JobStatus.QUEUED)
        self.assertEqual(job.args, (run.pk,))
        self.assertIsNone(job.worker_name)  # a fresh job, not the dead attempt's
        self.assertEqual(repair_runs(), 0)  # in line once

    def test_it_fails_a_run_without_a_checkpoint_as_before(self):
        run = self.dead_run(checkpoint=False)
        repair_runs()
        run.refresh_from_db()
        self.assertEqual((run.status, run.message, run.resumes), ("failed", WORKER_DIED, 0))

    def test_it_fails_a_run_resumed_too_often(self):
        run = self.dead_run(resumes=MAX_RESUMES)
        repair_runs()
        run.refresh_from_db()
        self.assertEqual((run.status, run.message), ("failed", WORKER_DIED))

    def test_it_does_not_resume_a_run_being_canceled(self):
        run = self.dead_run(cancel_requested=True)
        repair_runs()
        run.refresh_from_db()
        self.assertEqual(run.status, "failed")

    def test_the_failure_callback_leaves_the_resume_to_the_repair(self):
        # RQ marks the job failed after its callback, so the callback must not enqueue it.
        run = self.dead_run()
        job = Job.fetch(run.job_id, connection=self.redis)
        jobs.on_train_failure(job, self.redis, AbandonedJobError, AbandonedJobError(), None)
        run.refresh_from_db()
        self.assertEqual((run.status, run.resumes), ("running", 0))
        job.set_status(JobStatus.FAILED)  # what RQ does next
        repair_runs()
        run.refresh_from_db()
        self.assertEqual((run.status, run.resumes), ("queued", 1))

    def test_an_attempt_left_behind_cannot_end_the_resumed_run(self):
        run = self.dead_run()
        orphan = TrainingRun.objects.get(pk=run.pk)  # the horse a dead worker left running
        check = jobs.CancelCheck(run.pk, attempt=orphan.resumes)
        repair_runs()
        self.assertTrue(check())
        self.assertTrue(check.superseded)
        self.assertFalse(orphan.mark_finished({"test_rows": 1}))
        self.assertFalse(orphan.mark_failed("Something else."))
        run.refresh_from_db()
        self.assertEqual((run.status, run.metrics), ("queued", {}))
        fresh = jobs.CancelCheck(run.pk, attempt=run.resumes)
        self.assertFalse(fresh())
        self.assertFalse(fresh.superseded)

    def test_a_resumed_run_keeps_its_first_start_time(self):
        run = self.dead_run()
        first_start = timezone.now() - timedelta(hours=1)
        TrainingRun.objects.filter(pk=run.pk).update(started=first_start)
        repair_runs()
        run.refresh_from_db()
        self.assertTrue(run.mark_running())
        self.assertEqual(run.started, first_start)


class ResumedWordsTestCase(BaseTestCase):
    def page(self, **fields) -> str:
        run = TrainingRun.objects.create(team=self.alice_team, name="Reviews", **fields)
        self.client.force_login(self.alice)
        return self.client.get(reverse("runs:status", args=[run.uuid])).content.decode()

    def test_it_says_after_which_epoch_a_run_resumed(self):
        progress = {"phase": "training", "epoch": 2.5, "epochs": 5, "resumed_epoch": 2}
        page = self.page(status="running", resumes=1, progress=progress)
        self.assertIn(RESUMED.format(epoch=2, epochs=5), page)
        self.assertIn("Resumed after epoch 2 of 5 when its worker was restarted.", page)

    def test_it_keeps_saying_so_once_finished(self):
        progress = {"phase": "done", "epochs": 5, "resumed_epoch": 3}
        page = self.page(status="finished", resumes=1, progress=progress,
                         metrics={"resumed_after_epoch": 3})  # fmt: skip
        self.assertIn(RESUMED.format(epoch=3, epochs=5), page)

    def test_it_says_it_will_continue_while_waiting_again(self):
        self.assertIn(RESUMING, self.page(status="queued", resumes=1))

    def test_it_says_when_the_checkpoint_could_not_be_used(self):
        progress = {"phase": "training", "epoch": 0.5, "epochs": 5, "resumed_epoch": 0}
        self.assertIn(RESTARTED, self.page(status="running", resumes=1, progress=progress))

    def test_a_run_never_resumed_says_nothing_of_it(self):
        progress = {"phase": "training", "epoch": 0.5, "epochs": 5, "resumed_epoch": 0}
        page = self.page(status="running", progress=progress)
        for sentence in (RESUMING, RESTARTED, "Resumed after"):
            self.assertNotIn(sentence, page)
