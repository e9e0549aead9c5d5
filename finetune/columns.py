"""A first guess at which of the user's columns hold the text and the label.

    guess = guess_columns(table)                             # a first guess to show them
    guess.text, guess.label, guess.reasons["text"]

(finetune.mapping turns it into a role mapping and a suggested task.) The guess looks at
names first ("review", "sentiment"...) and then at the values: the text
is the column with the longest texts among columns whose values are mostly different; the
label is a column with few distinct values. Each choice comes with one plain sentence saying
why, for the column-mapping page.
"""

from dataclasses import asdict, dataclass, field

import pandas as pd

SAMPLE_ROWS = 10_000  # enough rows to judge a column by
TEXT_NAMES = ("text", "sentence", "review", "comment", "message", "body", "content",
              "description", "tweet", "utterance", "question", "query", "document")  # fmt: skip
LABEL_NAMES = ("label", "labels", "class", "category", "sentiment", "target", "tag",
               "intent", "y", "topic", "rating", "stars")  # fmt: skip
NOT_TEXT_WORDS = ("id", "ids", "key", "date", "time", "url", "link", "number", "no", "count")
MAX_CATEGORIES = 50  # more distinct values than this looks like free text, not labels
SPLIT_VALUES = {"train", "training", "validation", "valid", "val", "dev", "test", "testing"}


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
    profiles = [_profile(frame, i) for i in range(frame.shape[1])]
    profiles = [p for p in profiles if p.filled]
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


def _profile(frame: pd.DataFrame, i: int) -> _Profile:
    values = frame.iloc[:SAMPLE_ROWS, i]
    values = values.where(values.notna(), "").astype(str)
    filled = values[values.str.strip() != ""]
    distinct = filled.str.strip().unique()
    numeric = pd.to_numeric(filled.str.replace(",", ".", regex=False), errors="coerce")
    return _Profile(
        name=str(frame.columns[i]),
        position=i,
        filled=len(filled),
        distinct=len(distinct),
        mean_length=float(filled.str.len().mean()) if len(filled) else 0.0,
        numeric=float(numeric.notna().mean()) if len(filled) else 0.0,
        split_like=0 < len(distinct) <= 3 and all(v.lower() in SPLIT_VALUES for v in distinct),
    )


def _named(p: _Profile, names: tuple[str, ...]) -> bool:
    """One of the name's words is in `names` ("Review text"), and none says it is an
    identifier or a date when text is wanted ("review_id")."""
    words = p.name.lower().replace("_", " ").replace("-", " ").replace(".", " ").split()
    if names is TEXT_NAMES and any(w in NOT_TEXT_WORDS for w in words):
        return False
    return any(w in names for w in words)


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
