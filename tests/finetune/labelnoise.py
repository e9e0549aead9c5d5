"""Data with labels flipped on purpose, for the label-issue tests: each label has words of
its own, so even a tiny random model's sentence embeddings tell the labels apart.

    frame, flipped = noisy_topics()        # frame rows at `flipped` carry a wrong label
    model_dir = topic_model(tmp_path)      # a tiny BERT that knows every word
"""

import random

import pandas as pd

from tests.tinymodel import make_tiny_model

TOPICS = {
    "sport": ["goal", "match", "referee", "striker", "league", "penalty", "keeper", "stadium"],
    "food": ["soup", "bread", "cheese", "pasta", "salad", "butter", "pepper", "noodles"],
    "weather": ["rain", "snow", "cloud", "storm", "thunder", "drizzle", "frost", "breeze"],
}
FLIPPED = (7, 20, 41)  # frame positions whose label is wrong


def topic_rows(n: int = 150, seed: int = 0) -> list[tuple[str, str]]:
    """(text, true label): four words of the label's own, in turn sport, food, weather."""
    rng = random.Random(seed)
    names = list(TOPICS)
    return [(" ".join(rng.sample(TOPICS[names[i % 3]], 4)), names[i % 3]) for i in range(n)]


def noisy_topics(n: int = 150) -> tuple[pd.DataFrame, dict[int, str]]:
    """The rows with FLIPPED given the next topic's label; {position: true label}."""
    names, rows = list(TOPICS), topic_rows(n)
    truth = {i: rows[i][1] for i in FLIPPED}
    labels = [
        names[(names.index(label) + 1) % 3] if i in truth else label
        for i, (_, label) in enumerate(rows)
    ]
    frame = pd.DataFrame({"text": [t for t, _ in rows], "topic": labels}, dtype=str)
    return frame, truth


def topic_model(out_dir):
    import torch

    torch.manual_seed(0)
    return make_tiny_model([w for words in TOPICS.values() for w in words], out_dir)


def noisy_topic_sets(n: int = 120, seed: int = 0) -> tuple[pd.DataFrame, dict[int, list[str]]]:
    """Rows with one topic, or two (every odd row): four words of each. Three single-topic rows
    are given a second topic that is wrong; {position: the true labels}."""
    rng, names = random.Random(seed), list(TOPICS)
    rows = []
    for i in range(n):
        topics = sorted([names[i % 3]] + ([names[(i + 1) % 3]] if i % 2 else []))
        words = [w for t in topics for w in rng.sample(TOPICS[t], 4)]
        rng.shuffle(words)
        rows.append((" ".join(words), topics))
    truth = {}
    for i in (4, 30, 60):  # even: one true topic; the wrong one added is the topic after next
        truth[i] = rows[i][1]
        rows[i] = (rows[i][0], sorted(truth[i] + [names[(names.index(truth[i][0]) + 2) % 3]]))
    frame = pd.DataFrame(
        {"text": [t for t, _ in rows], "topics": ["; ".join(ts) for _, ts in rows]}, dtype=str
    )
    return frame, truth
