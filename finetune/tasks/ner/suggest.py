"""Whether a table's columns hold named entities, in which layout, and why (in one sentence).

    found = find_layout(frame, text_hint="review")   # None when nothing looks like entities
    found.roles      # {"text": "review", "entities": "ents", "entity_layout": "entities"}
    found.reason     # 'Cells of "ents" list names with their types (like "Paris = LOC")...'
    reason_for(frame, mapping)                       # the sentence for the user's own columns

The named-entity task's suitability (finetune.suggest): the signs are strong and rare in
other tables.
1. A column of entity lists ("Paris = LOC; ...") whose names are found in another column.
2. A column of tags (B-PER, I-PER, O...; or bare types where "O" is the most common tag):
   one per row beside a column of single words (and perhaps a sentence number), or
   space-separated lists as long as the word lists of another column.
"""

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from finetune.columns import PROFILED_COLUMNS, SPLIT_VALUES, named_like
from finetune.errors import FinetuneError
from finetune.tasks.ner.entities import describe, parse_entity_cell
from finetune.tasks.ner.layouts import cell_pieces, detect_layout
from finetune.tasks.ner.tags import is_prefixed, split_tag

# Names the columns of each role often have (finetune.columns.named_like reads them).
TOKEN_NAMES = ("token", "tokens", "word", "words", "词", "字", "词语", "字符")
TAG_NAMES = ("tag", "tags", "ner", "ner_tags", "labels", "bio", "标注", "标记")
SENTENCE_NAMES = ("sentence", "sentence_id", "sent", "sentence #", "句子编号", "句子序号")
ENTITY_NAMES = ("entities", "entity", "ents", "实体", "命名实体")
NAMES = {"token": TOKEN_NAMES, "tags": TAG_NAMES, "sentence": SENTENCE_NAMES,
         "entities": ENTITY_NAMES}  # fmt: skip
SAMPLE = 500  # rows looked at
PEEK = 20  # first cells that must look right before a column is read further
READABLE_SHARE = 0.8  # entity cells that must read as entity lists
FOUND_SHARE = 0.5  # entity rows whose names must be found in the text column
TAG_SHARE = 0.95  # pieces that must be prefixed tags or "O"
MAX_TAGS = 200  # different tags a tag column may have
SAME_LENGTH_SHARE = 0.8  # rows where tokens and tags must be as many


@dataclass
class Found:
    roles: dict[str, str]  # ColumnMapping fields
    reason: str
    reasons: dict[str, str] = field(default_factory=dict)  # per role


def find_layout(frame: pd.DataFrame, text_hint: str | None = None) -> Found | None:
    sample = frame.iloc[:SAMPLE, :PROFILED_COLUMNS]
    cells = {str(c): _filled(sample[c]) for c in sample.columns}
    return _entity_lists(sample, cells, text_hint) or _tag_columns(sample, cells, text_hint)


def reason_for(frame: pd.DataFrame, mapping) -> str:
    """Why the user's own entity columns make this an entity task, in one sentence."""
    try:
        layout = detect_layout(frame, mapping)
    except FinetuneError:  # an unknown layout name: refused later, in plain words
        layout = "entities" if mapping.entities else "token_rows"
    sample = frame.iloc[:SAMPLE]
    if layout == "entities" and mapping.entities in sample.columns:
        return _entities_reason(mapping.entities, mapping.text, _filled(sample[mapping.entities]))
    tags = _filled(sample[mapping.tags]) if mapping.tags in sample.columns else []
    if layout == "token_lists":
        return _lists_reason(mapping.tags, mapping.text, tags)
    return _rows_reason(mapping.tags, mapping.text, mapping.sentence, tags)


def _filled(values: pd.Series) -> list[str]:
    return [s for s in (str(v).strip() for v in values.tolist() if v == v and v is not None) if s]


# 1. Entity lists


def _entity_lists(sample, cells, text_hint) -> Found | None:
    best = None
    for column, filled in cells.items():
        if not filled or not any(_has_mark(c) for c in filled[:PEEK]):
            continue
        readable = [c for c in filled if _reads_as_entities(c)]
        if len(readable) < READABLE_SHARE * len(filled):
            continue
        text, share = _text_for(sample, column, cells, text_hint)
        if text and share >= FOUND_SHARE and (best is None or share > best[2]):
            best = (column, text, share)
    if best is None:
        return None
    column, text, _ = best
    reason = _entities_reason(column, text, cells[column])
    roles = {"text": text, "entities": column, "entity_layout": "entities"}
    reasons = {
        "entities": f'Its cells list names with their types, like "{_example(cells[column])}".',
        "text": f'The names listed in "{column}" are found in it.',
    }
    return Found(roles, reason, reasons)


def _has_mark(cell: str) -> bool:
    return any(mark in cell for mark in "=(:＝（：")


def _reads_as_entities(cell: str) -> bool:
    mentions, unreadable = parse_entity_cell(cell)
    return bool(mentions) and not unreadable


def _text_for(sample, column, cells, text_hint) -> tuple[str | None, float]:
    """The column in which the listed names are found most often, and how often."""
    rows = [(i, parse_entity_cell(v)[0]) for i, v in enumerate(sample[column].tolist())]
    rows = [(i, m) for i, m in rows if m]
    best, best_share = None, 0.0
    for other in sample.columns:
        if other == column or not cells[str(other)]:
            continue
        texts = sample[other].astype(str).str.casefold().tolist()
        found = sum(1 for i, ms in rows if any(m.text.casefold() in texts[i] for m in ms))
        share = found / len(rows) if rows else 0.0
        if share > best_share or (share == best_share and share and other == text_hint):
            best, best_share = str(other), share
    return best, best_share


