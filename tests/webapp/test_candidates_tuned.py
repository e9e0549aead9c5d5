"""A small sheet whose answers come from the sentence-meaning model tuned on pairs of its rows
(SetFit's classifier, finetune/embeddings.py): the model page says so, the API answers with
it, and the zip and a copy to another team carry its encoder folder and answer the same."""

import io
import json
import zipfile

import pandas as pd
from django.urls import reverse

from finetune import candidates
from finetune.embeddings import ENCODER_FOLDER
from finetune.predict import Predictor
from tests.finetune.test_embeddings_served import MAPPING, SEEN, UNSEEN, reviews, synonym_model
from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, finished_model, session_dir, train_config
from webapp.accounts.models import ApiToken, Team
from webapp.catalog import predictors
from webapp.catalog.models import TrainedModel

TEXTS = ["the film was superb", "the acting was horrible"]


def tuned_run_dir():
    """The synonym model (tests/finetune/test_embeddings_served.py) trained with pairs first on
    60 rows, 12 of validation: its tuned sentence-meaning model answers. Once per session."""
    out = session_dir() / "tuned-candidate"
    if not (out / "metrics.json").is_file():
        from finetune.train import TrainConfig, train

        base = synonym_model(session_dir() / "synonym-base")
        frame = pd.DataFrame(reviews(SEEN, 60, "train") + reviews(UNSEEN, 12, "validation")
                             + reviews(UNSEEN, 30, "test"), dtype=str)  # fmt: skip
        settings = train_config(base, epochs=1, max_steps=1, contrastive="on")
        train(frame, MAPPING, TrainConfig.from_dict(settings), out)
    return out


class TunedCandidateTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        predictors.clear()
        self.addCleanup(predictors.clear)
        self.model = finished_model(self.alice_team, self.alice, source=tuned_run_dir())
        self.expected = Predictor.load(self.model.run_dir).predict(TEXTS)
        self.client.force_login(self.alice)

    def test_the_model_page_says_which_answers_and_what_the_zip_holds(self):
        self.assertEqual(self.model.run.metrics["served"], "embeddings_tuned")
        response = self.client.get(reverse("catalog:detail", args=[self.model.uuid]))
        sentence = candidates.served_sentence(self.model.run.the_task, self.model.run.metrics)
        self.assertTrue(
            sentence.endswith("the sentence-meaning model tuned on pairs of your rows.")
        )
        self.assertContains(response, sentence)
        self.assertContains(response, "and the <code>candidate_encoder</code> folder")

    def test_the_api_answers_with_it(self):
        _, secret = ApiToken.create(self.alice_team, self.alice, "CRM")
        response = self.client.post(
            reverse("api:predict", args=[self.model.uuid]),
            json.dumps({"inputs": TEXTS}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["answered_by"], "embeddings_tuned")
        self.assertEqual([p["label"] for p in body["predictions"]], ["positive", "negative"])

    def test_the_zip_carries_its_encoder_and_answers_the_same(self):
        response = self.client.get(reverse("catalog:download", args=[self.model.uuid]))
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        names = set(archive.namelist())
        folder = next(iter(names)).split("/")[0]
        for name in ("model.safetensors", "config.json"):
            self.assertIn(f"{folder}/{ENCODER_FOLDER}/{name}", names)
        archive.extractall(self.media_root / "unzipped")
        unzipped = Predictor.load(self.media_root / "unzipped" / folder)
        self.assertEqual(unzipped.served, "embeddings_tuned")
        self.assertEqual(unzipped.predict(TEXTS), self.expected)

    def test_a_copy_to_another_team_answers_the_same(self):
        research = Team.create_for(self.alice, "Research")
        self.client.post(reverse("catalog:copy", args=[self.model.uuid]), {"team": research.uuid})
        copy = TrainedModel.objects.get(team=research)
        self.assertTrue((copy.run_dir / ENCODER_FOLDER / "model.safetensors").is_file())
        self.assertEqual(Predictor.load(copy.run_dir).predict(TEXTS), self.expected)
