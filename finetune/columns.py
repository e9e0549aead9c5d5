"""A first guess at which of the user's columns hold the text and the label.

    guess = guess_columns(table)                             # a first guess to show them
    guess.text, guess.label, guess.reasons["text"]
    named_like("Sentence #", "sentence")                     # a name that suggests a role

(finetune.mapping turns it into a role mapping and a suggested task.) The guess looks at
names first ("review", "sentiment"...) and then at the values: the text
is the column with the longest texts among columns whose values are mostly different; the
label is a column with few distinct values. Each choice comes with one plain sentence saying
why, for the column-mapping page.
"""

import re
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

SAMPLE_ROWS = 10_000  # enough rows to judge a column by
PROFILE_ROWS = 1_000  # rows the guess looks at: enough for a feel, cheap on wide sheets
PROFILED_COLUMNS = 500  # columns beyond this are not considered (finetune.data reads 500)
NUMBER = re.compile(r"\s*[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?\s*")
TEXT_NAMES = ("text", "sentence", "review", "comment", "message", "body", "content",
              "description", "tweet", "utterance", "question", "query", "document",
              "文本", "评论", "内容", "句子", "正文", "文字")  # fmt: skip
LABEL_NAMES = ("label", "labels", "class", "category", "sentiment", "target", "tag",
               "intent", "y", "topic", "rating", "stars",
               "标签", "类别", "情感", "分类", "类型")  # fmt: skip
NOT_TEXT_WORDS = ("id", "ids", "key", "date", "time", "url", "link", "number", "no", "count",
                  "#", "编号", "序号")  # fmt: skip
ROLE_COLUMN_NAMES = {"text": TEXT_NAMES, "label": LABEL_NAMES}  # a task's own: its module's
MAX_CATEGORIES = 50  # more distinct values than this looks like free text, not labels
# A split column's values and the part each names (finetune.splits reads them).
SPLIT_NAMES = {"train": "train", "training": "train", "validation": "validation",
               "valid": "validation", "val": "validation", "dev": "validation", "test": "test",
               "testing": "test", "holdout": "test"}  # fmt: skip
SPLIT_VALUES = set(SPLIT_NAMES)
SPLIT_LOOK = 20  # distinct values looked at before a column is judged not to be a split


@dataclass
class ColumnGuess:
    text: str | None
    label: str | None
    reasons: dict[str, str] = field(default_factory=dict)  # {"text": ..., "label": ...}

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class _Profile:
    name: str
    position: int
    filled: int  # non-empty cells
    distinct: int  # distinct non-empty values
    mean_length: float  # characters per non-empty cell
    numeric: float  # share of non-empty cells that are numbers
    split_like: bool  # values look like train/validation/test


def guess_columns(table_or_frame) -> ColumnGuess:
    """Guess the text and label columns of a Table or DataFrame, with a reason for each."""
    frame = getattr(table_or_frame, "frame", table_or_frame)
    profiles = [p for p in _profiles(frame) if p.filled]
    guess = ColumnGuess(text=None, label=None)

    # 1. Text: a named text column, else the longest texts among mostly-distinct columns.
    wordy = [p for p in profiles if p.numeric < 0.5 and not p.split_like]
    if wordy:
        text = max(wordy, key=lambda p: (_named(p, TEXT_NAMES), _mostly_distinct(p),
                                         p.mean_length, -p.position))  # fmt: skip
        guess.text = text.name
        n = round(text.mean_length)
        about = f"about {n} character{'s' if n != 1 else ''} on average"
        if _named(text, TEXT_NAMES):
            guess.reasons["text"] = f'Its name, "{text.name}", suggests text ({about}).'
        elif len(wordy) == 1:
            guess.reasons["text"] = f"It is the only column with text ({about})."
        else:
            guess.reasons["text"] = f"It has the longest texts ({about})."

    # 2. Label: a named column with few distinct values, else the one with the fewest.
    labels = [p for p in profiles if p.name != guess.text and _categorical(p)]
    if labels:
        label = max(labels, key=lambda p: (_named(p, LABEL_NAMES), p.distinct <= MAX_CATEGORIES,
                                           -p.distinct, p.position))  # fmt: skip
        guess.label = label.name
        if _named(label, LABEL_NAMES):
            guess.reasons["label"] = (
                f'Its name, "{label.name}", suggests labels, and it has '
                f"{label.distinct} distinct values."
            )
        else:
            guess.reasons["label"] = (
                f"It has {label.distinct} distinct values, like a list of categories."
            )
    return guess