def _example(filled: list[str]) -> str:
    for cell in filled:
        mentions, _ = parse_entity_cell(cell)
        if mentions:
            return describe(mentions[0])
    return "Paris = LOC"


def _entities_reason(column: str, text: str, filled: list[str]) -> str:
    return (
        f'Cells of "{column}" list names with their types (like "{_example(filled)}"), so the '
        f'model learns to find such names in "{text}".'
    )


# 2. Tag columns


def _tag_columns(sample, cells, text_hint) -> Found | None:
    for column, filled in cells.items():
        if not filled or not _tag_like(filled[:PEEK]) or not _tag_like(filled):
            continue
        lists = sum(1 for c in filled if len(cell_pieces(c)) > 1) >= 0.5 * len(filled)
        if lists:
            tokens = _tokens_for_lists(sample, column, cells, text_hint)
            if tokens:
                roles = {"text": tokens, "tags": column, "entity_layout": "token_lists"}
                reason = _lists_reason(column, tokens, filled)
                reasons = {
                    "tags": "It lists one entity tag per word.",
                    "text": _words_reason(column),
                }
                return Found(roles, reason, reasons)
            continue
        token = _token_column(sample, column, cells)
        if token:
            sentence = _sentence_column(sample, {column, token}, cells)
            roles = {"text": token, "tags": column, "entity_layout": "token_rows"}
            reasons = {"tags": "It holds one entity tag per row.", "text": _words_reason(column)}
            if sentence:
                roles["sentence"] = sentence
                reasons["sentence"] = "It numbers the sentences, one run of rows each."
            return Found(roles, _rows_reason(column, token, sentence, filled), reasons)
    return None


def _tag_like(filled: list[str]) -> bool:
    """Prefixed tags and "O" (BIO-like), or a few bare types where "O" is the most common."""
    pieces = [p for c in filled for p in cell_pieces(c)]
    if not pieces:
        return False
    counts = Counter(pieces)
    if len(counts) > MAX_TAGS:
        return False
    prefixed = sum(n for p, n in counts.items() if is_prefixed(p))
    outside = sum(n for p, n in counts.items() if split_tag(p)[0] == "O")
    if prefixed and prefixed + outside >= TAG_SHARE * len(pieces):
        return True
    top = counts.most_common(1)[0][0]
    return split_tag(top)[0] == "O" and len(counts) <= 50 and all(" " not in p for p in counts)


def _tokens_for_lists(sample, column, cells, text_hint) -> str | None:
    tags = [len(cell_pieces(str(v))) for v in sample[column].tolist()]
    best, best_share = None, 0.0
    for other in sample.columns:
        if other == column or not cells[str(other)]:
            continue
        counts = [len(cell_pieces(str(v))) for v in sample[other].tolist()]
        rows = [(a, b) for a, b in zip(counts, tags, strict=True) if b]
        share = sum(1 for a, b in rows if a == b) / len(rows) if rows else 0.0
        better = share > best_share or (share == best_share and other == text_hint)
        if share >= SAME_LENGTH_SHARE and better:
            best, best_share = str(other), share
    return best


def _token_column(sample, column, cells) -> str | None:
    """A column of single words beside the tags: named like tokens first, else the one with
    the most different words."""
    candidates = []
    for other, filled in cells.items():
        if other == column or not filled or _split_like(filled):
            continue
        single = sum(1 for c in filled if " " not in c) >= 0.9 * len(filled)
        if single and len(filled) >= 0.5 * len(sample):
            candidates.append((named_like(other, TOKEN_NAMES), len(set(filled)), other))
    return max(candidates)[2] if candidates else None


def _sentence_column(sample, taken: set, cells) -> str | None:
    """A column whose values (a blank continues the one above) run in blocks, each value in
    one block only, at least two blocks: sentence numbers."""
    found = []
    for other in sample.columns:
        if str(other) in taken or not cells[str(other)] or _split_like(cells[str(other)]):
            continue
        values = [str(v).strip() if v == v and v is not None else "" for v in sample[other]]
        if not values[0]:
            continue
        runs, seen, key = 0, set(), None
        for value in values:
            value = value or key
            if value != key:
                if value in seen:
                    break
                seen.add(value)
                runs += 1
                key = value
        else:
            if 2 <= runs < 0.8 * len(values):
                found.append((named_like(str(other), SENTENCE_NAMES), str(other)))
    return max(found)[1] if found else None


def _split_like(filled: list[str]) -> bool:
    return {c.lower() for c in filled} <= SPLIT_VALUES


def _example_tag(filled: list[str]) -> str:
    pieces = [p for c in filled[:50] for p in cell_pieces(c)]
    return next((p for p in pieces if is_prefixed(p)), next(iter(pieces), "B-PER"))


def _words_reason(tags: str) -> str:
    return f'Its words go with the tags in "{tags}".'


def _rows_reason(tags: str, token: str, sentence: str | None, filled: list[str]) -> str:
    how = f'"{sentence}" numbers the sentences' if sentence else "blank rows end the sentences"
    return (
        f'"{tags}" holds one entity tag (like "{_example_tag(filled)}") for each word of '
        f'"{token}", one word per row and {how}, so the model learns to find names in text.'
    )


def _lists_reason(tags: str, tokens: str, filled: list[str]) -> str:
    return (
        f'"{tags}" lists one entity tag (like "{_example_tag(filled)}") for each word of '
        f'"{tokens}", so the model learns to find names in text.'
    )
