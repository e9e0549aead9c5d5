"""The model page offers the int8 copy as a second download when training approved it; the
zip loads in LabelTune's Predictor and answers like the copy the server makes."""

import io
import zipfile

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model

APPROVED = {"int8_ok": True, "int8_agreement": 0.995, "int8_test_accuracy": 0.8,
            "test_accuracy": 0.81}  # fmt: skip


class Int8DownloadTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice, name="Reviews model")
        self.url = reverse("catalog:download_int8", args=[self.model.uuid])
        self.page = reverse("catalog:detail", args=[self.model.uuid])

    def approve(self, approved: bool) -> None:
        run = self.model.run
        # The fine-tuned model answers (not a simpler candidate), and its int8 copy is checked.
        run.metrics = run.metrics | APPROVED | {"int8_ok": approved, "served": "model"}
        run.save(update_fields=["metrics"])

    def test_it_offers_both_copies_with_the_figures_of_both(self):
        self.approve(True)
        self.client.force_login(self.alice)
        response = self.client.get(self.page)
        self.assertContains(response, reverse("catalog:download", args=[self.model.uuid]))
        self.assertContains(response, self.url)
        self.assertContains(response, "a compact int8 copy of the model answers")
        self.assertContains(response, "same answer as the full model on 99.5% of the test rows")
        self.assertContains(response, "accuracy 80% against 81% for the full model")

    def test_it_zips_an_int8_folder_that_answers_like_the_servers_copy(self):
        from finetune.predict import Predictor

        self.approve(True)
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertIn('filename="reviews-model-int8.zip"', response["Content-Disposition"])
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        names = set(archive.namelist())
        self.assertIn("reviews-model-int8/model.int8.safetensors", names)
        self.assertIn("reviews-model-int8/metrics.json", names)
        self.assertNotIn("reviews-model-int8/test_predictions.csv", names)  # rows stay home
        self.assertNotIn("reviews-model-int8/model.safetensors", names)
        folder = self.media_root / "unzipped"
        archive.extractall(folder)
        # The int8 copies of the fine-tuned model (a simpler candidate may answer for it).
        downloaded = Predictor.load(folder / "reviews-model-int8", candidate=False)
        served = Predictor.load(self.model.run_dir, device="cpu", int8=True, candidate=False)
        texts = ["the film was great", "awful plot", "hack the payload", ""]
        ours, theirs = served.predict(texts), downloaded.predict(texts)
        self.assertEqual([a["label"] for a in ours], [a["label"] for a in theirs])
        for a, b in zip(ours, theirs, strict=True):
            for label, score in a["scores"].items():
                self.assertAlmostEqual(b["scores"][label], score, places=6)

    def test_it_offers_only_the_full_model_when_the_copy_was_refused(self):
        self.approve(False)
        self.client.force_login(self.alice)
        self.assertNotContains(self.client.get(self.page), self.url)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_answers_404_to_another_team(self):
        self.approve(True)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)
