"""A small, learnable entity data set for the named-entity tests, as (token, tag) sentences.

    sentences = ner_sentences(80)                 # BIO tags: PER, LOC (some of two words)
    frames = layout_frames(sentences)             # bench.ner_layouts: the three layouts
    NER_WORDS                                     # every word, for the tiny model's vocabulary

A word's type never changes (a name is always a person, a city always a place), so the tiny
model learns it in seconds; "new york" and "san diego" give entities of two tokens.
"""

import random

PEOPLE = ["alice", "bob", "carol", "dave", "frank", "grace"]
PLACES = ["paris", "rome", "oslo", "new york", "san diego"]
FILLER = ["met", "saw", "in", "at", "near", "today", "the", "friend", "of", "we", "went", "and"]
NER_WORDS = sorted({w for x in PEOPLE + PLACES + FILLER for w in x.split()} | {".", ","})


def _entity(words: str, kind: str) -> list[tuple[str, str]]:
    parts = words.split()
    return [(w, ("B-" if i == 0 else "I-") + kind) for i, w in enumerate(parts)]


def ner_sentences(n: int = 80, seed: int = 0, filler: int = 3) -> list[list[tuple[str, str]]]:
    """`n` sentences: filler words around a person and a place (every fifth has none)."""
    rng = random.Random(seed)
    sentences = []
    for i in range(n):
        pieces = [[(w, "O")] for w in rng.sample(FILLER, filler)]
        if i % 5:
            pieces.insert(rng.randrange(len(pieces) + 1), _entity(rng.choice(PEOPLE), "PER"))
            pieces.insert(rng.randrange(len(pieces) + 1), _entity(rng.choice(PLACES), "LOC"))
        sentences.append([pair for piece in pieces for pair in piece] + [(".", "O")])
    return sentences
