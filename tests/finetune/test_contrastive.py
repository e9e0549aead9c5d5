"""Few rows of one label each: the model first learns which rows go together from pairs of
them (SetFit's method, sentence-transformers' CosineSimilarityLoss), then the labels; the saved
folder stays a standard transformers model that pipeline() loads."""

import json

import numpy as np
import pytest

from finetune import contrastive
from finetune.encoder import Encoder
from finetune.mapping import ColumnMapping
from finetune.predict import Predictor
from finetune.tasks import get_task
from finetune.tasks.base import Examples
from tests.finetune.conftest import fast_config, sentiment_rows

LABELS = ["pos", "neg", "pos", "neg", "pos", "neg", "mid", "mid"]


def test_each_row_is_paired_with_its_label_and_another_each_round():
    inputs = [f"text {i}" for i in range(len(LABELS))]
    made = contrastive.pairs(inputs, LABELS, seed=1)
    assert len(made) == contrastive.ROUNDS * 2 * len(LABELS)
    label = dict(zip(inputs, LABELS, strict=True))
    for a, b, similar in made:
        assert (label[a] == label[b]) == (similar == 1.0) and a != b
    firsts = [a for a, _, _ in made]
    assert all(firsts.count(text) == 2 * contrastive.ROUNDS for text in inputs)
    assert contrastive.pairs(inputs, LABELS, seed=1) == made  # seeded


def test_more_rows_get_fewer_rounds_within_the_cap():
    made = contrastive.pairs([str(i) for i in range(200)], ["a", "b"] * 100, seed=0)
    rounds = contrastive.MAX_PAIRS // 400
    assert 1 < rounds < contrastive.ROUNDS and len(made) == rounds * 400
    made = contrastive.pairs([str(i) for i in range(2000)], ["a", "b"] * 1000, seed=0)
    assert len(made) == contrastive.MAX_PAIRS  # cut at the cap
    assert {similar for _, _, similar in made} == {0.0, 1.0}


@pytest.mark.parametrize(
    ("task_name", "rows", "setting", "used"),
    [
        ("single_label", 64, "auto", True),
        ("single_label", contrastive.MAX_TRAIN_ROWS + 1, "auto", False),
        ("single_label", contrastive.MAX_TRAIN_ROWS + 1, "on", True),
        ("single_label", 64, "off", False),
        ("regression", 64, "on", False),  # the task makes no pairs
        ("multi_label", 64, "auto", False),  # the task makes no pairs
        ("multi_label", 64, "on", False),
    ],
)
def test_it_is_used_where_the_task_allows_and_the_rows_are_few(task_name, rows, setting, used):
    assert contrastive.wanted(get_task(task_name), rows, setting) is used


def similarity_gap(folder, texts, labels) -> float:
    """Mean cosine similarity of same-label pairs minus that of different-label pairs."""
    vectors = Encoder(str(folder)).embed(texts)
    same = np.equal.outer(labels, labels)
    cosine = vectors @ vectors.T
    off = ~np.eye(len(texts), dtype=bool)
    return float(cosine[same & off].mean() - cosine[~same].mean())


def test_it_brings_rows_of_one_label_together_in_the_model(tiny_model_dir, tmp_path,
                                                           monkeypatch):  # fmt: skip
    from transformers import AutoModelForSequenceClassification

    monkeypatch.setattr(contrastive, "LEARNING_RATE", 3e-3)  # the tiny random model learns fast
    frame = sentiment_rows(40)
    rows = Examples(list(range(40)), frame["review"].tolist(), frame["sentiment"].tolist())
    model = AutoModelForSequenceClassification.from_pretrained(tiny_model_dir, num_labels=2)
    config = fast_config(tiny_model_dir)
    task = get_task("single_label")
    paired = contrastive.tune(task, model, str(tiny_model_dir), rows, config, "cpu")
    assert paired.pairs == contrastive.ROUNDS * 2 * 40
    model.base_model.save_pretrained(tmp_path)  # the encoder as the classification model has it
    for tokenizer_file in tiny_model_dir.glob("*token*"):
        (tmp_path / tokenizer_file.name).write_bytes(tokenizer_file.read_bytes())
    before = similarity_gap(tiny_model_dir, rows.texts, rows.targets)
    after = similarity_gap(tmp_path, rows.texts, rows.targets)
    assert after > before + 0.1


@pytest.mark.slow
def test_a_run_that_starts_from_pairs_saves_a_folder_pipeline_loads(tiny_model_dir, tmp_path):
    from transformers import pipeline

    from finetune.train import train

    config = fast_config(tiny_model_dir, contrastive="on", epochs=3)
    result = train(sentiment_rows(60), ColumnMapping(text="review", label="sentiment"), config,
                   tmp_path)  # fmt: skip
    assert result.metrics["contrastive_pairs"] > 0
    assert any(d.startswith("Few training rows: the model first learned which rows go together")
               for d in result.metrics["decisions"])  # fmt: skip
    saved = json.loads((tmp_path / "labeltune.json").read_text(encoding="utf-8"))
    assert saved["config"]["contrastive"] == "on"  # frozen with the run
    texts = ["the film was good", "the plot was awful and dull"]
    classify = pipeline("text-classification", model=str(tmp_path))
    ours = Predictor.load(tmp_path, candidate=False).predict(texts)
    assert [a["label"] for a in classify(texts)] == [a["label"] for a in ours]


def test_numbers_and_several_labels_make_no_pairs():
    two = Examples([0, 1], ["a", "b"], [1.0, 2.0], text_pairs=["x", "y"])
    assert get_task("regression").similarity_pairs(two, seed=0) == []
    assert get_task("multi_label").similarity_pairs(two, seed=0) == []
