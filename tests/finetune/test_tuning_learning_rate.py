"""The learning rate left on auto (0): short trials of a few rates, the best on validation wins."""

import math

import pytest

from finetune import tuning
from finetune.errors import FinetuneError
from finetune.mapping import ColumnMapping
from finetune.tasks import get_task
from finetune.train import TrainConfig, train
from finetune.tuning import Trial, pick
from tests.finetune.conftest import fast_config, sentiment_rows

MAPPING = ColumnMapping(text="review", label="sentiment")


def test_it_picks_the_best_validation_figure_in_the_tasks_direction():
    accuracy = get_task("single_label")  # greater is better
    trials = [Trial(3e-5, 0.70, 0.6, 1.0), Trial(1e-4, 0.85, 0.5, 1.0), Trial(3e-4, 0.80, 0.4, 1.0)]
    assert pick(accuracy, trials).learning_rate == 1e-4
    error = get_task("regression")  # lower is better
    trials = [Trial(3e-5, 0.9, 0.9, 1.0), Trial(1e-4, 0.5, 0.5, 1.0), Trial(3e-4, 0.7, 0.7, 1.0)]
    assert pick(error, trials).learning_rate == 1e-4


def test_it_breaks_ties_on_validation_loss_and_never_picks_a_nan_figure():
    task = get_task("single_label")
    tied = [Trial(3e-5, 0.5, 0.69, 1.0), Trial(1e-4, 0.5, 0.61, 1.0), Trial(3e-4, 0.5, 0.65, 1.0)]
    assert pick(task, tied).learning_rate == 1e-4
    diverged = [Trial(3e-5, 0.6, 0.7, 1.0), Trial(3e-4, math.nan, math.nan, 1.0)]
    assert pick(task, diverged).learning_rate == 3e-5


def test_it_keeps_the_rate_that_learns_and_says_so(tmp_path, monkeypatch, tiny_model_dir):
    # Three candidates, one clearly right for this tiny model: too small to learn anything
    # in the trial, right, and so large that training falls apart.
    monkeypatch.setattr(tuning, "SMALL_RATES", (1e-7, 3e-3, 5.0))
    config = fast_config(tiny_model_dir, learning_rate=0, epochs=3, patience=0)
    result = train(sentiment_rows(120), MAPPING, config, tmp_path)
    trials = result.metrics["learning_rate_trials"]
    assert [t["learning_rate"] for t in trials] == [1e-7, 3e-3, 5.0]
    assert result.metrics["learning_rate"] == 3e-3
    assert trials[1]["val_loss"] < min(trials[0]["val_loss"], trials[2]["val_loss"])
    said = result.metrics["decisions"][0]
    assert said.startswith("Tried 3 learning rates for 100 steps each on all 96 training rows")
    assert "3e-3 won on the validation rows (accuracy: " in said


def test_it_tries_on_a_sample_of_many_rows(tmp_path, tiny_model_dir):
    config = fast_config(tiny_model_dir, learning_rate=0, epochs=1, budget="quick")
    result = train(sentiment_rows(600), MAPPING, config, tmp_path)
    # Quick: 15 steps of 16 rows = 240 of the 480 training rows.
    assert "for 15 steps each on 50% of the 480 training rows" in result.metrics["decisions"][0]
    assert result.metrics["learning_rate"] in tuning.SMALL_RATES


def test_it_leaves_a_rate_that_was_set_alone(tmp_path, tiny_model_dir):
    result = train(sentiment_rows(40), MAPPING, fast_config(tiny_model_dir, epochs=1), tmp_path)
    assert result.metrics["learning_rate"] == 3e-3
    assert result.metrics["learning_rate_trials"] == []
    assert not result.metrics["decisions"][0].startswith("Tried")


def test_it_refuses_a_negative_rate_in_plain_words():
    with pytest.raises(FinetuneError, match="learning rate must be between 0 and 1"):
        TrainConfig(learning_rate=-1)


def test_a_step_limit_keeps_the_trials_short(tmp_path, tiny_model_dir):
    config = fast_config(tiny_model_dir, learning_rate=0, epochs=0, max_steps=4)
    result = train(sentiment_rows(40), MAPPING, config, tmp_path)
    assert "Tried 3 learning rates for 4 steps each" in result.metrics["decisions"][0]
    assert result.metrics["decisions"][-1].startswith(
        "Stopped after epoch 2 at the step limit of 4"
    )
