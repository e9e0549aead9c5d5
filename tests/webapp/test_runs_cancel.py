"""Cancel: a queued run leaves the queue at once; a running run is asked to stop."""

from django.urls import reverse
from django.utils import timezone
from rq.job import Job, JobStatus

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin
from webapp.runs.models import TrainingRun


class CancelTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.run = TrainingRun.objects.create(
            team=self.alice_team, name="Reviews", mapping={"text": "t", "label": "l"}
        )
        with self.captureOnCommitCallbacks(execute=True):
            self.run.start()
        self.url = reverse("runs:cancel", args=[self.run.uuid])

    def test_it_cancels_a_queued_run_and_removes_its_job(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url)
        self.assertRedirects(response, reverse("runs:detail", args=[self.run.uuid]))
        self.run.refresh_from_db()
        self.assertEqual(self.run.status, TrainingRun.Status.CANCELED)
        self.assertIsNotNone(self.run.finished)
        job = Job.fetch(self.run.job_id, connection=self.redis)
        self.assertEqual(job.get_status(), JobStatus.CANCELED)
        self.assertEqual(self.redis.llen("rq:queue:training"), 0)

    def test_it_asks_a_running_run_to_stop(self):
        TrainingRun.objects.filter(pk=self.run.pk).update(status="running")
        self.client.force_login(self.alice)
        self.client.post(self.url)
        self.run.refresh_from_db()
        self.assertEqual(self.run.status, TrainingRun.Status.RUNNING)
        self.assertTrue(self.run.cancel_requested)
        status = self.client.get(reverse("runs:status", args=[self.run.uuid]))
        self.assertContains(status, "Stopping after the current step")

    def test_it_leaves_a_failed_run_alone(self):
        # A finished run says the cancel came too late: test_runs_cancel_too_late.py.
        TrainingRun.objects.filter(pk=self.run.pk).update(status="failed")
        self.client.force_login(self.alice)
        response = self.client.post(self.url, follow=True)
        self.assertContains(response, "nothing to cancel")
        self.run.refresh_from_db()
        self.assertEqual(self.run.status, "failed")

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url).status_code, 404)
        self.run.refresh_from_db()
        self.assertEqual(self.run.status, TrainingRun.Status.QUEUED)

    def test_it_enforces_csrf_and_post(self):
        self.assertEqual(self.csrf_client(self.alice).post(self.url).status_code, 403)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 405)


class StoppingBannerTestCase(RedisMixin, BaseTestCase):
    def test_it_says_stopping_only_in_the_live_card_which_then_says_canceled(self):
        run = TrainingRun.objects.create(
            team=self.alice_team, name="Reviews", mapping={"text": "t", "label": "l"},
            status="running", heartbeat=timezone.now(),
        )  # fmt: skip
        self.client.force_login(self.alice)
        page = self.client.post(reverse("runs:cancel", args=[run.uuid]), follow=True)
        html = page.content.decode()
        card = html[html.index('id="run-status"') :]
        self.assertEqual(html.count("Stopping"), 1)
        self.assertIn("Stopping after the current step", card)

        run.refresh_from_db()
        run.mark_canceled()
        status = self.client.get(reverse("runs:status", args=[run.uuid]))
        self.assertContains(status, "This run was canceled.")
        self.assertNotContains(status, "Stopping")
