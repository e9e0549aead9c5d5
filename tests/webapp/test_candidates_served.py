"""A model whose simpler TF-IDF candidate did better on the validation rows: the evaluation and
model pages say which answers and why, and Try it, the API, batch scoring and the model zip
all use that candidate."""

import csv
import io
import json
import zipfile

import pandas as pd
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from finetune import candidates
from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import (
    RedisMixin,
    finished_model,
    rows,
    session_dir,
    tiny_base_model,
    train_config,
)
from webapp.accounts.models import ApiToken
from webapp.catalog import jobs, predictors
from webapp.catalog.models import BatchPrediction

TEXTS = ["the film was great", "awful plot and dull acting", "hack the payload"]


def weak_run_dir():
    """The tiny BERT trained for one step on rows(): it has learned nothing, while TF-IDF
    reads the one word that decides each label. Trained once per test session."""
    out = session_dir() / "trained-one-step"
    if not (out / "metrics.json").is_file():
        from finetune.mapping import ColumnMapping
        from finetune.train import TrainConfig, train

        frame = pd.DataFrame(rows(), columns=["review", "sentiment"], dtype=str)
        config = TrainConfig.from_dict(train_config(tiny_base_model(), epochs=1, max_steps=1))
        train(frame, ColumnMapping(text="review", label="sentiment"), config, out)
    return out


class CandidateServedTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        predictors.clear()
        self.addCleanup(predictors.clear)
        self.model = finished_model(self.alice_team, self.alice, source=weak_run_dir())
        self.run = self.model.run
        self.served = candidates.load(self.model.run_dir)
        self.sentence = candidates.served_sentence(self.run.the_task, self.run.metrics)
        self.client.force_login(self.alice)

    def test_it_is_the_tfidf_model_that_serves(self):
        self.assertEqual(self.run.metrics["served"], "tfidf")
        # Its few validation rows: the pick is by cross-validation (finetune/crossval.py).
        self.assertEqual(self.run.metrics["picked_by"], "cross_validation")
        self.assertTrue(self.sentence.startswith("Your sheet has only "))
        self.assertTrue(self.sentence.endswith("so LabelTune uses the simple word model."))

    def test_the_evaluation_page_says_which_answers_and_why_with_each_ones_figures(self):
        response = self.client.get(reverse("runs:evaluation", args=[self.run.uuid]))
        self.assertContains(response, f'<p id="served">{self.sentence}</p>', html=True)
        self.assertContains(response, 'id="candidates"')
        for row in candidates.table(self.run.the_task, self.run.metrics):
            self.assertContains(response, f"<td>{row['words']}</td>")
            self.assertContains(response, f'<td class="num">{row["validation"]}</td>')
            cross_validated = row["cross_validated"] or "not tried"  # the model: too slow
            self.assertContains(response, f'<td class="num">{cross_validated}</td>')
        bob = Client()
        bob.force_login(self.bob)
        self.assertEqual(bob.get(reverse("runs:evaluation", args=[self.run.uuid])).status_code, 404)

    def test_the_model_page_says_it_and_leaves_int8_to_the_model(self):
        response = self.client.get(reverse("catalog:detail", args=[self.model.uuid]))
        self.assertContains(response, self.sentence)
        self.assertContains(
            response,
            "The simple word model answers here instead of the fine-tuned model, so the "
            "compact int8 copy of the model is not used.",
        )
        self.assertContains(response, "The zip also holds the simple word model")

    def test_try_it_answers_with_it(self):
        url = reverse("catalog:try", args=[self.model.uuid])
        for text in TEXTS:
            answer = self.served.predict([text])[0]
            html = self.client.post(url, {"text": text}, HTTP_HX_REQUEST="true").content.decode()
            self.assertIn(f"{round(100 * answer['confidence'], 1)}%", html)
            self.assertIn(answer["label"].replace("<", "&lt;").replace(">", "&gt;"), html)
        self.assertEqual(predictors.get_predictor(self.model.run_dir).served, "tfidf")

    def test_the_api_answers_with_it_and_says_so(self):
        _, secret = ApiToken.create(self.alice_team, self.alice, "CRM")
        response = self.client.post(
            reverse("api:predict", args=[self.model.uuid]),
            json.dumps({"inputs": TEXTS}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["answered_by"], "tfidf")
        expected = self.served.predict(TEXTS)
        self.assertEqual([p["label"] for p in body["predictions"]], [a["label"] for a in expected])
        for got, want in zip(body["predictions"], expected, strict=True):
            self.assertAlmostEqual(got["confidence"], want["confidence"], places=6)
        document = self.client.get(reverse("api:openapi-json")).json()
        answer = document["components"]["schemas"]["SingleLabelAnswer"]  # this task's answer
        self.assertIn('"tfidf"', answer["properties"]["answered_by"]["description"])

    def test_a_scored_spreadsheet_gets_its_answers(self):
        content = ("review\n" + "\n".join(TEXTS) + "\n").encode()
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("catalog:batch_new", args=[self.model.uuid]),
                {"file": SimpleUploadedFile("new.csv", content)},
            )
        batch = BatchPrediction.objects.get()
        self.assertEqual(jobs.score_batch(batch.pk), 3)
        response = self.client.get(reverse("catalog:batch_download", args=[batch.uuid]))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        scored = list(csv.DictReader(io.StringIO(text)))
        expected = self.served.predict(TEXTS)
        self.assertEqual([row["prediction"] for row in scored], [a["label"] for a in expected])

    def test_the_zip_holds_it_and_answers_with_it(self):
        from finetune.predict import Predictor

        response = self.client.get(reverse("catalog:download", args=[self.model.uuid]))
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        names = set(archive.namelist())
        self.assertIn(f"reviews-model/{candidates.SPEC_FILE}", names)
        self.assertIn(f"reviews-model/{candidates.ARRAYS_FILE}", names)
        archive.extractall(self.media_root / "unzipped")
        unzipped = Predictor.load(self.media_root / "unzipped" / "reviews-model")
        self.assertEqual(unzipped.served, "tfidf")
        self.assertEqual(unzipped.predict(TEXTS), self.served.predict(TEXTS))
