"""Regression: numbers as people write them, hand-checked figures, the scale, the health
section, and a real tiny model from training to a scored spreadsheet and pipeline()."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from finetune.health import check
from finetune.mapping import ColumnMapping
from finetune.predict import Predictor, score_file
from finetune.tasks import Examples, get_task
from finetune.train import train
from tests.finetune.conftest import fast_config
from tests.finetune.toydata import SCORE_WORDS, scored_rows

TASK = get_task("regression")
MAPPING = ColumnMapping(text="review", label="score")
slow = pytest.mark.slow  # trains the tiny model: about 10 s on 2 cores


def examples(values: list[float]) -> Examples:
    return Examples(
        rows=list(range(len(values))), texts=[f"text {i}" for i in range(len(values))],
        targets=values,
    )  # fmt: skip


@pytest.fixture(scope="module")
def scored_run(tmp_path_factory, toy_model_dir):
    """One real training of the tiny model on reviews whose score hangs on one word."""
    out = tmp_path_factory.mktemp("regression-run")
    config = fast_config(toy_model_dir, task="regression", epochs=15)
    return train(scored_rows(100), MAPPING, config, out)


# Parsing


def test_it_reads_decimal_commas_and_thousands_separators():
    cells = ["3,5", "1.234,5", "1,234.5", "2 500", "1,234", "0,25", "-4", "1'000.75", " 7 "]
    frame = pd.DataFrame({"review": [f"review {i}" for i in range(len(cells))], "score": cells})
    found = TASK.prepare(frame, MAPPING)
    assert found.targets == [3.5, 1234.5, 1234.5, 2500.0, 1234.0, 0.25, -4.0, 1000.75, 7.0]


def test_it_skips_cells_that_are_not_numbers_and_names_their_spreadsheet_rows():
    cells = ["1", "2", "n/a", "3", "4", "five", "5", "", "1", "2", "3", "4", "5 stars"]
    frame = pd.DataFrame({"review": [f"review {i}" for i in range(len(cells))], "score": cells})
    found = TASK.prepare(frame, MAPPING)
    assert len(found) == 9 and {2, 5, 7, 12}.isdisjoint(found.rows)
    report = check(frame, MAPPING, task="regression")
    skipped = {s["reason"]: s["rows"] for s in report.skipped}
    assert skipped == {"value that is not a number": [4, 7, 14], "empty value": [9]}
    assert any("not a number" in w and "rows 4, 7, 14" in w for w in report.warnings)


# Figures worked out by hand


def test_it_scores_mae_rmse_r2_pearson_and_spearman_as_worked_out_by_hand():
    # errors 1, 0, 0, 1: MAE 2/4, RMSE sqrt(2/4); squares around the mean 2.5 sum to 5, so
    # R² = 1 - 2/5. Pearson: deviations (-1.5, -.5, .5, 1.5) and (-1, -1, 0, 2) give
    # 5 / sqrt(5 * 6). Spearman: ranks (1, 2, 3, 4) and (1.5, 1.5, 3, 4): 4.5 / sqrt(5 * 4.5).
    predictions = [{"value": v} for v in [2.0, 2.0, 3.0, 5.0]]
    metrics = TASK.metrics([1.0, 2.0, 3.0, 4.0], predictions, {"labels": ["value"]})
    assert metrics == pytest.approx(
        {
            "mae": 0.5,
            "rmse": math.sqrt(0.5),
            "r2": 0.6,
            "pearson": 5 / math.sqrt(30),
            "spearman": 4.5 / math.sqrt(22.5),
            "rows": 4,
        }
    )


def test_it_scales_targets_for_training_and_back_for_answers():
    values = [1.0, 2.0, 3.0, 4.0, 10.0]
    head = TASK.make_head(examples(values), examples(values))
    encoded = TASK.encode_targets(values, head)
    assert np.mean(encoded) == pytest.approx(0) and np.std(encoded) == pytest.approx(1)
    back = TASK.postprocess(np.array(encoded).reshape(-1, 1), head)
    assert [p["value"] for p in back] == pytest.approx(values)
    assert (head["min"], head["max"]) == (1.0, 10.0)


def test_it_scales_a_column_of_one_value_without_dividing_by_zero():
    head = TASK.make_head(examples([3.0] * 4), examples([3.0] * 4))
    assert TASK.encode_targets([3.0], head) == [0.0]


def test_it_reports_both_baselines_with_stable_keys():
    train_part = Examples([0, 1, 2, 3], ["good", "bad", "good film", "bad film"], [5, 1, 5, 1])
    test_part = Examples([4, 5], ["good", "bad"], [5.0, 1.0])
    figures = TASK.baselines(train_part, test_part, {"labels": ["value"]})
    keys = ("mae", "rmse", "r2", "pearson", "spearman")
    assert set(figures) == {f"baseline_{n}_{k}" for n in ("mean", "tfidf") for k in keys}
    assert figures["baseline_mean_mae"] == pytest.approx(2.0)  # always 3
    assert figures["baseline_tfidf_rmse"] < figures["baseline_mean_rmse"]


# The health report


def test_it_reports_the_range_and_outliers_by_spreadsheet_row():
    cells = ["1", "2", "3", "4", "5"] * 3 + ["1000"]
    frame = pd.DataFrame({"review": [f"review {i}" for i in range(16)], "score": cells})
    report = check(frame, MAPPING, task="regression")
    numbers = report.numbers
    assert (numbers["min"], numbers["max"], numbers["distinct"]) == (1.0, 1000.0, 6)
    assert (numbers["outliers"], numbers["outlier_rows"]) == (1, [17])
    assert any("far from the others (spreadsheet rows 17)" in w for w in report.warnings)
    assert report.ok and "labels" not in report.section, "numbers are not labels: none is rare"


def test_it_says_three_distinct_values_look_like_classes():
    frame = pd.DataFrame(
        {"review": [f"review {i}" for i in range(12)], "score": ["1", "2", "3"] * 4}
    )
    report = check(frame, MAPPING, task="regression")
    assert any("only 3 different values; they look like classes" in w for w in report.warnings)
    five = frame.assign(score=["1", "2", "3", "4"] * 3)
    assert not any(
        "look like classes" in w for w in check(five, MAPPING, task="regression").warnings
    )


# A real tiny model


@slow
def test_it_learns_the_toy_task_better_than_always_the_mean(scored_run):
    metrics = scored_run.metrics
    assert metrics["test_rmse"] < 0.5 * metrics["baseline_mean_rmse"]
    assert metrics["test_r2"] > 0.5 and metrics["test_spearman"] > 0.7
    assert {"test_mae", "test_pearson", "baseline_tfidf_rmse", "val_rmse"} <= set(metrics)


@slow
def test_it_predicts_a_number_in_the_users_units(scored_run):
    predictor = Predictor.load(scored_run.out_dir)
    answers = predictor.predict(["the film was awful", "the film was superb"])
    assert all(set(a) == {"value"} and isinstance(a["value"], float) for a in answers)
    assert answers[0]["value"] < 2.5 < 3.5 < answers[1]["value"]


@slow
def test_it_scores_a_spreadsheet_with_a_numeric_prediction_column(tmp_path, scored_run):
    source = tmp_path / "new.csv"
    pd.DataFrame({"review": ["awful plot", "good story", "superb"]}).to_csv(source, index=False)
    out = score_file(scored_run.out_dir, source, tmp_path / "scored.xlsx")
    scored = pd.read_excel(out)
    assert list(scored.columns) == ["review", "prediction"]
    assert scored["prediction"].dtype.kind == "f"
    assert scored["prediction"][0] < scored["prediction"][2]


@slow
def test_it_loads_in_a_pipeline_that_answers_the_same_number(scored_run):
    from transformers import pipeline

    config = json.loads((scored_run.out_dir / "config.json").read_text())
    assert config["problem_type"] == "regression"
    texts = [f"the story was {word}" for word in SCORE_WORDS]
    regress = pipeline("text-classification", model=str(scored_run.out_dir))
    ours = Predictor.load(scored_run.out_dir, candidate=False).predict(texts)  # the model's
    theirs = [answer["score"] for answer in regress(texts)]
    assert theirs == pytest.approx([a["value"] for a in ours], abs=1e-4)
