"""Picking the rows to label next: the least sure rows, kept diverse, from a real model; tasks
that cannot say how sure they are refuse in a plain sentence."""

import numpy as np
import pandas as pd
import pytest

from finetune.data import Table
from finetune.errors import FinetuneError
from finetune.predict import Predictor
from finetune.tasks import get_task
from finetune.to_label import GUESS, POOL, SURE, pick_diverse, pick_table

TEXTS = [
    "the film was great and lovely",
    "awful plot and dull acting",
    "the story was quite nice",
    "really boring ending",
    "the film and the plot",
    "acting story ending",
    "superb but awful",
    "excellent wonderful film",
    "terrible horrible poor",
    "the plot was fine but weak",
    "quite a story really",
    "and the ending",
]


@pytest.fixture(scope="module")
def predictor(trained_run):
    return Predictor.load(trained_run[0].out_dir)


def table_of(frame: pd.DataFrame) -> Table:
    return Table(frame=frame.astype(str))


def test_it_picks_the_rows_the_model_is_least_sure_of(predictor):
    table = table_of(pd.DataFrame({"id": [str(i) for i in range(len(TEXTS))], "review": TEXTS}))
    sure = {t: p["confidence"] for t, p in zip(TEXTS, predictor.predict(TEXTS), strict=True)}
    least_sure = sorted(TEXTS, key=lambda t: sure[t])

    picked = pick_table(predictor, table, rows=3)
    assert len(picked) == 3
    assert picked["review"][0] == least_sure[0]  # the least sure row comes first
    assert set(picked["review"]) <= set(least_sure[: POOL * 3])  # the surest never
    assert picked[SURE].tolist() == [f"{100 * sure[t]:.0f}%" for t in picked["review"]]
    labels = set(predictor.labels)
    assert all(guess in labels for guess in picked[GUESS])

    everything = pick_table(predictor, table, rows=50)  # more than the file has: all of it
    assert everything["review"].tolist() == least_sure


def test_it_keeps_two_copies_of_one_unsure_text_from_filling_the_pick():
    texts = ["is it good or bad", "is it good or bad", "a completely different text here",
             "another unrelated sentence", "sure thing"]  # fmt: skip
    unsure = np.array([0.9, 0.9, 0.5, 0.4, 0.0])
    assert pick_diverse(unsure, texts, rows=2) == [0, 2]
    # The least sure rows win wherever the texts differ; the surest is out of the pool.
    assert pick_diverse(np.array([0.1, 0.7, 0.2, 0.9, 0.0, 0.05, 0.8]), list("abcdefg"), 2)[0] == 3
    assert 4 not in pick_diverse(np.array([0.5, 0.4, 0.3, 0.2, 0.0]), list("abcde"), 1)


def test_it_skips_blank_texts_and_rows_already_labelled(predictor):
    frame = pd.DataFrame(
        {
            "review": ["great film", "", "awful film", "dull plot"],
            "sentiment": ["", "", "negative", ""],
        }
    )
    picked = pick_table(predictor, table_of(frame), rows=10)
    assert sorted(picked["review"]) == ["dull plot", "great film"]
    assert (picked["sentiment"] == "").all()
    with pytest.raises(FinetuneError, match="No row of this file has a text without a label"):
        pick_table(predictor, table_of(frame.iloc[[1, 2]]), rows=10)


def test_it_measures_multi_label_answers_by_their_distance_to_each_threshold():
    task = get_task("multi_label")
    head = {"labels": ["bug", "price"], "thresholds": [0.5, 0.2]}
    answers = [
        {"scores": {"bug": 0.99, "price": 0.01}},  # far from both thresholds: sure
        {"scores": {"bug": 0.5, "price": 0.01}},  # on the bug threshold: a guess
        {"scores": {"bug": 0.99, "price": 0.19}},  # just under price's low threshold
    ]
    unsure = task.uncertainty(answers, head)
    assert unsure[0] < 0.1 and unsure[1] == 1.0 and unsure[2] > 0.9


@pytest.fixture(scope="module")
def numbers_run(tmp_path_factory, toy_model_dir):
    """A real regression model: it predicts numbers without saying how sure it is."""
    from finetune.mapping import ColumnMapping
    from finetune.train import train
    from tests.finetune.conftest import fast_config
    from tests.finetune.toydata import scored_rows

    out = tmp_path_factory.mktemp("numbers")
    config = fast_config(toy_model_dir, epochs=1, task="regression")
    train(scored_rows(40), ColumnMapping(text="review", label="score"), config, out)
    return out


def test_it_refuses_for_a_task_that_cannot_say_how_sure_it_is(predictor, numbers_run):
    table = table_of(pd.DataFrame({"review": ["great film"]}))
    with pytest.raises(FinetuneError, match="cannot pick the rows to label next"):
        pick_table(Predictor.load(numbers_run), table)
    with pytest.raises(FinetuneError, match="at least one row"):
        pick_table(predictor, table, rows=0)
