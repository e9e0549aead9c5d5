"""Named entities from the three spreadsheet layouts people have, as texts and character spans.

    parsed = parse(table.frame, mapping, row_numbers=table.row_numbers)
    parsed.texts[0], parsed.spans[0]     # "Paris is big", [(0, 5, "LOC")]
    parsed.issues                        # {"entity not found in its text": [(7, "Rome = LOC")]}
    detect_layout(frame, mapping)        # "entities" | "token_rows" | "token_lists"

Layouts (the mapping's `text` column is the text, the token or the tokens):
1. "entities": one row per text, its entities listed in the `entities` column
   ("Paris = LOC; New York Times = ORG", see finetune.tasks.ner.entities for the rule).
2. "token_rows": one row per token with its tag in `tags`; sentences are told apart by the
   `sentence` column (a blank cell continues the sentence above) or, without one, by blank
   rows (gaps in `row_numbers`, which finetune.data keeps).
3. "token_lists": one row per text, space-separated tokens in `text` and as many tags in
   `tags` (a list written as ["EU", "rejects"] reads too).
Tokens are joined with one space, except between two characters of unspaced scripts, and not
at all in a sentence of single characters that is mostly in such a script (Chinese written one
character per row: "1966年" stays whole). Tags: finetune.tasks.ner.tags.

Nothing is refused row by row: an entity that is not in its text is reported and the rest of
the row kept; a row whose tags and tokens differ in number, or a sentence with no token, is
reported and skipped. Issues carry spreadsheet row numbers.
"""

import ast
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from finetune.data import require_columns
from finetune.errors import FinetuneError
from finetune.tasks.ner.entities import (
    ENTITY_FORMAT_HELP,
    format_entities,
    is_unspaced,
    parse_entity_cell,
    place,
)
from finetune.tasks.ner.tags import detect_scheme, entity_ranges

if TYPE_CHECKING:
    from finetune.mapping import ColumnMapping

LAYOUTS = ("entities", "token_rows", "token_lists")
LAYOUT_WORDS = {
    "entities": "one row per text, its entities listed in one column",
    "token_rows": "one row per word, with its tag",
    "token_lists": "one row per text, its words and their tags in two columns",
}
LAYOUT_CHOICES = (  # the same, short, for a choice of layout
    ("entities", "One row per text, entities listed"),
    ("token_rows", "One row per token"),
    ("token_lists", "Tokens and tags columns"),
)
LIST_SHARE = 0.5  # share of tag cells holding several tags before the tags are lists

__all__ = [
    "ENTITY_FORMAT_HELP",
    "LAYOUTS",
    "LAYOUT_WORDS",
    "Parsed",
    "cell_pieces",
    "detect_layout",
    "format_entities",
    "join_tokens",
    "parse",
    "parse_entity_cell",
]


@dataclass
class Parsed:
    layout: str
    scheme: str = ""  # "BIO", "IO", "BIOES", "BMES", "bare"; "" for layout 1 (no tags)
    texts: list[str] = field(default_factory=list)
    spans: list[list[tuple[int, int, str]]] = field(default_factory=list)  # (start, end, type)
    rows: list[int] = field(default_factory=list)  # frame position of each text's first row
    split_values: list[str] | None = None  # the split cell of each text (first row)
    repaired: int = 0  # tags mended (an I- without its B-...)
    issues: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # (row, detail)
    skipped: dict[str, list[int]] = field(default_factory=dict)  # frame positions not used

    def __len__(self) -> int:
        return len(self.texts)

    def add(self, text: str, spans, position: int, split_value: str | None) -> None:
        self.texts.append(text)
        self.spans.append(sorted(spans))
        self.rows.append(position)
        if self.split_values is not None:
            self.split_values.append(split_value or "")

    def report(self, reason: str, row: int, detail: str = "") -> None:
        self.issues.setdefault(reason, []).append((row, detail))

    def skip(self, reason: str, position: int, row: int, detail: str = "") -> None:
        self.report(reason, row, detail)
        self.skipped.setdefault(reason, []).append(position)


def detect_layout(frame: pd.DataFrame, mapping: "ColumnMapping") -> str:
    """The mapping's layout when chosen, else the one its columns imply."""
    chosen = getattr(mapping, "entity_layout", None)
    if chosen:
        if chosen not in LAYOUTS:
            raise FinetuneError(f'"{chosen}" is not a layout LabelTune reads entities from.')
        return chosen
    if getattr(mapping, "entities", None):
        return "entities"
    tags = getattr(mapping, "tags", None)
    if not tags:
        raise FinetuneError(
            "Pick the column that lists the entities of each text, or the column of tags."
        )
    if getattr(mapping, "sentence", None) or tags not in frame.columns:
        return "token_rows"
    cells = [c for c in _cells(frame, tags) if c]
    several = sum(1 for c in cells if len(cell_pieces(c)) > 1)
    return "token_lists" if cells and several >= LIST_SHARE * len(cells) else "token_rows"


def parse(
    frame: pd.DataFrame, mapping: "ColumnMapping", row_numbers: list[int] | None = None
) -> Parsed:
    """Texts and entity spans from `frame` in the mapping's layout (detected when not chosen)."""
    layout = detect_layout(frame, mapping)
    needed = mapping.entities if layout == "entities" else mapping.tags
    if not needed:
        what = "lists the entities" if layout == "entities" else "holds the tags"
        raise FinetuneError(f"Pick the column that {what}.")
    require_columns(frame, *mapping.used())
    parsed = Parsed(layout=layout, split_values=[] if mapping.split else None)
    numbers = list(row_numbers) if row_numbers else [i + 2 for i in range(len(frame))]
    splits = _cells(frame, mapping.split) if mapping.split else None
    texts = _cells(frame, mapping.text, strip=layout != "entities")
    if layout == "entities":
        _read_entities(parsed, texts, _cells(frame, needed), splits, numbers)
    elif layout == "token_lists":
        _read_token_lists(parsed, texts, _cells(frame, needed), splits, numbers)
    else:
        sentences = _cells(frame, mapping.sentence) if mapping.sentence else None
        groups = _sentences(texts, _cells(frame, needed), sentences, row_numbers)
        _read_token_rows(parsed, groups, texts, _cells(frame, needed), splits, numbers)
    return parsed


