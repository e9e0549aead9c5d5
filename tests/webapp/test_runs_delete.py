"""Deleting a run: trainers only, not while it is going; the model and files go with it."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.teams_support import add_member
from webapp.accounts.models import Activity, Role
from webapp.catalog.models import TrainedModel
from webapp.runs.models import RunStatus, TrainingRun


class RunDeleteTestCase(BaseTestCase):
    def make_run(self, status):
        run = TrainingRun.objects.create(
            team=self.alice_team, created_by=self.alice, name="Toy", status=status
        )
        run.out_dir.mkdir(parents=True)
        (run.out_dir / "model.safetensors").write_bytes(b"weights")
        return run

    def test_it_deletes_a_finished_run_its_model_and_files(self):
        run = self.make_run(RunStatus.FINISHED)
        TrainedModel.objects.create(team=self.alice_team, run=run, name="Toy")
        self.client.force_login(self.alice)
        response = self.client.post(reverse("runs:delete", args=[run.uuid]))
        self.assertRedirects(response, reverse("runs:list"))
        self.assertFalse(TrainingRun.objects.filter(pk=run.pk).exists())
        self.assertFalse(TrainedModel.objects.exists())
        self.assertFalse(run.out_dir.exists())
        self.assertTrue(Activity.objects.filter(what='deleted the training run "Toy"').exists())

    def test_it_keeps_a_run_that_is_going(self):
        run = self.make_run(RunStatus.RUNNING)
        self.client.force_login(self.alice)
        response = self.client.post(reverse("runs:delete", args=[run.uuid]), follow=True)
        self.assertContains(response, "Cancel it first")
        self.assertTrue(run.out_dir.exists())

    def test_it_refuses_viewers(self):
        run = self.make_run(RunStatus.FINISHED)
        self.client.force_login(add_member(self.alice_team, "dave", Role.VIEWER))
        response = self.client.post(reverse("runs:delete", args=[run.uuid]))
        self.assertEqual(response.status_code, 403)
        self.assertTrue(TrainingRun.objects.filter(pk=run.pk).exists())
