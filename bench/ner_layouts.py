"""Turn a token-per-line entity file into the three spreadsheet layouts users bring.

    from bench.ner_layouts import read_conll, layout_frames, expected
    sentences = read_conll("../shared/datasets/wnut17/train.conll", limit=200)
    frames = layout_frames(sentences)          # {"entities": ..., "token_rows": ..., "token_lists": ...}
    frames["token_rows"].to_csv("rows.csv", index=False)
    texts, spans = expected(sentences)         # what reading any of them must give

Shared by the entity benchmark and the tests (tests/finetune/test_ner_layouts.py), so both
read the public data sets (../shared/datasets/wnut17, resume_ner) the way a user would have
them: the files themselves are never copied into the project.

Layouts (finetune.tasks.ner.layouts): "entities" has columns text, entities ("Paris = LOC; ...");
"token_rows" has sentence, token, tag (or, with blank_rows=True, token and tag with an empty
row between sentences, for a file read by finetune.data.read_table); "token_lists" has
tokens and tags, space-separated.
"""

from pathlib import Path

import pandas as pd

from finetune.tasks.ner.layouts import format_entities, join_tokens
from finetune.tasks.ner.tags import detect_scheme, entity_ranges

Sentence = list[tuple[str, str]]  # (token, tag) pairs


def read_conll(path, limit: int | None = None) -> list[Sentence]:
    """Sentences of a file with one "token<TAB or SPACE>tag" per line and a blank line (or a
    line of spaces) between sentences; the first `limit` sentences when given."""
    sentences: list[Sentence] = []
    current: Sentence = []
    with Path(path).open(encoding="utf-8") as lines:
        for line in lines:
            line = line.rstrip("\r\n")
            if not line.strip():
                if current:
                    sentences.append(current)
                    current = []
                    if limit is not None and len(sentences) >= limit:
                        return sentences
                continue
            token, _, tag = line.rpartition("\t") if "\t" in line else line.rpartition(" ")
            current.append((token, tag.strip()))
    if current and (limit is None or len(sentences) < limit):
        sentences.append(current)
    return sentences


def expected(sentences: list[Sentence]) -> tuple[list[str], list[list[tuple[int, int, str]]]]:
    """The texts and character spans every layout of these sentences must read as."""
    scheme = detect_scheme(tag for sentence in sentences for _, tag in sentence)
    texts, spans = [], []
    for sentence in sentences:
        text, offsets = join_tokens([token for token, _ in sentence])
        ranges = entity_ranges([tag for _, tag in sentence], scheme).ranges
        texts.append(text)
        spans.append([(offsets[a][0], offsets[b - 1][1], t) for a, b, t in ranges])
    return texts, spans


def layout_frames(
    sentences: list[Sentence], splits: list[str] | None = None, blank_rows: bool = False
) -> dict[str, pd.DataFrame]:
    """The three layouts of `sentences` as frames of text cells; `splits` adds a split column
    (one value per sentence; on every row of layout 2)."""
    texts, spans = expected(sentences)
    entities = pd.DataFrame(
        {
            "text": texts,
            "entities": [format_entities(t, s) for t, s in zip(texts, spans, strict=True)],
        }
    )
    lists = pd.DataFrame(
        {
            "tokens": [" ".join(token for token, _ in s) for s in sentences],
            "tags": [" ".join(tag for _, tag in s) for s in sentences],
        }
    )
    rows = []
    for number, sentence in enumerate(sentences, start=1):
        split = {"split": splits[number - 1]} if splits else {}
        if blank_rows and number > 1:
            rows.append({"token": "", "tag": ""} | ({"split": ""} if splits else {}))
        for token, tag in sentence:
            where = {} if blank_rows else {"sentence": str(number)}
            rows.append(where | {"token": token, "tag": tag} | split)
    if splits:
        entities["split"] = splits
        lists["split"] = splits
    return {"entities": entities, "token_rows": pd.DataFrame(rows), "token_lists": lists}
