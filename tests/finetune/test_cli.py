"""The command line, run as a user runs it: check, train, predict, and the exit codes."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.finetune.conftest import sentiment_rows

ROOT = Path(__file__).resolve().parents[2]


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "finetune", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def reviews_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "reviews.csv"
    sentiment_rows().to_csv(path, index=False)
    return path


def test_it_explains_itself_in_help():
    done = cli("train", "--help")
    assert done.returncode == 0
    for flag in (
        "--text",
        "--label",
        "--sheet",
        "--split-column",
        "--base-model",
        "--out",
        "--epochs",
        "--learning-rate",
        "--batch-size",
        "--max-length",
    ):
        assert flag in done.stdout


def test_it_checks_healthy_data_with_exit_code_0(reviews_csv):
    done = cli("check", reviews_csv, "--text", "review", "--label", "sentiment")
    assert done.returncode == 0, done.stderr
    assert "Ready to train." in done.stdout and "negative (60)" in done.stdout


def test_it_uses_the_files_own_split_column_unless_told_not_to(tmp_path):
    path = tmp_path / "split.csv"
    rows = sentiment_rows(40)
    rows["part"] = ["train"] * 30 + ["test"] * 10
    rows.to_csv(path, index=False)
    done = cli("check", path, "--text", "review", "--label", "sentiment")
    assert done.returncode == 0, done.stderr
    assert "Your split column: " in done.stdout and "10 to test." in done.stdout, done.stdout
    done = cli("check", path, "--text", "review", "--label", "sentiment", "--split-column", "none")
    assert done.returncode == 0 and "Your split column" not in done.stdout, done.stdout


def test_it_exits_1_with_a_plain_sentence_for_an_unknown_column(reviews_csv):
    done = cli("check", reviews_csv, "--text", "body", "--label", "sentiment")
    assert done.returncode == 1
    assert "body" in done.stderr and "review" in done.stderr and "Traceback" not in done.stderr


def test_it_exits_1_when_the_data_cannot_be_trained(tmp_path):
    path = tmp_path / "one_label.csv"
    pd.DataFrame({"t": [f"x{i}" for i in range(20)], "l": ["a"] * 20}).to_csv(path, index=False)
    done = cli("check", path, "--text", "t", "--label", "l")
    assert done.returncode == 1 and "Problem:" in done.stdout


def test_it_trains_then_predicts(tmp_path, reviews_csv, tiny_model_dir):
    out = tmp_path / "run"
    done = cli(
        "train",
        reviews_csv,
        "--text",
        "review",
        "--label",
        "sentiment",
        "--out",
        out,
        "--base-model",
        tiny_model_dir,
        "--epochs",
        20,
        "--learning-rate",
        0.003,
        "--max-length",
        32,
        "--warmup-ratio",
        0,
    )
    assert done.returncode == 0, done.stderr
    assert "Accuracy" in done.stdout and (out / "model.safetensors").is_file()

    new = tmp_path / "new.csv"
    pd.DataFrame({"review": ["great film", "boring plot"]}).to_csv(new, index=False)
    done = cli("predict", out, new, "--out", tmp_path / "scored.csv")
    assert done.returncode == 0, done.stderr
    scored = pd.read_csv(tmp_path / "scored.csv", encoding="utf-8-sig")
    assert list(scored.columns) == ["review", "prediction", "confidence"]


def test_it_fails_with_exit_code_1_when_the_model_folder_is_missing(tmp_path, reviews_csv):
    done = cli("predict", tmp_path / "nothing", reviews_csv, "--out", tmp_path / "x.csv")
    assert done.returncode == 1 and "not a LabelTune model folder" in done.stderr


def toy_settings(model_dir, epochs=2):
    return ["--base-model", model_dir, "--epochs", epochs, "--learning-rate", 0.003,
            "--max-length", 32, "--warmup-ratio", 0]  # fmt: skip


@pytest.fixture(scope="module")
def scores_run(tmp_path_factory, toy_model_dir):
    """`train` with --task auto on a sheet whose "score" column holds numbers."""
    from tests.finetune.toydata import scored_rows

    folder = tmp_path_factory.mktemp("cli-scores")
    frame = scored_rows(60).assign(category=["a", "b"] * 30)  # a label-looking decoy column
    frame.to_csv(folder / "reviews.csv", index=False)
    done = cli(
        "train", folder / "reviews.csv", "--text", "review", "--label", "score",
        "--out", folder / "run", *toy_settings(toy_model_dir),
    )  # fmt: skip
    return done, folder / "run"


@pytest.mark.slow
def test_it_prints_the_suggested_task_with_its_reason(scores_run):
    done, run = scores_run
    assert done.returncode == 0, done.stderr
    assert (
        'Task: regression. "score" holds numbers (5 different values), so the model learns to '
        "predict a number." in done.stderr
    )
    assert "RMSE" in done.stdout and (run / "labeltune.json").is_file()


@pytest.mark.slow
def test_it_trains_multi_label_from_two_0_1_label_columns(tmp_path, toy_model_dir):
    import json

    from tests.finetune.toydata import tagged_rows

    tagged_rows(60).drop(columns=["tags"]).to_csv(tmp_path / "tickets.csv", index=False)
    done = cli(
        "train", tmp_path / "tickets.csv", "--text", "ticket", "--label", "delivery",
        "--label", "price", "--out", tmp_path / "run", *toy_settings(toy_model_dir),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Task: multi_label." in done.stderr and "Micro F1" in done.stdout
    info = json.loads((tmp_path / "run" / "labeltune.json").read_text())
    assert info["task"] == "multi_label" and info["labels"] == ["delivery", "price"]
    assert info["mapping"]["labels"] == ["delivery", "price"]


@pytest.mark.slow
def test_it_predicts_the_regression_columns(tmp_path, scores_run):
    _, run = scores_run
    pd.DataFrame({"review": ["superb film", "awful film"], "id": ["1", "2"]}).to_csv(
        tmp_path / "new.csv", index=False
    )
    done = cli("predict", run, tmp_path / "new.csv", "--out", tmp_path / "scored.csv")
    assert done.returncode == 0, done.stderr
    scored = pd.read_csv(tmp_path / "scored.csv", encoding="utf-8-sig")
    assert list(scored.columns) == ["review", "id", "prediction"]
    assert scored["prediction"].dtype.kind == "f"
