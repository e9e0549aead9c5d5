"""Cancel pressed too late: the worker finished and kept the model before it saw the cancel.

The run stays finished with its model; its page says the cancel came too late and offers to
delete the run. The race on a real worker is in test_worker_cancel_too_late.py.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model
from webapp.catalog.models import TrainedModel
from webapp.runs import jobs
from webapp.runs.models import RunStatus, TrainingRun
from webapp.runs.words import CANCELED_TOO_LATE

TOO_LATE = escape(CANCELED_TOO_LATE)


class CancelTooLateTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        model = finished_model(self.alice_team, self.alice)
        self.run, self.metrics = model.run, model.run.metrics
        self.client.force_login(self.alice)
        self.cancel_url = reverse("runs:cancel", args=[self.run.uuid])
        self.delete_url = reverse("runs:delete", args=[self.run.uuid])

    def test_it_keeps_the_model_when_the_worker_finishes_after_the_click(self):
        # 1. The run is saving its model; the worker holds its copy of the row.
        TrainedModel.objects.all().delete()
        running = {"status": RunStatus.RUNNING, "finished": None, "heartbeat": timezone.now()}
        TrainingRun.objects.filter(pk=self.run.pk).update(**running)
        worker_copy = TrainingRun.objects.get(pk=self.run.pk)
        # 2. Cancel is pressed; the worker is past its last cancel check.
        self.client.post(self.cancel_url)
        status = self.client.get(reverse("runs:status", args=[self.run.uuid]))
        self.assertContains(status, "Stopping after the current step")
        self.assertNotContains(status, TOO_LATE)
        # 3. The worker finishes as it always does: the run becomes a model.
        jobs.finish(worker_copy, self.metrics)
        self.run.refresh_from_db()
        self.assertEqual(self.run.status, RunStatus.FINISHED)
        self.assertTrue(TrainedModel.objects.filter(run=self.run).exists())
        # The live card, swapped into a page drawn while it ran, says so and offers Delete.
        status = self.client.get(reverse("runs:status", args=[self.run.uuid]))
        self.assertContains(status, TOO_LATE, count=1)
        self.assertContains(status, f'action="{self.delete_url}"', count=1)
        self.assertNotContains(status, "Stopping")

    def test_it_says_too_late_when_the_click_arrives_after_the_run_finished(self):
        # The page still showed Cancel; the run finished before the click reached the server.
        page = self.client.post(self.cancel_url, follow=True)
        self.assertRedirects(page, reverse("runs:detail", args=[self.run.uuid]))
        self.assertContains(page, TOO_LATE, count=1)
        self.assertNotContains(page, "nothing to cancel")
        self.assertContains(page, f'action="{self.delete_url}"', count=1)  # one Delete button
        self.run.refresh_from_db()
        self.assertEqual(self.run.status, RunStatus.FINISHED)
        self.assertTrue(TrainedModel.objects.filter(run=self.run).exists())

    def test_it_says_nothing_of_the_kind_for_a_run_finished_without_a_cancel(self):
        page = self.client.get(reverse("runs:detail", args=[self.run.uuid]))
        self.assertNotContains(page, TOO_LATE)
        self.assertContains(page, f'action="{self.delete_url}"', count=1)

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.cancel_url).status_code, 404)
        self.run.refresh_from_db()
        self.assertFalse(self.run.cancel_requested)
