"""Base models that need the internet say so before training, and a run that could not get
its base model offers to choose another one beside Retry."""

from django.urls import reverse

from finetune.basemodels import _hub_error
from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import mapped_spreadsheet
from webapp.runs.models import TrainingRun


class BaseModelDownloadTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.sheet = mapped_spreadsheet(self)
        self.client.force_login(self.alice)

    def test_it_marks_models_that_download_on_first_use(self):
        html = self.client.get(reverse("runs:new", args=[self.sheet.uuid])).content.decode()
        bundled, rest = html.split("MiniLM (bundled)", 1)[1].split("DistilBERT", 1)
        self.assertIn("works offline", bundled)
        self.assertNotIn("downloads on first use", bundled)
        self.assertEqual(rest.count("downloads on first use"), 5)  # the five hub models

    def make_failed_run(self, message: str) -> TrainingRun:
        return TrainingRun.objects.create(
            team=self.alice_team, spreadsheet=self.sheet, name="Reviews", status="failed",
            mapping={"text": "review", "label": "sentiment"},
            config={"base_model": "roberta-base"}, message=message,
        )  # fmt: skip

    def test_it_offers_another_model_when_the_download_failed(self):
        run = self.make_failed_run(str(_hub_error("roberta-base", OSError("no network"))))
        status = self.client.get(reverse("runs:status", args=[run.uuid]))
        self.assertContains(status, "Choose another model")
        self.assertContains(status, reverse("runs:new", args=[self.sheet.uuid]))
        self.assertContains(status, "Retry with the same settings")

    def test_it_offers_only_retry_for_other_failures(self):
        run = self.make_failed_run("Training stopped because of an unexpected error.")
        status = self.client.get(reverse("runs:status", args=[run.uuid]))
        self.assertNotContains(status, "Choose another model")
        self.assertContains(status, "Retry with the same settings")
