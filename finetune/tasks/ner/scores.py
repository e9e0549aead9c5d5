"""Scores of found entities against the expected ones, from character spans.

    scores = entity_scores(expected, found)   # per text: lists of (start, end, type)
    scores["overall"]["f1"], scores["types"][0]["precision"]
    token_accuracy(texts, expected, found)     # share of words with the right BIO tag
    confusions(expected, found)                # same characters, another type

Matching is strict, as seqeval's strict mode and the CoNLL evaluation count it: an entity is
right only when its start, end and type are all the expected ones. Precision is the share of
found entities that are right, recall the share of expected entities found, F1 their harmonic
mean; "overall" counts every entity of every type together (micro average). Token accuracy
reads each text as words (a run of letters or digits, a punctuation mark, or one character of
an unspaced script such as Chinese), tags each word B-/I-/O from the spans and compares the
tags, as seqeval's accuracy_score does with tag lists; tests/finetune/test_ner_scores.py
checks both against seqeval.
"""

import re
from collections import Counter

from finetune.tasks.ner.entities import is_unspaced

RUNS = re.compile(r"\w+|[^\w\s]")  # letters and digits together; each punctuation mark


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _figures(correct: int, found: int, expected: int) -> dict:
    precision, recall = _ratio(correct, found), _ratio(correct, expected)
    return {"precision": precision, "recall": recall, "f1": _f1(precision, recall)}


def entity_scores(expected: list, found: list, types=()) -> dict:
    """{"overall": {precision, recall, f1, support, found, correct}, "types": [{type,
    precision, recall, f1, support}, ...] largest first}; `types` are listed even when absent."""
    right, said, real = Counter(), Counter(), Counter()
    for gold, guess in zip(expected, found, strict=True):
        gold = {(int(s), int(e), str(t)) for s, e, t in gold}
        guess = {(int(s), int(e), str(t)) for s, e, t in guess}
        real.update(t for _, _, t in gold)
        said.update(t for _, _, t in guess)
        right.update(t for _, _, t in gold & guess)
    kinds = sorted(set(types) | set(real) | set(said), key=lambda t: (-real[t], t))
    overall = _figures(sum(right.values()), sum(said.values()), sum(real.values()))
    overall |= {
        "support": sum(real.values()),
        "found": sum(said.values()),
        "correct": sum(right.values()),
    }
    rows = [{"type": t, **_figures(right[t], said[t], real[t]), "support": real[t]} for t in kinds]
    return {"overall": overall, "types": rows}


def words(text: str) -> list[tuple[int, int]]:
    """(start, end) of each word of `text` (see the module docstring)."""
    out = []
    for run in RUNS.finditer(text):
        start = run.start()
        for i in range(run.start(), run.end()):
            if is_unspaced(text[i]):  # one word per character; what went before is one word
                out += [(start, i)] if i > start else []
                out.append((i, i + 1))
                start = i + 1
        if start < run.end():
            out.append((start, run.end()))
    return out


def word_tags(spans_of_words: list[tuple[int, int]], spans) -> list[str]:
    """B-TYPE on the first word an entity touches, I-TYPE on its other words, O elsewhere."""
    tags = ["O"] * len(spans_of_words)
    for start, end, kind in sorted(spans):
        first = True
        for i, (word_start, word_end) in enumerate(spans_of_words):
            if word_start < end and word_end > start and tags[i] == "O":
                tags[i] = f"{'B' if first else 'I'}-{kind}"
                first = False
    return tags


def token_accuracy(texts: list[str], expected: list, found: list) -> float:
    """The share of words whose tag the found entities get right (see the docstring)."""
    same = total = 0
    for text, gold, guess in zip(texts, expected, found, strict=True):
        pieces = words(text)
        same += sum(
            a == b for a, b in zip(word_tags(pieces, gold), word_tags(pieces, guess), strict=True)
        )
        total += len(pieces)
    return _ratio(same, total)


def confusions(expected: list, found: list) -> list[dict]:
    """[{"expected": "PER", "predicted": "ORG", "count": 3}]: entities found with exactly the
    expected characters but another type, most common first."""
    counts = Counter()
    for gold, guess in zip(expected, found, strict=True):
        guessed = {(int(s), int(e)): str(t) for s, e, t in guess}
        for s, e, t in gold:
            other = guessed.get((int(s), int(e)))
            if other is not None and other != t:
                counts[(t, other)] += 1
    return [
        {"expected": a, "predicted": b, "count": n}
        for (a, b), n in sorted(counts.items(), key=lambda x: (-x[1], x[0]))
    ]
