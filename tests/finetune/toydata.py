"""Toy data sets a tiny BERT learns in seconds, one per task: the answer hangs on keywords.

frame = tagged_rows(120)        # multi-label: "tags" joined by "; " and one 0/1 column per tag
frame = scored_rows(120)        # regression: "score" 1-5 decided by one word
frame = pair_rows(120)          # pairs: the answer is decided by a word of the second text
make_tiny_model(TOY_WORDS, folder)   # a vocabulary that knows every word used here
"""

import random

import pandas as pd

from tests.finetune.conftest import FILLER

TAG_WORDS = {
    "delivery": ["late", "parcel"],
    "price": ["expensive", "refund"],
    "quality": ["broken"],
}
SCORE_WORDS = {"awful": 1.0, "poor": 2.0, "okay": 3.0, "good": 4.0, "superb": 5.0}
AGREE_WORDS = {"yes": ["agree", "indeed", "certainly"], "no": ["differ", "unlike", "contrary"]}
TOY_WORDS = sorted(
    set(FILLER)
    | {w for words in TAG_WORDS.values() for w in words}
    | set(SCORE_WORDS)
    | {w for words in AGREE_WORDS.values() for w in words}
)


def _filler(rng: random.Random, n: int) -> list[str]:
    return rng.sample(FILLER, n)


def tagged_rows(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Tickets whose tags are the tags of the keywords they contain (none for about 1 in 8)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        tags = sorted(t for t in TAG_WORDS if rng.random() < 0.4)
        words = _filler(rng, 1 if tags else 2) + [rng.choice(TAG_WORDS[t]) for t in tags]
        rng.shuffle(words)
        row = {"ticket": " ".join(words), "tags": "; ".join(tags)}
        row |= {tag: "1" if tag in tags else "0" for tag in TAG_WORDS}
        rows.append(row)
    return pd.DataFrame(rows, dtype=str)


def scored_rows(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Reviews whose score (1 to 5) is decided by one word among filler words."""
    rng = random.Random(seed)
    names = list(SCORE_WORDS)
    rows = []
    for i in range(n):
        word = names[i % len(names)]
        words = _filler(rng, 4) + [word]
        rng.shuffle(words)
        rows.append({"review": " ".join(words), "score": f"{SCORE_WORDS[word]:g}"})
    return pd.DataFrame(rows, dtype=str)


def pair_rows(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Pairs whose answer is decided by a word of the second text only: a model that did not
    read the second text could not learn it. "answer" is yes/no; "score" a number 1-5."""
    rng = random.Random(seed)
    names = list(SCORE_WORDS)
    rows = []
    for i in range(n):
        answer = "yes" if i % 2 == 0 else "no"
        score_word = names[i % len(names)]
        second = _filler(rng, 3) + [rng.choice(AGREE_WORDS[answer]), score_word]
        rng.shuffle(second)
        rows.append(
            {
                "first": " ".join(_filler(rng, 4)),
                "second": " ".join(second),
                "answer": answer,
                "score": f"{SCORE_WORDS[score_word]:g}",
            }
        )
    return pd.DataFrame(rows, dtype=str)
