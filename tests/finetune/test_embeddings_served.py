"""A real run where the sentence-meaning candidate does best on the validation rows: it serves
the Predictor (one text at a time and a scored file) as it answered in training.

The rows of validation and test use sentiment words training never saw; the tiny base model
gives each of them the same vector as the training words of its side, so the frozen
embeddings carry the sentiment over while TF-IDF, which only knows the training words, cannot.
"""

import random

import pandas as pd
import pytest

from finetune import candidates, rundir
from finetune.data import read_table
from finetune.mapping import ColumnMapping
from finetune.predict import Predictor, score_file
from finetune.train import train
from tests.finetune.conftest import FILLER, NEGATIVE, POSITIVE, fast_config
from tests.tinymodel import make_tiny_model

SEEN = {"positive": POSITIVE[:4], "negative": NEGATIVE[:4]}  # training rows' sentiment words
UNSEEN = {"positive": POSITIVE[4:], "negative": NEGATIVE[4:]}  # validation and test rows'
MAPPING = ColumnMapping(text="review", label="sentiment", split="split")


def reviews(words: dict, n: int, split: str) -> list[dict]:
    """Filler words drawn at random, whatever the label: only the sentiment word tells."""
    rng, rows = random.Random(split), []
    for i in range(n):
        label = "positive" if i % 2 == 0 else "negative"
        sentiment = words[label][(i // 2) % len(words[label])]
        filler = rng.sample(FILLER, 3)
        rows.append({"review": " ".join([*filler[:2], sentiment, filler[2]]),
                     "sentiment": label, "split": split})  # fmt: skip
    return rows


def synonym_model(folder):
    """The tiny model, with every positive word's vector the same, and every negative's."""
    from transformers import BertModel, BertTokenizerFast

    make_tiny_model(POSITIVE + NEGATIVE + FILLER, folder)
    model, vocab = (
        BertModel.from_pretrained(folder),
        BertTokenizerFast.from_pretrained(folder).vocab,
    )
    table = model.embeddings.word_embeddings.weight.data
    for words in (POSITIVE, NEGATIVE):
        table[[vocab[w] for w in words]] = table[vocab[words[0]]].clone()
    model.save_pretrained(folder, safe_serialization=True)
    return folder


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = synonym_model(tmp_path_factory.mktemp("synonyms"))
    frame = pd.DataFrame(reviews(SEEN, 60, "train") + reviews(UNSEEN, 30, "validation")
                         + reviews(UNSEEN, 30, "test"), dtype=str)  # fmt: skip
    out = tmp_path_factory.mktemp("sentence-meaning-run")
    train(frame, MAPPING, fast_config(base, epochs=1, max_steps=1), out)
    return out


def test_it_serves_when_it_does_best_on_the_validation_rows(run):
    metrics = rundir.read_json(run, "metrics.json")
    assert metrics["served"] == "embeddings" and rundir.read_info(run)["served"] == "embeddings"
    rows = {row["name"]: row for row in metrics["candidates"]}
    assert set(rows) == {"model", "tfidf", "embeddings"}
    assert rows["embeddings"]["validation"] > max(rows["model"]["validation"],
                                                  rows["tfidf"]["validation"])  # fmt: skip
    assert (run / candidates.SPEC_FILE).is_file() and (run / candidates.ARRAYS_FILE).is_file()
    assert not list(run.glob("*.pkl")) and not list(run.glob("*.joblib"))
    # 30 validation rows: picked by cross-validation too (finetune/crossval.py)
    assert rows["embeddings"]["cross_validated"] > rows["tfidf"]["cross_validated"]
    assert "so LabelTune uses the sentence-meaning model." in (run / "README.md").read_text(
        encoding="utf-8"
    )


def test_the_predictor_answers_single_texts_as_in_training(run):
    predictor = Predictor.load(run)
    assert predictor.served == "embeddings" and predictor.model is None
    held_out = rundir.read_test_predictions(run)
    answers = predictor.predict(held_out["text"].tolist())
    assert answers == candidates.load(run).predict(held_out["text"].tolist())
    right = sum(a["label"] == t for a, t in zip(answers, held_out["label"], strict=True))
    metrics = rundir.read_json(run, "metrics.json")
    assert right / len(held_out) == metrics["served_test_accuracy"]
    assert metrics["served_test_accuracy"] > metrics["test_accuracy"]
    [one] = predictor.predict(["the film was superb"])
    assert one["label"] == "positive" and list(one["scores"]) == ["negative", "positive"]


def test_it_scores_a_file(run, tmp_path):
    source = tmp_path / "new.csv"
    pd.DataFrame({"review": ["the film was superb", "the acting was horrible"]}).to_csv(
        source, index=False
    )
    scored = read_table(score_file(run, source, tmp_path / "scored.csv")).frame
    assert scored["review"].tolist() == ["the film was superb", "the acting was horrible"]
    expected = Predictor.load(run).predict(scored["review"].tolist())
    assert scored.iloc[:, 1].tolist() == [answer["label"] for answer in expected]
    assert scored.iloc[:, 1].tolist() == ["positive", "negative"]
