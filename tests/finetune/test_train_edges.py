"""The end of a run under stress: a validation figure that is NaN or never improves, a cancel
during the final stage, a full disk while saving, and formula-looking texts in the test rows."""

import errno
import json
import os

import pandas as pd
import pytest

from finetune import rundir
from finetune import train as train_module
from finetune.data import read_table
from finetune.errors import Canceled, FinetuneError
from finetune.mapping import ColumnMapping
from finetune.rundir import DISK_FULL, INFO_FILE
from finetune.tasks import get_task
from finetune.train import train
from tests.finetune.conftest import fast_config, sentiment_rows

MAPPING = ColumnMapping(text="review", label="sentiment")
EVIL_TEXTS = ['=HYPERLINK("http://x","click")', "=cmd|' /C calc'!A0", "\r=1+1"]


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return sentiment_rows(40)


@pytest.fixture
def config(tiny_model_dir):
    return fast_config(tiny_model_dir, epochs=3)


def test_it_saves_the_model_when_the_validation_figure_is_nan(tmp_path, monkeypatch, frame, config):
    task = get_task("single_label")
    real = task.metrics

    def nan_metrics(targets, predictions, head):
        return real(targets, predictions, head) | {"accuracy": float("nan")}

    monkeypatch.setattr(task, "metrics", nan_metrics)
    result = train(frame, MAPPING, config, tmp_path)
    assert (tmp_path / INFO_FILE).is_file() and (tmp_path / "model.safetensors").is_file()
    history = json.loads((tmp_path / "history.json").read_text())
    assert len(history) == 3
    # With no real figure, the epoch with the lowest validation loss is kept.
    assert result.metrics["best_epoch"] == min(history, key=lambda h: h["val_loss"])["epoch"]
    # Every file is strict JSON, as browsers and databases read it.
    for name in ("metrics.json", "history.json", "evaluation.json", "health.json"):
        json.loads((tmp_path / name).read_text(), parse_constant=pytest.fail)
    json.dumps(result.metrics, allow_nan=False)  # what the web app stores


def test_it_saves_the_model_when_validation_never_improves(tmp_path, monkeypatch, frame, config):
    task = get_task("single_label")
    real, calls = task.metrics, []

    def worse_every_time(targets, predictions, head):
        calls.append(1)
        return real(targets, predictions, head) | {"accuracy": 0.5 - 0.1 * len(calls)}

    monkeypatch.setattr(task, "metrics", worse_every_time)
    result = train(frame, MAPPING, fast_config(config.base_model, epochs=4, patience=1), tmp_path)
    assert (tmp_path / INFO_FILE).is_file()
    assert result.metrics["epochs_run"] == 2, "patience 1: one epoch without improvement"
    assert result.metrics["best_epoch"] == 1
    assert result.metrics["val_accuracy"] == pytest.approx(0.4)


def test_it_stops_when_canceled_during_the_final_evaluation(tmp_path, monkeypatch, frame, config):
    asked = []
    real = train_module.evaluate

    def evaluate_then_cancel(*args, **kwargs):
        answer = real(*args, **kwargs)
        asked.append(True)  # the user presses Cancel while the test rows are scored
        return answer

    monkeypatch.setattr(train_module, "evaluate", evaluate_then_cancel)
    with pytest.raises(Canceled):
        train(frame, MAPPING, config, tmp_path, should_cancel=lambda: bool(asked))
    assert asked and not (tmp_path / INFO_FILE).exists()
    assert not rundir.is_complete(tmp_path)


@pytest.mark.parametrize(("failing", "on_call"), [("_dump", 2), ("write_test_predictions", 1)])
def test_it_fails_plainly_and_offers_no_model_when_the_disk_is_full(
    tmp_path, monkeypatch, frame, config, failing, on_call
):
    real = getattr(rundir, failing)
    calls = []

    def disk_full(*args, **kwargs):
        calls.append(1)
        if len(calls) == on_call:  # half-way through the folder, after the weights
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(*args, **kwargs)

    monkeypatch.setattr(rundir, failing, disk_full)
    with pytest.raises(FinetuneError) as raised:
        train(frame, MAPPING, config, tmp_path)
    assert raised.value.message == DISK_FULL
    assert calls, "the failing write was reached"
    assert not (tmp_path / INFO_FILE).exists()
    assert not (tmp_path / "model.safetensors").exists(), "what was written is removed"


def test_it_writes_formula_looking_test_texts_safely(tmp_path, frame, config):
    evil = frame.copy()
    evil["split"] = ["train"] * 28 + ["validation"] * 6 + ["test"] * 6
    for i, text in enumerate(EVIL_TEXTS):
        evil.loc[34 + i, "review"] = text
    mapping = ColumnMapping(text="review", label="sentiment", split="split")
    train(evil, mapping, config, tmp_path)
    written = read_table(tmp_path / rundir.TEST_PREDICTIONS).frame
    texts = written["text"].tolist()
    assert texts[:3] == ["'" + t for t in EVIL_TEXTS]
    assert not any(t.startswith(("=", "+", "-", "@", "\t", "\r")) for t in texts)
    assert rundir.read_test_predictions(tmp_path)["text"].tolist()[:3] == texts[:3]
