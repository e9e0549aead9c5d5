"""Epochs left on auto (0): keep going while validation improves, within the time budget."""

import pytest

from finetune.errors import FinetuneError
from finetune.mapping import ColumnMapping
from finetune.tasks import get_task
from finetune.train import TrainConfig, train
from finetune.tuning import Tuner
from tests.finetune.conftest import fast_config, sentiment_rows

MAPPING = ColumnMapping(text="review", label="sentiment")


def test_it_continues_past_the_old_cap_while_validation_improves(tmp_path, tiny_model_dir):
    # 96 training rows: the old automatic epochs stopped at 15 whatever validation said.
    config = fast_config(tiny_model_dir, epochs=0, learning_rate=1e-3, max_steps=120, patience=2)
    result = train(sentiment_rows(120), MAPPING, config, tmp_path)
    m = result.metrics
    assert m["planned_epochs"] == 60  # the most any budget plans
    assert m["epochs_run"] == 20 and m["best_epoch"] > 15
    assert m["decisions"][-1].startswith("Stopped after epoch 20 at the step limit of 120")


def test_it_stops_sooner_when_validation_stops_improving(tmp_path, tiny_model_dir):
    # A learning rate far too high: validation stops improving after the first epochs.
    config = fast_config(tiny_model_dir, epochs=0, learning_rate=0.5, patience=1)
    result = train(sentiment_rows(120), MAPPING, config, tmp_path)
    m = result.metrics
    assert m["epochs_run"] < m["planned_epochs"] == 60
    assert m["decisions"][-1] == (
        f"Stopped after epoch {m['epochs_run']} of 60: the validation rows did not improve for "
        f"1 epoch; epoch {m['best_epoch']} was the best and is kept."
    )


def test_it_stops_when_the_budgets_time_is_used_up(tmp_path, tiny_model_dir):
    # 1.2 seconds: far less than the 60 planned epochs of 25 steps take.
    config = fast_config(tiny_model_dir, epochs=0, patience=0, budget="0.02")
    result = train(sentiment_rows(500), MAPPING, config, tmp_path)
    m = result.metrics
    assert m["budget"] == "0.02" and m["epochs_run"] < m["planned_epochs"]
    assert m["decisions"][-1].startswith(
        f"Stopped in epoch {m['epochs_run']}: the 0.02-minute budget's time was used up; "
    )


def test_epochs_that_were_set_are_not_held_to_the_time(tmp_path, tiny_model_dir):
    config = fast_config(tiny_model_dir, epochs=3, patience=0, budget="0.001")
    result = train(sentiment_rows(120), MAPPING, config, tmp_path)
    assert result.metrics["epochs_run"] == 3
    assert result.metrics["decisions"][-1].startswith("Ran the 3 planned epochs; epoch ")


def plan(budget: str, steps_per_epoch: int, speed):
    tuner = Tuner(TrainConfig(budget=budget), get_task("single_label"), None, None, None, None)
    return tuner.plan(steps_per_epoch, speed)


def test_it_plans_as_many_epochs_as_fit_in_the_time():
    # Better: 8 minutes. 100 steps of a second and 5 seconds of validation: 105 s an epoch.
    epochs, steps, sentence = plan("better", 100, (1.0, 5.0))
    assert (epochs, steps) == (4, 400)
    assert sentence == (
        "Planned 4 epochs: as many as fit in the Better budget's 8 minutes on this computer "
        "(about 2 minutes each)."
    )


def test_it_plans_part_of_an_epoch_when_not_even_one_fits():
    epochs, steps, sentence = plan("quick", 1000, (1.0, 10.0))
    assert epochs == 1 and 100 < steps < 162  # 90% of 180 s, less one validation
    assert sentence.startswith(f"Planned {steps} steps, part of one epoch of 1,000: no more fit")
    assert sentence.endswith("Choose a bigger budget to learn from every row.")


def test_it_plans_the_budgets_ceiling_when_it_fits_or_has_no_time_limit():
    assert plan("better", 100, (0.01, 0.1))[:2] == (12, 1200)  # 1,200 steps
    assert plan("quick", 10, (0.01, 0.1))[:2] == (40, 400)
    assert plan("best", 1000, (10.0, 60.0))[:2] == (4, 4000)  # no time limit
    assert plan("best", 10_000, None)[:2] == (3, 30_000)  # at least 3 epochs
    assert plan("best", 5, None)[:2] == (60, 300)  # at most 60


def test_it_refuses_a_budget_it_does_not_know_in_plain_words():
    for bad in ("forever", "0", "-5", "20000"):
        with pytest.raises(FinetuneError, match='must be "quick", "better", "best" or a number'):
            TrainConfig(budget=bad)
    assert TrainConfig(budget=20).budget == "20"  # minutes, from Python
