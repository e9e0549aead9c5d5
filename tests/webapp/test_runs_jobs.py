"""The training job, run in-process as the worker runs it: real files, real tiny training."""

import pytest
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import mapped_spreadsheet, tiny_base_model, train_config
from webapp.catalog.models import TrainedModel
from webapp.runs import jobs
from webapp.runs.models import TrainingRun


class TrainJobTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.sheet = mapped_spreadsheet(self)

    def make_run(self, **fields) -> TrainingRun:
        defaults = {"team": self.alice_team, "created_by": self.alice, "spreadsheet": self.sheet,
                    "name": "Reviews", "status": "queued",
                    "mapping": {"text": "review", "label": "sentiment"},
                    "config": train_config(tiny_base_model(), epochs=2)}  # fmt: skip
        return TrainingRun.objects.create(**defaults | fields)

    def test_it_trains_and_creates_the_model(self):
        run = self.make_run()
        self.assertEqual(jobs.train_run(run.pk), "finished")
        run.refresh_from_db()
        self.assertEqual(run.status, TrainingRun.Status.FINISHED)
        self.assertIsNotNone(run.started)
        self.assertIsNotNone(run.finished)
        self.assertEqual(run.metrics["test_rows"], 9)
        self.assertIn("test_accuracy", run.metrics)
        self.assertTrue(run.history, "the live curve was recorded")
        self.assertEqual(run.progress["phase"], "done")
        self.assertTrue((run.out_dir / "model.safetensors").is_file())
        model = TrainedModel.objects.get(run=run)
        self.assertEqual((model.team, model.name), (self.alice_team, "Reviews"))
        self.client.force_login(self.alice)
        self.assertContains(
            self.client.get(reverse("runs:evaluation", args=[run.uuid])), "test rows"
        )

    def test_it_skips_a_run_canceled_while_waiting(self):
        run = self.make_run(status="canceled")
        self.assertIsNone(jobs.train_run(run.pk))
        run.refresh_from_db()
        self.assertEqual(run.status, "canceled")
        self.assertIsNone(run.started)

    def test_it_stops_when_cancel_is_requested(self):
        run = self.make_run(cancel_requested=True)
        self.assertEqual(jobs.train_run(run.pk), "canceled")
        run.refresh_from_db()
        self.assertEqual(run.status, TrainingRun.Status.CANCELED)
        self.assertFalse(TrainedModel.objects.exists())

    def test_it_fails_with_finetunes_plain_sentence(self):
        run = self.make_run(mapping={"text": "no such column", "label": "sentiment"})
        self.assertEqual(jobs.train_run(run.pk), "failed")
        run.refresh_from_db()
        self.assertIn("no such column", run.message)
        self.assertNotIn("Traceback", run.message)
        self.assertIn("Traceback", run.log)

    def test_it_fails_plainly_when_the_spreadsheet_is_gone(self):
        run = self.make_run()
        self.sheet.delete()
        jobs.train_run(run.pk)
        run.refresh_from_db()
        self.assertEqual(run.message, jobs.NO_SPREADSHEET)

    def test_it_marks_unexpected_errors_and_raises_them_again(self):
        # A corrupted stored setting is a bug, not something the user can fix.
        run = self.make_run(config=train_config(tiny_base_model()) | {"epochs": "two"})
        with pytest.raises(TypeError):
            jobs.train_run(run.pk)
        run.refresh_from_db()
        self.assertEqual(run.status, "failed")
        self.assertEqual(run.message, jobs.UNEXPECTED)
        self.assertIn("TypeError", run.log)
