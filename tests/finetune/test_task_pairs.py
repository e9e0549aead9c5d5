"""Sentence pairs, an optional second text of classification and regression: the model reads
both texts (the toy answers hang on the second text only), duplicates are judged on the whole
pair, and prediction and scoring need the second text."""

import pandas as pd
import pytest

from finetune.errors import FinetuneError
from finetune.health import check
from finetune.mapping import ColumnMapping
from finetune.predict import Predictor, score_file
from finetune.tasks import get_task
from finetune.train import prepare, train
from tests.finetune.conftest import fast_config
from tests.finetune.toydata import pair_rows

CLASSES = ColumnMapping(text="first", text_pair="second", label="answer")
NUMBERS = ColumnMapping(text="first", text_pair="second", label="score")
slow = pytest.mark.slow  # trains the tiny model: about 10 s on 2 cores


@pytest.fixture(scope="module")
def pairs() -> pd.DataFrame:
    return pair_rows(100)


@pytest.fixture(scope="module")
def class_run(tmp_path_factory, pairs, toy_model_dir):
    out = tmp_path_factory.mktemp("pair-classes")
    return train(pairs, CLASSES, fast_config(toy_model_dir, epochs=10), out)


@pytest.fixture(scope="module")
def number_run(tmp_path_factory, pairs, toy_model_dir):
    out = tmp_path_factory.mktemp("pair-numbers")
    config = fast_config(toy_model_dir, task="regression", epochs=15)
    return train(pairs, NUMBERS, config, out)


def test_it_gives_the_tokenizer_both_texts(pairs, toy_model_dir):
    prepared = prepare(pairs, CLASSES, fast_config(toy_model_dir))
    train_part = prepared.splits.train
    assert train_part.text_pairs is not None and len(train_part.text_pairs) == len(train_part)
    assert train_part.text_pairs[0] == pairs["second"][train_part.rows[0]]
    encoded = prepared.tokenizer(train_part.texts[:1], train_part.text_pairs[:1])
    assert encoded["input_ids"][0].count(prepared.tokenizer.sep_token_id) == 2
    assert set(encoded["token_type_ids"][0]) == {0, 1}


def test_it_prepares_pairs_for_both_tasks(pairs):
    for task, mapping in (("single_label", CLASSES), ("regression", NUMBERS)):
        found = get_task(task).prepare(pairs, mapping)
        assert found.text_pairs == pairs["second"].tolist()


def test_it_judges_duplicates_on_the_whole_pair():
    frame = pd.DataFrame(
        {
            "first": ["the same question"] * 10 + ["another question", "another question"],
            "second": [f"answer number {i}" for i in range(10)] + ["same answer"] * 2,
            "label": ["yes", "no"] * 6,
        }
    )
    report = check(frame, ColumnMapping(text="first", text_pair="second", label="label"))
    assert report.duplicate_texts == 1, "the same first text with other second texts is not one"
    assert [c["rows"] for c in report.conflicts] == [[12, 13]]


def test_it_skips_a_pair_with_an_empty_second_text():
    frame = pd.DataFrame({"first": ["a", "b"], "second": ["x", " "], "answer": ["yes", "no"]})
    found = get_task("single_label").prepare(frame, CLASSES)
    assert found.rows == [0] and found.skipped["empty text"] == [1]


@slow
def test_it_learns_pair_classification_from_the_second_text(class_run):
    metrics = class_run.metrics  # on 10 test rows: one more miss is 10 points
    assert metrics["test_accuracy"] >= 0.8
    assert metrics["test_accuracy"] >= metrics["baseline_majority_accuracy"] + 0.2
    assert {"test_macro_f1", "baseline_tfidf_accuracy"} <= set(metrics)


@slow
def test_it_learns_pair_regression_from_the_second_text(number_run):
    metrics = number_run.metrics
    assert metrics["test_rmse"] < 0.5 * metrics["baseline_mean_rmse"]


@slow
def test_it_needs_the_second_text_to_predict(class_run):
    predictor = Predictor.load(class_run.out_dir)
    assert predictor.takes_pairs
    with pytest.raises(FinetuneError, match="pairs of texts"):
        predictor.predict(["the film"])
    with pytest.raises(FinetuneError, match="pairs of texts"):
        predictor.predict(["the film", "the plot"], text_pairs=["agree"])
    answers = predictor.predict(["the film", "the film"], ["i agree indeed", "quite contrary"])
    assert [a["label"] for a in answers] == ["yes", "no"]


@slow
def test_it_scores_a_spreadsheet_reading_both_columns(tmp_path, number_run):
    source = tmp_path / "new.csv"
    pd.DataFrame(
        {"first": ["the film", "the film"], "second": ["awful story", "superb story"]}
    ).to_csv(source, index=False)
    scored = pd.read_csv(score_file(number_run.out_dir, source, tmp_path / "out.csv"))
    assert list(scored.columns) == ["first", "second", "prediction"]
    assert scored["prediction"][0] < 2.5 < 3.5 < scored["prediction"][1]

    renamed = tmp_path / "renamed.csv"
    pd.DataFrame({"a": ["the film"], "b": ["superb"]}).to_csv(renamed, index=False)
    with pytest.raises(FinetuneError, match='"second"'):
        score_file(number_run.out_dir, renamed, tmp_path / "x.csv", text_column="a")
    out = score_file(
        number_run.out_dir, renamed, tmp_path / "y.csv", text_column="a", pair_column="b"
    )
    assert pd.read_csv(out)["prediction"][0] > 3.5
