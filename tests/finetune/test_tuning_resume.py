"""A stopped run with automatic choices resumes with the choices it made: no new trials, the
same learning rate and plan, and it ends where an uninterrupted run ends."""

import pytest

from finetune.errors import Canceled
from finetune.mapping import ColumnMapping
from finetune.train import train
from tests.finetune.conftest import fast_config, sentiment_rows

MAPPING = ColumnMapping(text="review", label="sentiment")
TIMING = {"train_seconds", "total_seconds", "resumed_after_epoch", "learning_rate_trials"}


def test_it_resumes_with_the_choices_it_made(tmp_path, tiny_model_dir):
    frame = sentiment_rows(60)
    config = fast_config(tiny_model_dir, learning_rate=0, epochs=0, max_steps=24, patience=0)
    uninterrupted = train(frame, MAPPING, config, tmp_path / "uninterrupted")
    seen = []

    def after_epoch_2() -> bool:
        return any(p.phase == "training" and p.epoch > 2 for p in seen)

    with pytest.raises(Canceled):
        train(frame, MAPPING, config, tmp_path / "run", on_progress=seen.append,
              should_cancel=after_epoch_2)  # fmt: skip
    progress = []
    resumed = train(frame, MAPPING, config, tmp_path / "run", on_progress=progress.append)
    assert resumed.metrics["resumed_after_epoch"] == 2
    assert "trying" not in {p.phase for p in progress}  # the trials were not run again
    for name, figure in uninterrupted.metrics.items():
        if name not in TIMING:
            assert resumed.metrics[name] == figure, name
    rates = [t["learning_rate"] for t in resumed.metrics["learning_rate_trials"]]
    assert rates == [t["learning_rate"] for t in uninterrupted.metrics["learning_rate_trials"]]
