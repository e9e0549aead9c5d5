"""Retry: a failed or canceled run starts again as a new run with the same settings."""

from django.urls import reverse
from rq.job import Job

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, mapped_spreadsheet
from webapp.runs.models import TrainingRun

CONFIG = {"base_model": "all-MiniLM-L6-v2", "epochs": 3, "max_length": 64}


class RetryTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.sheet = mapped_spreadsheet(self)
        self.run = TrainingRun.objects.create(
            team=self.alice_team, spreadsheet=self.sheet, name="Reviews", status="failed",
            mapping={"text": "review", "label": "sentiment"}, config=CONFIG, message="Oops.",
        )  # fmt: skip
        self.url = reverse("runs:retry", args=[self.run.uuid])

    def post(self, client=None):
        with self.captureOnCommitCallbacks(execute=True):
            return (client or self.client).post(self.url)

    def test_it_starts_a_new_run_with_the_same_settings(self):
        self.client.force_login(self.alice)
        response = self.post()
        new = TrainingRun.objects.exclude(pk=self.run.pk).get()
        self.assertRedirects(response, reverse("runs:detail", args=[new.uuid]))
        self.assertEqual(new.status, TrainingRun.Status.QUEUED)
        self.assertEqual(
            (new.config, new.mapping, new.sheet, new.spreadsheet),
            (CONFIG, self.run.mapping, self.run.sheet, self.sheet),
        )
        self.assertEqual(new.created_by, self.alice)
        self.assertTrue(Job.exists(new.job_id, connection=self.redis))

    def test_it_retries_canceled_runs_too(self):
        TrainingRun.objects.filter(pk=self.run.pk).update(status="canceled")
        self.client.force_login(self.alice)
        self.post()
        self.assertEqual(TrainingRun.objects.count(), 2)

    def test_it_refuses_runs_that_did_not_fail(self):
        for status in ("queued", "running", "finished"):
            TrainingRun.objects.filter(pk=self.run.pk).update(status=status)
            self.client.force_login(self.alice)
            response = self.post()
            self.assertRedirects(response, reverse("runs:detail", args=[self.run.uuid]))
        self.assertEqual(TrainingRun.objects.count(), 1)

    def test_it_explains_a_deleted_spreadsheet(self):
        self.sheet.delete()
        self.client.force_login(self.alice)
        response = self.client.post(self.url, follow=True)
        self.assertContains(response, "The spreadsheet of this run was deleted.")
        self.assertEqual(TrainingRun.objects.count(), 1)

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.post().status_code, 404)
        self.assertEqual(TrainingRun.objects.count(), 1)

    def test_it_enforces_csrf(self):
        self.assertEqual(self.post(self.csrf_client(self.alice)).status_code, 403)
        self.assertEqual(TrainingRun.objects.count(), 1)

    def test_it_numbers_the_new_run(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url, follow=True)
        second = TrainingRun.objects.latest("created")
        self.assertEqual(second.name, "Reviews (2)")
        self.assertContains(response, "Started &quot;Reviews (2)&quot;")
        TrainingRun.objects.filter(pk=second.pk).update(status="failed")
        self.client.post(self.url)  # the first run again: (2) is taken
        self.assertEqual(TrainingRun.objects.latest("created").name, "Reviews (3)")
        self.client.post(reverse("runs:retry", args=[second.uuid]))
        self.assertEqual(TrainingRun.objects.latest("created").name, "Reviews (4)")
