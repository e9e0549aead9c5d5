"""The command line's --budget: quick, better, best or minutes; the choices are printed."""

import json

import pytest

from tests.finetune.conftest import sentiment_rows
from tests.finetune.test_cli import cli


@pytest.fixture(scope="module")
def reviews_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli-budget") / "reviews.csv"
    sentiment_rows().to_csv(path, index=False)
    return path


def train(reviews_csv, out, tiny_model_dir, *more):
    return cli("train", reviews_csv, "--text", "review", "--label", "sentiment", "--out", out,
               "--base-model", tiny_model_dir, "--max-length", 32, *more)  # fmt: skip


def test_it_offers_a_budget_in_help():
    done = cli("train", "--help")
    assert "--budget quick|better|best|MINUTES" in done.stdout
    assert "(default: better)" in done.stdout


def test_it_trains_within_a_named_budget_and_says_what_it_chose(
    tmp_path, reviews_csv, tiny_model_dir
):
    out = tmp_path / "run"
    done = train(reviews_csv, out, tiny_model_dir, "--budget", "quick", "--epochs", 2)
    assert done.returncode == 0, done.stderr
    assert "Tried 3 learning rates for 15 steps each on all 96 training rows: " in done.stdout
    assert "Ran the 2 planned epochs; epoch " in done.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["budget"] == "quick" and len(metrics["learning_rate_trials"]) == 3


def test_it_takes_a_budget_in_minutes(tmp_path, reviews_csv, tiny_model_dir):
    out = tmp_path / "run"
    more = ("--budget", "0.5", "--learning-rate", 0.003, "--max-steps", 12)
    done = train(reviews_csv, out, tiny_model_dir, *more)
    assert done.returncode == 0, done.stderr
    assert json.loads((out / "config.json").read_text())  # a complete run folder
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["budget"] == "0.5" and metrics["epochs_run"] == 2


def test_it_refuses_a_budget_it_does_not_know(tmp_path, reviews_csv, tiny_model_dir):
    done = train(reviews_csv, tmp_path / "run", tiny_model_dir, "--budget", "forever")
    assert done.returncode == 1
    assert done.stderr.strip().endswith(
        'Error: The time budget must be "quick", "better", "best" or a number of minutes, '
        "at most 10,080 (a week)."
    )
    assert not (tmp_path / "run").exists()
