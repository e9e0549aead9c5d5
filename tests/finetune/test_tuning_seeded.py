"""Automatic choices are seeded: the same data and settings give the same trials, the same
choices and the same model."""

from finetune.mapping import ColumnMapping
from finetune.train import train
from tests.finetune.conftest import fast_config, sentiment_rows

MAPPING = ColumnMapping(text="review", label="sentiment")


def choices(result) -> dict:
    m = result.metrics
    trials = [{k: v for k, v in t.items() if k != "seconds"} for t in m["learning_rate_trials"]]
    figures = ("learning_rate", "decisions", "best_epoch", "epochs_run", "test_accuracy",
               "val_accuracy")  # fmt: skip
    return {"trials": trials} | {name: m[name] for name in figures}


def test_it_makes_the_same_choices_twice(tmp_path, tiny_model_dir):
    config = fast_config(tiny_model_dir, learning_rate=0, epochs=0, max_steps=60, patience=2)
    frame = sentiment_rows(120)
    first = train(frame, MAPPING, config, tmp_path / "first")
    second = train(frame, MAPPING, config, tmp_path / "second")
    assert len(first.metrics["learning_rate_trials"]) == 3
    assert choices(first) == choices(second)
    weights = [(run.out_dir / "model.safetensors").read_bytes() for run in (first, second)]
    assert weights[0] == weights[1]
