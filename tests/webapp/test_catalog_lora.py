"""A LoRA model on the web: the download is the merged model (pipeline() loads it), the
adapter alone is a second download that peft loads on the base, the web process holds the
base once for all its LoRA models, and the Train page offers the method and says when it pays."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import (
    finished_model,
    rows,
    session_dir,
    tiny_base_model,
    train_config,
)

TEXTS = ["the film was great", "awful plot", "hack the payload", ""]


def lora_run_dir():
    """A real LoRA run of the tiny BERT on rows(), once per test session."""
    out = session_dir() / "lora-trained"
    if not (out / "metrics.json").is_file():
        import pandas as pd

        from finetune.mapping import ColumnMapping
        from finetune.train import TrainConfig, train

        config = TrainConfig.from_dict(
            train_config(tiny_base_model(), method="lora", learning_rate=1e-2)
        )
        frame = pd.DataFrame(rows(), columns=["review", "sentiment"], dtype=str)
        train(frame, ColumnMapping(text="review", label="sentiment"), config, out)
    return out


def lora_model(team, user, name: str):
    """A finished LoRA model whose fine-tuned model answers (not a simpler candidate)."""
    model = finished_model(team, user, name, lora_run_dir())
    info = model.run_dir / "labeltune.json"
    info.write_text(json.dumps(json.loads(info.read_text()) | {"served": "model"}))
    return model


def unzip(response, into):
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    archive.extractall(into)
    return {name.split("/", 1)[1] for name in archive.namelist()}


@pytest.mark.slow  # trains the tiny model with LoRA once: a few seconds
class LoraModelTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        from webapp.catalog import predictors

        predictors.clear()
        self.model = lora_model(self.alice_team, self.alice, "Reviews model")
        self.adapter_url = reverse("catalog:download_adapter", args=[self.model.uuid])

    def served(self, model):
        from webapp.catalog.predictors import get_predictor

        return get_predictor(model.run_dir)

    def test_the_download_is_the_merged_model_pipeline_loads(self):
        from transformers import pipeline

        self.client.force_login(self.alice)
        page = self.client.get(reverse("catalog:detail", args=[self.model.uuid]))
        self.assertContains(page, self.adapter_url)
        response = self.client.get(reverse("catalog:download", args=[self.model.uuid]))
        names = unzip(response, self.media_root / "merged")
        self.assertIn("model.safetensors", names)
        self.assertNotIn("adapter_model.safetensors", names)
        self.assertNotIn("test_predictions.csv", names)  # rows stay home
        classify = pipeline("text-classification", model=str(self.media_root / "merged" /
                                                            "reviews-model"), top_k=None)  # fmt: skip
        ours = self.served(self.model).predict(TEXTS)
        for answer, scores in zip(ours, classify(TEXTS), strict=True):
            for score in scores:
                self.assertAlmostEqual(answer["scores"][score["label"]], score["score"], places=5)

    def test_the_adapter_alone_loads_with_peft_on_the_base(self):
        import torch
        from peft import PeftModel
        from transformers import AutoConfig, AutoModelForSequenceClassification, AutoTokenizer

        self.client.force_login(self.alice)
        names = unzip(self.client.get(self.adapter_url), self.media_root / "adapter")
        self.assertIn("adapter_model.safetensors", names)
        self.assertNotIn("model.safetensors", names)
        self.assertNotIn("test_predictions.csv", names)
        folder = self.media_root / "adapter" / "reviews-model-adapter"
        base = AutoModelForSequenceClassification.from_pretrained(
            tiny_base_model(), config=AutoConfig.from_pretrained(folder)
        )
        model = PeftModel.from_pretrained(base, folder).eval()
        tokenizer = AutoTokenizer.from_pretrained(folder)
        with torch.no_grad():
            logits = model(**tokenizer(TEXTS, padding=True, return_tensors="pt")).logits
        labels = [model.config.id2label[i] for i in logits.argmax(-1).tolist()]
        self.assertEqual(labels, [a["label"] for a in self.served(self.model).predict(TEXTS)])

    def test_the_web_process_holds_the_base_once(self):
        other = lora_model(self.alice_team, self.alice, "Second")
        first, second = self.served(self.model), self.served(other)
        self.assertIsNot(first.model, second.model)

        def base_tensors(predictor) -> set[int]:
            named = predictor.model.named_parameters()
            return {p.data_ptr() for n, p in named if "lora_" not in n and "classifier" not in n}

        self.assertEqual(base_tensors(first), base_tensors(second))
        self.assertEqual(first.predict(TEXTS), second.predict(TEXTS))

    def test_the_adapter_download_is_404_for_others_and_for_full_models(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.adapter_url).status_code, 404)
        self.client.force_login(self.alice)
        full = finished_model(self.alice_team, self.alice, "Full")
        url = reverse("catalog:download_adapter", args=[full.uuid])
        self.assertEqual(self.client.get(url).status_code, 404)
        page = self.client.get(reverse("catalog:detail", args=[full.uuid]))
        self.assertNotContains(page, url)


def test_the_train_form_offers_lora_and_says_when_it_pays(db, settings, tmp_path):
    from finetune import lora
    from webapp.runs.forms import NewRunForm

    (tmp_path / "in-house").mkdir()
    (tmp_path / "in-house" / "config.json").write_text("{}")
    settings.LABELTUNE_LOCAL_MODELS_DIR = str(tmp_path)
    advice = {o["value"]: o.get("lora_advice", "") for o in NewRunForm().options}
    assert advice["all-MiniLM-L6-v2"] == advice["roberta-base"] == lora.ADVICE
    assert advice["local:in-house"] == ""  # its size is not known
    assert lora.advice("5 million parameters") == ""
    data = {"name": "m", "base_model": "all-MiniLM-L6-v2", "budget": "quick", "epochs": 0,
            "max_length": 64, "learning_rate": 0, "batch_size": 16, "warmup_ratio": 0.1,
            "weight_decay": 0.01, "patience": 2, "seed": 42, "validation_fraction": 0.1,
            "test_fraction": 0.1, "max_steps": 0, "method": "lora", "lora_rank": 4,
            "lora_layers": "attention"}  # fmt: skip
    form = NewRunForm(data)
    assert form.is_valid(), form.errors
    config = form.cleaned_data["config"]
    assert (config.method, config.lora_rank, config.lora_layers) == ("lora", 4, "attention")
    form = NewRunForm(data | {"lora_rank": 0})
    assert not form.is_valid() and "rank must be between 1 and 256" in str(form.errors)


def test_the_settings_card_names_the_lora_settings_of_lora_runs_only():
    from finetune.train import TrainConfig
    from webapp.runs.models import TrainingRun

    def card(**settings) -> dict:
        run = TrainingRun(config=TrainConfig(**settings).to_dict(), metrics={}, progress={})
        return dict(run.settings_in_words())

    lora_card, full_card = card(method="lora", lora_rank=4), card()
    assert lora_card["LoRA rank"] == 4 and lora_card["LoRA layers"] == "Every linear layer"
    assert lora_card["Training method"].startswith("LoRA")
    assert full_card["Training method"].startswith("Full fine-tuning")
    assert "LoRA rank" not in full_card and "LoRA layers" not in full_card
