"""A waiting run says plainly when no worker is running, instead of "position 1" forever."""

from django.urls import reverse
from rq.worker import Worker

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin
from webapp.runs.models import TrainingRun

NO_WORKER = "No worker is running to train models right now, so this run waits."


class NoWorkerTestCase(RedisMixin, BaseTestCase):
    def queued_run(self, team) -> TrainingRun:
        run = TrainingRun.objects.create(team=team, name="Reviews")
        with self.captureOnCommitCallbacks(execute=True):
            run.start()
        run.refresh_from_db()
        self.assertEqual(run.status, "queued")
        return run

    def status_page(self, run, user) -> str:
        self.client.force_login(user)
        response = self.client.get(reverse("runs:status", args=[run.uuid]))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_it_says_no_worker_is_running(self):
        run = self.queued_run(self.alice_team)
        html = self.status_page(run, self.alice)
        self.assertIn(NO_WORKER, html)
        self.assertNotIn("position 1", html)
        self.assertNotIn("/admin/rq/", html)  # the dashboard link is for staff
        self.assertIn("hx-trigger", html)  # keeps polling: it starts once a worker is up

    def test_it_points_staff_to_the_queue_dashboard(self):
        run = self.queued_run(self.charlie_team)
        html = self.status_page(run, self.charlie)
        self.assertIn(NO_WORKER, html)
        self.assertIn('href="/admin/rq/"', html)

    def test_it_shows_the_position_when_a_worker_listens(self):
        Worker(["training"], connection=self.redis, name="alive").register_birth()
        run = self.queued_run(self.alice_team)
        html = self.status_page(run, self.alice)
        self.assertIn("Waiting in line: position 1.", html)
        self.assertNotIn(NO_WORKER, html)

    def test_a_worker_on_another_queue_does_not_count(self):
        Worker(["predictions"], connection=self.redis, name="batch-only").register_birth()
        run = self.queued_run(self.alice_team)
        self.assertIn(NO_WORKER, self.status_page(run, self.alice))
