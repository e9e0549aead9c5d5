"""The bundled MiniLM fine-tunes for a few steps, offline, and its folder loads back."""

import pytest

from finetune.mapping import ColumnMapping
from finetune.predict import Predictor
from finetune.train import TrainConfig, train


@pytest.mark.slow
def test_it_fine_tunes_the_bundled_model_offline(tmp_path, monkeypatch, sentiment_frame):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    config = TrainConfig(max_steps=4, batch_size=8, max_length=32)
    result = train(
        sentiment_frame, ColumnMapping(text="review", label="sentiment"), config, tmp_path
    )
    assert result.metrics["test_rows"] == 12
    predictor = Predictor.load(tmp_path)
    assert predictor.predict(["a wonderful film"])[0]["label"] in {"positive", "negative"}
