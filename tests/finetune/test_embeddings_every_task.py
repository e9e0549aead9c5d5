"""The sentence-meaning candidate for several labels per row (one logistic regression per
label, thresholds picked by the task's own rule) and for numbers (ridge regression): asked of
the task, it answers in the task's format, is compared with the others, and reads back from
JSON + safetensors answering exactly the same."""

import json

import numpy as np
import pytest

from finetune import candidates, embeddings, encoder
from finetune.splits import Splits
from finetune.tasks import get_task
from finetune.tasks.base import Examples
from tests.finetune.test_candidates_saved import round_trip

NEW = ["the film was good", "awful plot really", "something never seen", ""]
WORDS = ["good", "great", "bad", "awful", "film", "plot", "the", "was"]


def tagged(n: int, seed: int = 0) -> Examples:
    """Texts tagged "praise" when they hold a praising word, "blame" for a blaming one."""
    rng = np.random.default_rng(seed)
    texts, tags = [], []
    for _ in range(n):
        words = list(rng.choice(WORDS, size=4))
        texts.append(" ".join(words))
        tags.append(sorted({"praise" for w in words if w in ("good", "great")}
                           | {"blame" for w in words if w in ("bad", "awful")}))  # fmt: skip
    return Examples(list(range(n)), texts, tags)


def scored(n: int, seed: int = 0, pairs: bool = False) -> Examples:
    """A number that counts the praising words (and, for pairs, those of the second text)."""
    rng = np.random.default_rng(seed)
    texts = [" ".join(rng.choice(WORDS, size=5)) for _ in range(n)]
    seconds = [" ".join(rng.choice(WORDS, size=3)) for _ in range(n)] if pairs else None
    both = [t + " " + (seconds[i] if pairs else "") for i, t in enumerate(texts)]
    values = [float(sum(w in ("good", "great") for w in t.split())) for t in both]
    return Examples(list(range(n)), texts, values, text_pairs=seconds)


def fitted_for(task_name: str, rows: Examples, base: str):
    task = get_task(task_name)
    train, validation = rows.subset(range(60)), rows.subset(range(60, len(rows)))
    head = task.make_head(train, rows)
    [fitted] = task.base_model_candidates(base, train, validation, head)
    return task, head, fitted


def test_several_labels_get_their_own_thresholds_and_read_back(tiny_model_dir, tmp_path):
    task, head, fitted = fitted_for("multi_label", tagged(90), str(tiny_model_dir))
    assert (fitted.name, fitted.output) == ("embeddings", "labels")
    assert len(fitted.head["thresholds"]) == len(head["labels"]) == 2
    answers = fitted.predict(NEW)
    assert [set(a) for a in answers] == [{"labels", "scores"}] * len(NEW)
    for answer in answers:  # a label is given exactly when its score reaches its threshold
        given = {n for n, t in zip(head["labels"], fitted.head["thresholds"], strict=True)
                 if answer["scores"][n] >= t}  # fmt: skip
        assert set(answer["labels"]) == given
    loaded = round_trip(fitted, tmp_path)
    assert loaded.head == fitted.head and loaded.predict(NEW) == fitted.predict(NEW)
    spec = json.loads((tmp_path / candidates.SPEC_FILE).read_text(encoding="utf-8"))
    assert (spec["kind"], spec["output"]) == ("embeddings", "labels")


@pytest.mark.parametrize("pairs", [False, True])
def test_numbers_are_read_by_ridge_regression_and_read_back(tiny_model_dir, tmp_path, pairs):
    task, head, fitted = fitted_for("regression", scored(90, pairs=pairs), str(tiny_model_dir))
    assert fitted.output == "value" and fitted.weights.shape == (1, 32 * (4 if pairs else 1))
    second = NEW[::-1] if pairs else None
    answers = fitted.predict(NEW, second)
    assert [set(a) for a in answers] == [{"value"}] * len(NEW)
    assert len({round(a["value"], 6) for a in answers}) > 1  # it reads the texts
    loaded = round_trip(fitted, tmp_path)
    assert loaded.predict(NEW, second) == answers


def test_its_setting_is_the_one_best_on_the_validation_rows(tiny_model_dir, monkeypatch):
    """Each setting of C_GRID is scored on the validation rows by the task's compare metric;
    an error (RMSE) counts lower as better."""
    rows = scored(90)
    task = get_task("regression")
    train, validation = rows.subset(range(60)), rows.subset(range(60, 90))
    head = task.make_head(train, rows)
    each = {}
    for c in embeddings.C_GRID:
        monkeypatch.setattr(embeddings, "C_GRID", (c,))
        [alone] = task.base_model_candidates(str(tiny_model_dir), train, validation, head)
        each[c] = task.metrics(validation.targets, alone.answers(validation), head)["rmse"]
    monkeypatch.undo()
    [picked] = task.base_model_candidates(str(tiny_model_dir), train, validation, head)
    rmse = task.metrics(validation.targets, picked.answers(validation), head)["rmse"]
    assert rmse == pytest.approx(min(each.values()))


@pytest.mark.parametrize("task_name", ["multi_label", "regression"])
def test_it_is_compared_with_the_others(tiny_model_dir, task_name):
    rows = tagged(90) if task_name == "multi_label" else scored(90)
    task = get_task(task_name)
    train, validation = rows.subset(range(60)), rows.subset(range(60, 90))
    head = task.make_head(train, rows)
    splits = Splits(train, validation, validation)
    model = task.candidates(train, validation, head)[0].answers(validation)
    outcome = candidates.compare(task, splits, head, model, model, str(tiny_model_dir))
    assert [row["name"] for row in outcome.metrics["candidates"]] == [
        "model", "tfidf", "embeddings"
    ]  # fmt: skip


def test_each_text_is_read_once_while_reused(tiny_model_dir, monkeypatch):
    read = []
    with encoder.reused():
        shared = encoder.encoder_for(str(tiny_model_dir))
        assert encoder.encoder_for(str(tiny_model_dir)) is shared
        original = shared._embed
        monkeypatch.setattr(shared, "_embed", lambda texts: read.extend(texts) or original(texts))
        first = shared.embed(NEW + NEW)
        again = shared.embed(NEW[::-1])
    assert sorted(read) == sorted(NEW)
    assert np.array_equal(again, first[: len(NEW)][::-1])
    assert encoder.encoder_for(str(tiny_model_dir)) is not shared  # a new one outside