def _cells(frame: pd.DataFrame, column: str, strip: bool = True) -> list[str]:
    values = ["" if v is None or v != v else str(v) for v in frame[column].tolist()]
    return [v.strip() for v in values] if strip else values


def _read_entities(parsed: Parsed, texts, cells, splits, numbers) -> None:
    for i, (text, cell) in enumerate(zip(texts, cells, strict=True)):
        if not text.strip():
            parsed.skip("empty text", i, numbers[i])
            continue
        mentions, unreadable = parse_entity_cell(cell, text)
        placed = place(text, mentions)
        for reason, details in (
            ("unreadable entity", unreadable),
            ("entity not found in its text", placed.unfound),
            ("overlapping entities", placed.overlaps),
        ):
            for detail in details:
                parsed.report(reason, numbers[i], detail)
        parsed.add(text, placed.spans, i, splits[i] if splits else None)


def _read_token_lists(parsed: Parsed, texts, cells, splits, numbers) -> None:
    tokens = [cell_pieces(t) for t in texts]
    tags = [cell_pieces(t) for t in cells]
    parsed.scheme = detect_scheme(t for row in tags for t in row)
    for i, (words, marks) in enumerate(zip(tokens, tags, strict=True)):
        if not words:
            parsed.skip("empty sentence", i, numbers[i])
        elif len(words) != len(marks):
            detail = f"{_count(len(words), 'token')}, {_count(len(marks), 'tag')}"
            parsed.skip("tags and tokens of different lengths", i, numbers[i], detail)
        else:
            split_value = splits[i] if splits else None
            _add_sentence(parsed, words, marks, [numbers[i]] * len(words), i, split_value)


def _sentences(tokens, tags, sentences, row_numbers) -> list[tuple[str, list[int]]]:
    """(sentence number or "", frame positions of its rows): runs of one sentence number (a
    blank cell continues the one above), else runs between blank rows."""
    groups, current, key = [], [], ""
    for i in range(len(tokens)):
        if sentences is not None:
            value = sentences[i] or key
            if current and value != key:
                groups.append((key, current))
                current = []
            key = value
        else:
            gap = bool(row_numbers) and i > 0 and row_numbers[i] - row_numbers[i - 1] > 1
            blank = not tokens[i] and not tags[i]  # another column filled: still a break
            if current and (gap or blank):
                groups.append(("", current))
                current = []
            if blank:
                continue
        current.append(i)
    if current:
        groups.append((key, current))
    return groups


def _read_token_rows(parsed: Parsed, groups, tokens, tags, splits, numbers) -> None:
    parsed.scheme = detect_scheme(tags[i] for _, group in groups for i in group if tokens[i])
    for key, group in groups:
        used = [i for i in group if tokens[i]]
        for i in group:
            if not tokens[i] and tags[i]:
                parsed.report("tag without a token", numbers[i], tags[i])
        if not used:
            detail = f'sentence "{key}"' if key else ""
            parsed.skip("empty sentence", group[0], numbers[group[0]], detail)
            continue
        split_value = next((splits[i] for i in group if splits[i]), "") if splits else None
        words, marks = [tokens[i] for i in used], [tags[i] for i in used]
        _add_sentence(parsed, words, marks, [numbers[i] for i in used], used[0], split_value)


def _add_sentence(parsed: Parsed, words, marks, rows, position, split_value) -> None:
    text, offsets = join_tokens(words)
    decoded = entity_ranges(marks, parsed.scheme)
    for index, words_ in decoded.repairs:
        parsed.report("tags repaired", rows[index], words_)
    parsed.repaired += len(decoded.repairs)
    spans = [(offsets[a][0], offsets[b - 1][1], t) for a, b, t in decoded.ranges]
    parsed.add(text, spans, position, split_value)


def join_tokens(tokens: list[str]) -> tuple[str, list[tuple[int, int]]]:
    """(text, each token's (start, end) in it): one space between tokens, none between two
    characters of unspaced scripts; none at all in a mostly unspaced sentence of single
    characters (so "1 9 6 6 年" reads "1966年")."""
    unspaced = sum(1 for t in tokens if len(t) == 1 and is_unspaced(t))
    glued = all(len(t) == 1 for t in tokens) and unspaced >= 0.5 * len(tokens)
    pieces, offsets, at, before = [], [], 0, ""
    for token in tokens:
        if pieces and not glued and not (is_unspaced(before[-1:]) and is_unspaced(token[:1])):
            pieces.append(" ")
            at += 1
        pieces.append(token)
        offsets.append((at, at + len(token)))
        at += len(token)
        before = token
    return "".join(pieces), offsets


def cell_pieces(cell: str) -> list[str]:
    """The tokens or tags of one layout-3 cell: space-separated, or a written list."""
    cell = cell.strip()
    if cell.startswith("[") and cell.endswith("]"):
        for reader in (json.loads, ast.literal_eval):
            try:
                value = reader(cell)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            if isinstance(value, list | tuple):
                return [str(v).strip() for v in value]
    return cell.split()


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"
