"""The sentence-meaning candidate: the run's frozen base model embeds each text (mean over the
attention mask, length 1), a logistic regression reads the embeddings; it answers in the
single-label format, is saved as JSON + safetensors and answers the same once read back."""

import json

import numpy as np
import pytest
from huggingface_hub import constants

from finetune import candidates
from finetune.embeddings import EmbeddingsCandidate, Encoder
from finetune.errors import FinetuneError
from finetune.splits import Splits
from finetune.tasks import get_task
from finetune.tasks.base import Examples
from tests.finetune.test_candidates_saved import round_trip, sentiment_examples

NEW = ["the film was good", "awful plot really", "something never seen", ""]


@pytest.fixture(scope="module")
def task():
    return get_task("single_label")


@pytest.fixture(scope="module")
def parts(task):
    rows = sentiment_examples(90)
    train, validation = rows.subset(range(60)), rows.subset(range(60, 90))
    return train, validation, task.make_head(train, rows)


def test_it_embeds_each_text_alone_as_in_a_padded_batch(tiny_model_dir):
    encoder = Encoder(str(tiny_model_dir))
    short, long = "good film", "the film was really quite lovely and the plot was great"
    together = encoder.embed([long, short])
    assert np.allclose(encoder.embed([short])[0], together[1], atol=1e-5)  # padding ignored
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert encoder.features([short], [long]).shape == (1, 4 * together.shape[1])


def test_it_fits_a_candidate_that_answers_as_the_task_does(task, parts, tiny_model_dir):
    train, validation, head = parts
    [fitted] = task.base_model_candidates(str(tiny_model_dir), train, validation, head)
    assert (fitted.name, fitted.words) == ("embeddings", "the sentence-meaning model")
    answers = fitted.predict(NEW)
    assert [set(a) for a in answers] == [{"label", "confidence", "scores"}] * len(NEW)
    assert all(list(a["scores"]) == head["labels"] for a in answers)
    assert all(a["confidence"] == max(a["scores"].values()) for a in answers)


def test_it_reads_back_a_model_that_answers_exactly_the_same(task, parts, tiny_model_dir, tmp_path):
    train, validation, head = parts
    [fitted] = task.base_model_candidates(str(tiny_model_dir), train, validation, head)
    loaded = round_trip(fitted, tmp_path)
    assert isinstance(loaded, EmbeddingsCandidate) and loaded is not fitted
    assert loaded.predict(NEW) == fitted.predict(NEW)
    spec = json.loads((tmp_path / candidates.SPEC_FILE).read_text(encoding="utf-8"))
    assert spec["kind"] == "embeddings" and spec["base_model"] == str(tiny_model_dir)
    assert (spec["pooling"], spec["normalize"]) == ("mean", True)


def test_it_reads_pairs_as_both_embeddings_side_by_side(task, tiny_model_dir, tmp_path):
    rows = sentiment_examples(60)
    pairs = Examples(rows.rows, rows.texts, rows.targets, text_pairs=rows.texts[::-1])
    head = task.make_head(pairs, pairs)
    [fitted] = task.base_model_candidates(str(tiny_model_dir), pairs.subset(range(40)),
                                          pairs.subset(range(40, 60)), head)  # fmt: skip
    assert fitted.weights.shape[1] == 4 * 32  # u, v, |u - v|, u * v of the tiny model's 32
    loaded = round_trip(fitted, tmp_path)
    assert loaded.predict(NEW, NEW[::-1]) == fitted.predict(NEW, NEW[::-1])


def test_it_is_compared_with_the_others_when_the_run_names_its_base_model(
    task, parts, tiny_model_dir
):
    train, validation, head = parts
    splits = Splits(train, validation, validation)
    model = [{"label": head["labels"][0], "confidence": 1.0, "scores": {}}] * len(validation)
    names = [row["name"] for row in candidates.compare(task, splits, head, model, model)
             .metrics["candidates"]]  # fmt: skip
    assert names == ["model", "tfidf"]
    outcome = candidates.compare(task, splits, head, model, model, str(tiny_model_dir))
    assert [row["name"] for row in outcome.metrics["candidates"]] == [*names, "embeddings"]


def test_it_is_left_out_above_the_row_limit(task, parts, tiny_model_dir, monkeypatch):
    train, validation, head = parts
    monkeypatch.setattr("finetune.embeddings.MAX_TRAIN_ROWS", len(train) - 1)
    assert task.base_model_candidates(str(tiny_model_dir), train, validation, head) == []


def test_it_says_plainly_when_its_hub_model_cannot_be_had(parts, monkeypatch):
    _, _, head = parts
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    lost = EmbeddingsCandidate("nobody-here/no-such-model", np.zeros((1, 32)), np.zeros(1),
                               head["labels"], head)  # fmt: skip
    with pytest.raises(FinetuneError, match='Could not get the base model "nobody-here/no-such'):
        lost.predict(NEW)
