"""Real training of a tiny BERT: the run directory, the figures and the progress reports."""

import json

import pandas as pd
import pytest

from finetune.errors import Canceled, FinetuneError
from finetune.mapping import ColumnMapping
from finetune.train import TrainConfig, train
from tests.finetune.conftest import fast_config

RUN_FILES = [
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "labeltune.json",
    "health.json",
    "metrics.json",
    "evaluation.json",
    "history.json",
    "test_predictions.csv",
    "README.md",
]


def test_it_writes_a_complete_run_directory(trained_run):
    result, _ = trained_run
    for name in RUN_FILES:
        assert (result.out_dir / name).is_file(), name
    assert not list(result.out_dir.glob("*.bin")), "weights must be safetensors only"
    config = json.loads((result.out_dir / "config.json").read_text())
    assert config["id2label"] == {"0": "negative", "1": "positive"}


def test_it_learns_the_toy_task_and_beats_the_majority_baseline(trained_run):
    metrics = trained_run[0].metrics
    assert metrics["test_accuracy"] >= 0.9
    assert metrics["test_accuracy"] > metrics["baseline_majority_accuracy"]
    assert {
        "test_macro_f1",
        "test_weighted_f1",
        "baseline_tfidf_accuracy",
        "baseline_tfidf_macro_f1",
        "val_accuracy",
        "best_epoch",
    } <= set(metrics)
    assert metrics["train_rows"] + metrics["validation_rows"] + metrics["test_rows"] == 120


def test_it_reports_per_label_figures_and_the_confusion_matrix(trained_run):
    out = trained_run[0].out_dir
    evaluation = json.loads((out / "evaluation.json").read_text())
    assert evaluation["labels"] == ["negative", "positive"]
    assert [r["label"] for r in evaluation["per_label"]] == ["negative", "positive"]
    matrix = evaluation["confusion"]
    assert sum(map(sum, matrix)) == trained_run[0].metrics["test_rows"]


def test_it_saves_test_predictions_with_spreadsheet_rows(trained_run):
    out = trained_run[0].out_dir
    rows = pd.read_csv(out / "test_predictions.csv")
    assert list(rows.columns) == ["row", "text", "label", "prediction", "confidence", "correct"]
    assert rows["row"].min() >= 2  # row 1 is the header
    assert rows["confidence"].between(0, 1).all()


def test_it_reports_progress_with_time_left(trained_run):
    _, progress = trained_run
    phases = [p.phase for p in progress]
    assert phases[0] == "loading" and "training" in phases and phases[-1] == "saving"
    training = [p for p in progress if p.phase == "training" and p.loss is not None]
    assert training[-1].step == training[-1].total_steps
    assert all(p.seconds_left is not None and p.seconds_left >= 0 for p in training)
    assert any(p.val_metric is not None for p in training)
    history = json.loads((trained_run[0].out_dir / "history.json").read_text())
    assert len(history) == 20 and all("val_metric" in h for h in history)


def test_it_keeps_the_best_epoch_breaking_ties_on_validation_loss(trained_run):
    result, _ = trained_run
    history = json.loads((result.out_dir / "history.json").read_text())
    best = max(history, key=lambda h: (h["val_metric"], -h["val_loss"]))
    assert result.metrics["best_epoch"] == best["epoch"]
    assert sum(h["val_metric"] == best["val_metric"] for h in history) > 1, "no tie to break"


def test_it_stops_when_asked_to(tmp_path, sentiment_frame, tiny_model_dir):
    calls = []

    def should_cancel():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(Canceled):
        train(
            sentiment_frame,
            ColumnMapping(text="review", label="sentiment"),
            fast_config(tiny_model_dir),
            tmp_path / "run",
            should_cancel=should_cancel,
        )
    assert not (tmp_path / "run" / "model.safetensors").exists()


def test_it_stops_early_when_validation_stops_improving(tmp_path, sentiment_frame, tiny_model_dir):
    # A learning rate far too high: validation stops improving after the first epochs.
    config = fast_config(tiny_model_dir, epochs=15, patience=1, learning_rate=0.5)
    result = train(
        sentiment_frame, ColumnMapping(text="review", label="sentiment"), config, tmp_path
    )
    assert result.metrics["epochs_run"] < 15


def test_it_refuses_data_with_one_label(tmp_path, tiny_model_dir):
    frame = pd.DataFrame({"text": [f"row {i}" for i in range(20)], "label": ["spam"] * 20})
    with pytest.raises(FinetuneError, match="at least two different labels"):
        train(
            frame, ColumnMapping(text="text", label="label"), fast_config(tiny_model_dir), tmp_path
        )


def test_it_uses_the_users_split_column(tmp_path, sentiment_frame, tiny_model_dir):
    frame = sentiment_frame.copy()
    frame["split"] = ["train"] * 80 + ["validation"] * 20 + ["test"] * 20
    result = train(
        frame,
        ColumnMapping(text="review", label="sentiment", split="split"),
        fast_config(tiny_model_dir, epochs=2),
        tmp_path,
    )
    assert (
        result.metrics["train_rows"],
        result.metrics["validation_rows"],
        result.metrics["test_rows"],
    ) == (80, 20, 20)


def test_it_validates_settings_in_plain_words():
    with pytest.raises(FinetuneError, match="batch size"):
        TrainConfig(batch_size=0)
    with pytest.raises(FinetuneError, match="not a task"):
        TrainConfig(task="astrology")


def test_it_explains_running_out_of_memory(tmp_path, sentiment_frame, tiny_model_dir):
    import torch

    def out_of_memory():  # the first step's allocation fails, as on a too-small GPU
        raise torch.OutOfMemoryError("CUDA out of memory")

    with pytest.raises(FinetuneError, match="ran out of memory. Lower the batch size \\(now 16\\)"):
        train(
            sentiment_frame,
            ColumnMapping(text="review", label="sentiment"),
            fast_config(tiny_model_dir),
            tmp_path,
            should_cancel=out_of_memory,
        )
