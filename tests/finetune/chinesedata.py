"""Chinese toy reviews: unspaced sentences whose label hangs on one character.

examples = chinese_reviews(200, seed=0)     # finetune Examples
frame = chinese_frame(120)                  # the same as a table: 文本 (text), 标签 (label)
content = chinese_csv(40)                   # a CSV file's bytes: review, sentiment
"""

import random

import pandas as pd

from finetune.tasks.base import Examples

GOOD, BAD = "好棒赞", "差烂糟"
FILLER = "这部电影的剧情演员画面音乐结尾我们觉得非常真"


def chinese_reviews(n: int, seed: int = 0) -> Examples:
    """A word-level reader sees each sentence as one word it has never seen before."""
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        label = "positive" if i % 2 == 0 else "negative"
        chars = rng.sample(FILLER, 8) + [rng.choice(GOOD if label == "positive" else BAD)]
        rng.shuffle(chars)
        texts.append("".join(chars))
        labels.append(label)
    return Examples(rows=list(range(n)), texts=texts, targets=labels)


def chinese_frame(n: int = 120, seed: int = 0) -> pd.DataFrame:
    examples = chinese_reviews(n, seed)
    return pd.DataFrame({"文本": examples.texts, "标签": examples.targets}, dtype=str)


def chinese_csv(n: int = 40, seed: int = 0) -> bytes:
    """The reviews as an uploaded file would hold them, in the columns of the web tests."""
    frame = chinese_frame(n, seed).rename(columns={"文本": "review", "标签": "sentiment"})
    return frame.to_csv(index=False).encode()