def guess_split(frame: pd.DataFrame, exclude=()) -> tuple[str | None, str]:
    """(column, reason) for a column that says "train" or "test" (or "validation", "dev"...)
    in every row that has anything in it (blank rows between sentences may stay blank), with
    rows marked "train" and rows marked "test" as finetune.splits needs; (None, "") when
    there is none. Files are often sorted by split, so every row of a column is read once
    its first rows look right."""

    def parts(cells: pd.Series) -> set[str]:
        values = cells.dropna().astype(str).str.strip().str.lower().unique()[:SPLIT_LOOK]
        return {SPLIT_NAMES.get(v, "?") for v in values if v}

    for name in frame.columns[:PROFILED_COLUMNS]:
        if name in exclude or "?" in parts(frame[name].iloc[:PROFILE_ROWS]):
            continue
        found = parts(frame[name])
        if "?" not in found and {"train", "test"} <= found and _filled_where_used(frame, name):
            return str(name), (
                f"It says {' / '.join(p for p in ('train', 'validation', 'test') if p in found)} "
                "for each row, so training keeps your split"
            )
    return None, ""


def _blank(cells: pd.DataFrame | pd.Series):
    """True for each empty cell (missing, or nothing but spaces)."""
    text = cells.astype(str)
    if isinstance(cells, pd.DataFrame):
        return cells.isna() | text.apply(lambda c: c.str.strip().eq(""))
    return cells.isna() | text.str.strip().eq("")


def _filled_where_used(frame: pd.DataFrame, name) -> bool:
    """Whether column `name` has a value in every row that has a value anywhere."""
    empty = _blank(frame[name])
    return not empty.any() or bool(_blank(frame.loc[empty].drop(columns=[name])).all(axis=None))


def _profiles(frame: pd.DataFrame) -> list[_Profile]:
    """Every column's profile from one sample of rows: a few passes over the whole sample
    instead of a round of pandas calls per column (20,000 columns took most of a minute)."""
    sample = frame.iloc[:PROFILE_ROWS, :PROFILED_COLUMNS]
    stripped, lengths, numeric = _CELL_FACTS(sample.to_numpy(dtype=object))
    filled = (lengths > 0).astype(bool)
    counts = filled.sum(axis=0)
    lengths = lengths.astype(float).sum(axis=0)
    numbers = numeric.astype(bool).sum(axis=0)
    profiles = []
    for i, name in enumerate(sample.columns):
        n = int(counts[i])
        distinct = set(stripped[filled[:, i], i].tolist())
        profiles.append(
            _Profile(
                name=str(name),
                position=i,
                filled=n,
                distinct=len(distinct),
                mean_length=float(lengths[i] / n) if n else 0.0,
                numeric=float(numbers[i] / n) if n else 0.0,
                split_like=0 < len(distinct) <= 3
                and all(v.lower() in SPLIT_VALUES for v in distinct),
            )
        )
    return profiles


def _cell_facts(value) -> tuple[str, int, bool]:
    """A cell's text without surrounding spaces, its length (0 when blank), whether it is a
    number."""
    text = "" if value is None or value is pd.NA or value != value else str(value)
    stripped = text.strip()
    if not stripped:
        return "", 0, False
    return stripped, len(text), NUMBER.fullmatch(stripped) is not None


_CELL_FACTS = np.frompyfunc(_cell_facts, 1, 3)  # one Python call per cell, all columns at once


def _named(p: _Profile, names: tuple[str, ...]) -> bool:
    return _name_is(p.name, names)


def named_like(column: str, role: str | tuple[str, ...]) -> bool:
    """Whether a column's name suggests a role: "text" or "label" ("评论内容" -> text), or
    one of a task's own `names` (finetune.tasks.ner.suggest: "Sentence #" -> sentence)."""
    names = ROLE_COLUMN_NAMES[role] if isinstance(role, str) else role
    return _name_is(str(column), names)


def _name_is(name: str, names: tuple[str, ...]) -> bool:
    """One of the name's words is in `names` ("Review text"), or the name ends with a name in
    a script without spaces ("评论内容"; a one-character name only whole: "字" but not
    "数字"); and, when text is wanted, nothing says it is an identifier or a date
    ("review_id", "Sentence #", "句子编号")."""
    lowered = name.strip().lower()
    words = lowered.replace("_", " ").replace("-", " ").replace(".", " ").split()
    if names is TEXT_NAMES and (
        any(w in NOT_TEXT_WORDS for w in words)
        or any(lowered.endswith(w) for w in NOT_TEXT_WORDS if not w.isascii())
    ):
        return False
    if lowered in names or any(w in names for w in words):
        return True
    return any(lowered.endswith(n) for n in names if not n.isascii() and len(n) > 1)


def _mostly_distinct(p: _Profile) -> bool:
    return p.distinct >= 0.5 * p.filled


def _categorical(p: _Profile) -> bool:
    """Two or more distinct values, few for the number of rows (at most 50, or half the rows);
    any two or more when the column is named like a label."""
    if p.split_like or p.distinct < 2:
        return False
    if _named(p, LABEL_NAMES):
        return True
    return p.distinct < p.filled and (p.distinct <= MAX_CATEGORIES or p.distinct <= 0.5 * p.filled)
