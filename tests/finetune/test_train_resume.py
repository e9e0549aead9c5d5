"""Resume: a run stopped after epoch k continues from its checkpoint on the next train() into
the same folder and ends exactly where an uninterrupted run ends; a checkpoint that is
truncated, or made with other settings or other data, is ignored; a complete run removes it."""

import shutil

import pandas as pd
import pytest

from finetune import checkpoint
from finetune.errors import Canceled
from finetune.mapping import ColumnMapping
from finetune.rundir import INFO_FILE
from finetune.train import train
from tests.finetune.conftest import fast_config, sentiment_rows

MAPPING = ColumnMapping(text="review", label="sentiment")
EPOCHS, STOPPED_AFTER = 4, 2
TIMING = {"train_seconds", "total_seconds", "resumed_after_epoch"}


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return sentiment_rows(60)


@pytest.fixture(scope="module")
def config(tiny_model_dir):
    return fast_config(tiny_model_dir, epochs=EPOCHS)


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, frame, config):
    return train(frame, MAPPING, config, tmp_path_factory.mktemp("uninterrupted"))


@pytest.fixture(scope="module")
def stopped(tmp_path_factory, frame, config):
    """A run canceled during epoch 3: the checkpoint of epoch 2 stays. A copy of it is kept
    aside for the tests that plant it elsewhere."""
    out = tmp_path_factory.mktemp("stopped")
    seen = []

    def past_epoch_k() -> bool:
        return any(p.phase == "training" and p.epoch > STOPPED_AFTER for p in seen)

    with pytest.raises(Canceled):
        train(frame, MAPPING, config, out, on_progress=seen.append, should_cancel=past_epoch_k)
    kept = tmp_path_factory.mktemp("kept") / checkpoint.FOLDER
    shutil.copytree(checkpoint.folder(out), kept)
    return out, kept


@pytest.fixture(scope="module")
def resumed(stopped, frame, config):
    out, _ = stopped
    progress = []
    result = train(frame, MAPPING, config, out, on_progress=progress.append)
    return result, progress


def plant(saved_folder, out) -> None:
    shutil.copytree(saved_folder, checkpoint.folder(out))


def test_it_leaves_the_last_complete_checkpoint_when_stopped(stopped):
    out, kept = stopped
    assert (kept / checkpoint.FILE).is_file()
    assert not list(kept.glob("*.partial")), "no half-written checkpoint"
    assert not (out / INFO_FILE).exists(), "a stopped run is not a model"


def test_it_continues_after_the_epoch_it_stopped_at(resumed):
    result, progress = resumed
    assert result.resumed_epoch == STOPPED_AFTER
    assert result.metrics["resumed_after_epoch"] == STOPPED_AFTER
    training = [p for p in progress if p.phase == "training"]
    assert min(p.epoch for p in training) > STOPPED_AFTER, "epochs 1 and 2 are not trained again"
    assert all(p.resumed_epoch == STOPPED_AFTER for p in progress if p.phase != "loading")
    history = pd.read_json(result.out_dir / "history.json")
    assert history["epoch"].tolist() == list(range(1, EPOCHS + 1))


def test_it_ends_exactly_where_an_uninterrupted_run_ends(resumed, uninterrupted):
    # Same seed, same machine: the checkpoint restores the weights, the optimizer, the
    # schedule, the shuffling and the dropout draws, so every later step is the same.
    result, _ = resumed
    ours = {k: v for k, v in result.metrics.items() if k not in TIMING}
    theirs = {k: v for k, v in uninterrupted.metrics.items() if k not in TIMING}
    assert ours == theirs
    for name in ("history.json", "test_predictions.csv", "evaluation.json"):
        same = (result.out_dir / name).read_bytes() == (uninterrupted.out_dir / name).read_bytes()
        assert same, name


def test_it_removes_the_checkpoint_once_the_run_is_complete(resumed, uninterrupted):
    for run in (resumed[0], uninterrupted):
        assert (run.out_dir / INFO_FILE).is_file()
        assert not checkpoint.folder(run.out_dir).exists()


def test_it_starts_over_when_the_checkpoint_is_truncated(tmp_path, stopped, frame, config):
    plant(stopped[1], tmp_path)
    file = checkpoint.folder(tmp_path) / checkpoint.FILE
    file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])
    result = train(frame, MAPPING, config, tmp_path)
    assert result.resumed_epoch == 0 and "resumed_after_epoch" not in result.metrics
    assert result.metrics["epochs_run"] == EPOCHS


def test_it_ignores_a_checkpoint_made_with_other_settings(tmp_path, stopped, frame, config):
    plant(stopped[1], tmp_path)
    other = fast_config(config.base_model, epochs=EPOCHS, learning_rate=1e-3)
    assert train(frame, MAPPING, other, tmp_path).resumed_epoch == 0


def test_it_ignores_a_checkpoint_made_from_other_rows(tmp_path, stopped, frame, config):
    plant(stopped[1], tmp_path)
    edited = frame.copy()
    edited.loc[0, "review"] = "an edited review that was great"
    assert train(edited, MAPPING, config, tmp_path).resumed_epoch == 0
