"""Download a model as a zip that transformers.pipeline loads as it is."""

import io
import zipfile

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model


class DownloadTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice, name="Reviews model")
        self.url = reverse("catalog:download", args=[self.model.uuid])

    def test_it_zips_a_folder_pipeline_can_load(self):
        from transformers import pipeline

        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertIn('filename="reviews-model.zip"', response["Content-Disposition"])
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        names = set(archive.namelist())
        for name in ("config.json", "model.safetensors", "tokenizer.json", "labeltune.json",
                     "metrics.json", "README.md"):  # fmt: skip
            self.assertIn(f"reviews-model/{name}", names)
        folder = self.media_root / "unzipped"
        archive.extractall(folder)
        classify = pipeline("text-classification", model=str(folder / "reviews-model"))
        answer = classify("the film was great")[0]
        self.assertIn(answer["label"], self.model.info()["labels"])

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_requires_login(self):
        self.assertRedirects(self.client.get(self.url), f"{reverse('login')}?next={self.url}")
