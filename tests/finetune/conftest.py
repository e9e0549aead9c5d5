"""Shared fixtures for the finetune tests: a small, learnable data set and a tiny BERT."""

import random

import pandas as pd
import pytest

from tests.tinymodel import make_tiny_model

POSITIVE = ["good", "great", "lovely", "excellent", "wonderful", "fine", "superb", "nice"]
NEGATIVE = ["bad", "awful", "terrible", "poor", "horrible", "dull", "boring", "weak"]
FILLER = ["the", "film", "was", "plot", "acting", "really", "quite", "story", "ending", "and"]


def sentiment_rows(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Reviews whose label is decided by one sentiment word among filler words."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        label = "positive" if i % 2 == 0 else "negative"
        words = rng.sample(FILLER, 4) + [rng.choice(POSITIVE if label == "positive" else NEGATIVE)]
        rng.shuffle(words)
        rows.append({"review": " ".join(words), "sentiment": label})
    return pd.DataFrame(rows, dtype=str)


@pytest.fixture(scope="session")
def sentiment_frame() -> pd.DataFrame:
    return sentiment_rows()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    texts = " ".join(POSITIVE + NEGATIVE + FILLER + ["great product", "never again"]).split()
    return make_tiny_model(texts, tmp_path_factory.mktemp("tiny-bert"))


def fast_config(tiny_model_dir, **overrides):
    """Settings that make the tiny model learn the toy data in a few seconds."""
    from finetune.train import TrainConfig

    settings = dict(
        base_model=str(tiny_model_dir),
        epochs=20,
        learning_rate=3e-3,
        batch_size=16,
        max_length=32,
        warmup_ratio=0.0,
        patience=0,
        contrastive="off",  # pairs first: tests/finetune/test_contrastive.py
    )
    return TrainConfig(**settings | overrides)


@pytest.fixture(scope="session")
def trained_run(tmp_path_factory, sentiment_frame, tiny_model_dir):
    """One real training run of the tiny model, shared by the tests that only read its output."""
    from finetune import crossval
    from finetune.mapping import ColumnMapping
    from finetune.train import train

    out = tmp_path_factory.mktemp("run")
    progress = []
    # Its readers need the fine-tuned model to serve. Its 12 validation rows would pick by
    # cross-validation, where TF-IDF, perfect on this toy data, answers instead
    # (tests/finetune/test_candidates_crossval.py): here they pick as many rows would.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crossval, "FEW_VALIDATION_ROWS", 0)
        result = train(
            sentiment_frame,
            ColumnMapping(text="review", label="sentiment"),
            fast_config(tiny_model_dir),
            out,
            on_progress=progress.append,
        )
    return result, progress


@pytest.fixture(scope="session")
def toy_model_dir(tmp_path_factory):
    """A tiny BERT whose vocabulary knows every word of the toy data in toydata.py."""
    from tests.finetune.toydata import TOY_WORDS

    return make_tiny_model(TOY_WORDS, tmp_path_factory.mktemp("toy-bert"))
