"""Which of the user's columns play which role, and which task they suggest.

    mapping = ColumnMapping(text="review", label="stars")             # the user's choice
    mapping = ColumnMapping(text="ticket", labels=["billing", "bug"])  # several 0/1 columns
    suggestion = suggest(table)            # a first mapping, a task and a sentence saying why
    suggestion.task, suggestion.reason, suggestion.mapping
    task, reason = task_for(table, mapping)   # the task the user's own columns suggest

Roles: `text` (always), `text_pair` (a second text, for sentence pairs), `label` (one column:
a class, a number, or several labels joined by a separator), `labels` (several 0/1 columns,
one per label), `split` (train / validation / test per row). Each task says which roles it
needs and accepts (finetune.tasks); the mapping only holds names and checks they exist.
"""

import re
from dataclasses import asdict, dataclass, field

import pandas as pd

from finetune.columns import SAMPLE_ROWS, guess_columns, guess_split
from finetune.errors import FinetuneError

SEPARATORS = (";", "|", ",")  # tried in this order when a label cell holds several labels
ROLE_NAMES = {
    "text": "text",
    "text_pair": "second text",
    "label": "label",
    "labels": "label columns",
    "label_separator": "label separator",
    "split": "split",
    "entities": "entities",
    "tags": "tags",
    "sentence": "sentence number",
    "entity_layout": "entity layout",
}
TRUE_CELLS = {"1", "1.0", "yes", "y", "true", "x", "✓", "✔"}
FALSE_CELLS = {"0", "0.0", "no", "n", "false", ""}
MIN_MULTI_SHARE = 0.1  # share of label cells holding a separator before it means multi-label
PAIR_MIN_LENGTH = 20  # characters on average for a column to count as a second text
NUMERIC_SHARE = 0.95  # share of cells that must be numbers for a numeric column
CLASS_LIKE_VALUES = 3  # a numeric column with this few distinct values looks like classes


@dataclass
class ColumnMapping:
    text: str
    text_pair: str | None = None  # the second text of sentence pairs
    label: str | None = None  # one target column
    labels: list[str] = field(default_factory=list)  # several 0/1 columns (multi-label)
    label_separator: str | None = None  # multi-label in one column: ";" "|" or ","
    split: str | None = None  # the user's own train / validation / test column
    # Named entities (finetune.tasks.ner.layouts): `text` is then the text, token or tokens column.
    entities: str | None = None  # layout 1: "Paris = LOC; New York Times = ORG" per text
    tags: str | None = None  # layouts 2 and 3: one tag per row, or space-separated tags
    sentence: str | None = None  # layout 2: the sentence number (else blank rows separate)
    entity_layout: str | None = None  # "entities" | "token_rows" | "token_lists"; None: detect

    def __post_init__(self):
        self.labels = list(self.labels or [])

    def used(self) -> list[str]:
        """Every column name the mapping uses, in role order."""
        names = [self.text, self.text_pair, self.label, *self.labels, self.entities, self.tags]
        names += [self.sentence, self.split]
        return [n for n in names if n]

    def to_dict(self) -> dict:
        return asdict(self)

    def in_words(self) -> str:
        """'text "review", label "stars"': the roles as people read them."""
        one_per_row = self.entity_layout == "token_rows" or self.sentence
        text_role = ("token" if one_per_row else "tokens") if self.tags else "text"
        parts = [f'{text_role} "{self.text}"']
        if self.text_pair:
            parts.append(f'second text "{self.text_pair}"')
        if self.label:
            joined = (
                f' (labels separated by "{self.label_separator}")' if self.label_separator else ""
            )
            parts.append(f'label "{self.label}"{joined}')
        if self.labels:
            shown = ", ".join(f'"{c}"' for c in self.labels[:5])
            more = f" and {len(self.labels) - 5} more" if len(self.labels) > 5 else ""
            parts.append(f"labels from the 0/1 columns {shown}{more}")
        for role in ("entities", "tags", "sentence"):
            if getattr(self, role):
                parts.append(f'{ROLE_NAMES[role]} "{getattr(self, role)}"')
        if self.split:
            parts.append(f'split "{self.split}"')
        return ", ".join(parts)

    @classmethod
    def from_dict(cls, data: dict | None) -> "ColumnMapping":
        if not data or not data.get("text"):
            raise FinetuneError("No text column was chosen. Pick the column that holds the text.")
        known = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass
class Suggestion:
    task: str
    mapping: ColumnMapping | None
    reason: str  # one sentence: why this task
    reasons: dict[str, str] = field(default_factory=dict)  # per role, from the column guess

    def to_dict(self) -> dict:
        return {
            "task": self.task,
            "mapping": self.mapping.to_dict() if self.mapping else None,
            "reason": self.reason,
            "reasons": self.reasons,
        }


def truthy(cell) -> bool | None:
    """True / False for a 0/1-like cell (1, yes, true, x; 0, no, false, blank); None otherwise."""
    value = "" if cell is None or (isinstance(cell, float) and pd.isna(cell)) else str(cell)
    value = value.strip().lower()
    if value in TRUE_CELLS:
        return True
    if value in FALSE_CELLS:
        return False
    return None


def detect_separator(values) -> str | None:
    """The separator that joins several labels in a share of the cells, else None. A cell that
    reads as a number ("3,5", "1,234") is one value, not labels joined by a comma."""
    cells = [str(v).strip() for v in values if str(v).strip()]
    if not cells:
        return None
    joinable = [c for c in cells if parse_number(c) is None]
    for sep in SEPARATORS:
        joined = sum(1 for c in joinable if sep in c and all(p.strip() for p in c.split(sep)))
        if joined >= MIN_MULTI_SHARE * len(cells):
            pieces = {p.strip() for c in cells for p in c.split(sep)}
            # Joined labels repeat; free text with commas does not.
            if len(pieces) <= max(50, 0.2 * len(cells)):
                return sep
    return None


NUMBER = re.compile(r"^[+-]?(\d+|\d{1,3}([ .,'\u00a0\u202f]\d{3})+)?([.,]\d+)?$")


def parse_number(cell) -> float | None:
    """A number written the way people write them: 3.5, 3,5, 1,234.5, 1.234,5, 1 234; else None."""
    text = str(cell).strip().replace("\u2212", "-")
    if not text or not NUMBER.match(text) or not any(ch.isdigit() for ch in text):
        return None
    for space in (" ", "'", "\u00a0", "\u202f"):
        text = text.replace(space, "")
    last_dot, last_comma = text.rfind("."), text.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal = "." if last_dot > last_comma else ","
        thousands = "," if decimal == "." else "."
        text = text.replace(thousands, "").replace(decimal, ".")
    elif last_comma >= 0:
        # "3,5" is a decimal comma; "1,234" (exactly three digits after) is thousands.
        groups = text.lstrip("+-").split(",")
        if len(groups) > 2 or (len(groups[-1]) == 3 and len(groups[0]) <= 3 and groups[0] != "0"):
            text = text.replace(",", "")
        else:
            text = text.replace(",", ".")
    elif text.count(".") > 1:
        text = text.replace(".", "")  # 1.234.567
    try:
        return float(text)
    except ValueError:
        return None


def suggest(table_or_frame) -> Suggestion:
    """Guess the roles and the task from the columns, with one sentence saying why.

    1. The text and label columns come from finetune.columns.guess_columns.
    2. Several 0/1 columns beside the text: multi-label, one label per column.
    3. A label column whose cells join labels with a separator: multi-label.
    4. A numeric label column with more than a few distinct values: regression.
    5. A second long-text column: sentence pairs (of the task found above).
    Then, for every task: a column saying "train" / "test" for each row is the split.
    Before all these: columns of named entities (finetune.tasks.ner.suggest) mean task "ner".
    """
    from finetune.tasks.ner.suggest import find_layout

    frame = getattr(table_or_frame, "frame", table_or_frame)
    guess = guess_columns(frame)
    reasons = dict(guess.reasons)
    if found := find_layout(frame, guess.text):
        reasons.pop("label", None)
        mapping = _with_split(frame, ColumnMapping(**found.roles), reasons)
        return Suggestion("ner", mapping, found.reason, reasons | found.reasons)
    if not guess.text:
        return Suggestion("single_label", None, "No column with text was found.", reasons)
    sample = frame.iloc[:SAMPLE_ROWS]
    others = [c for c in frame.columns if c != guess.text]
    flags = [c for c in others if _is_flag_column(sample[c])]
    text, pair = guess.text, _pair_column(sample, guess.text, exclude={guess.label, *flags})
    if pair and list(frame.columns).index(pair) < list(frame.columns).index(text):
        # Two texts: the one to the left is the first, as the file has them.
        text, pair = pair, text
        reasons["text"] = f'It is the first of the two text columns; "{pair}" is the second text.'
    if len(flags) >= 2 and (guess.label is None or guess.label in flags):
        mapping = ColumnMapping(text=text, text_pair=pair, labels=flags)
    else:
        label = guess.label or _numeric_column(sample, exclude={text, pair})
        # A separator only where the cells join several labels (never for numbers).
        separator = detect_separator(sample[label]) if label else None
        mapping = ColumnMapping(text=text, text_pair=pair, label=label, label_separator=separator)
    task, reason = task_for(sample, mapping)
    if task == "regression":  # the guess said "like a list of categories" or nothing
        numbers = _numbers_in_words(_numbers(sample[mapping.label]))
        reasons["label"] = f"It holds the numbers to predict ({numbers})."
    return Suggestion(task, _with_split(frame, mapping, reasons), reason, reasons)


def _with_split(frame: pd.DataFrame, mapping: ColumnMapping, reasons: dict) -> ColumnMapping:
    """The mapping with the file's own train / test column, if it has one (its reason added
    to `reasons`)."""
    split, reason = guess_split(frame, exclude=set(mapping.used()))
    if split:
        mapping.split = split
        reasons["split"] = reason
    return mapping


def task_for(table_or_frame, mapping: ColumnMapping) -> tuple[str, str]:
    """(task, one sentence saying why) that the columns of `mapping` suggest: the user's own
    choice of columns as much as the guessed one."""
    from finetune.tasks.ner.suggest import reason_for

    frame = getattr(table_or_frame, "frame", table_or_frame)
    sample = frame.iloc[:SAMPLE_ROWS]
    if mapping.entities or mapping.tags:
        return "ner", reason_for(sample, mapping)
    pair = mapping.text_pair
    pair_note = f' Its second text is "{pair}", so it learns from pairs of texts.' if pair else ""
    if len(mapping.labels) >= 2:
        flags = mapping.labels
        shown = ", ".join(f'"{c}"' for c in flags[:5]) + (" and more" if len(flags) > 5 else "")
        reason = (
            f"{len(flags)} columns hold only 0/1 values ({shown}), so each row can have "
            f"several labels.{pair_note}"
        )
        return "multi_label", reason
    label = mapping.label
    if label is None or label not in sample.columns:
        return "single_label", ""
    values = sample[label]
    separator = mapping.label_separator or detect_separator(values)
    if separator:
        reason = (
            f'Cells of "{label}" list several labels separated by "{separator}", so each '
            f"row can have several labels.{pair_note}"
        )
        return "multi_label", reason
    numeric = _numbers(values)
    if numeric and len(set(numeric)) > CLASS_LIKE_VALUES:
        reason = (
            f'"{label}" holds numbers ({len(set(numeric))} different values), so the model '
            f"learns to predict a number.{pair_note}"
        )
        return "regression", reason
    return "single_label", f'Each row has one label in "{label}".{pair_note}'


def _numbers(values) -> list[float]:
    """The numbers of a column whose filled cells are nearly all numbers; [] for others."""
    numbers = [parse_number(v) for v in values if str(v).strip()]
    numeric = [x for x in numbers if x is not None]
    return numeric if numbers and len(numeric) >= NUMERIC_SHARE * len(numbers) else []


def _numbers_in_words(numbers: list[float]) -> str:
    """ "53 different values from 0 to 5" """

    def plain(x: float) -> str:
        return f"{x:,.3f}".rstrip("0").rstrip(".")

    return (
        f"{len(set(numbers))} different values from {plain(min(numbers))} to {plain(max(numbers))}"
    )


def _numeric_column(sample: pd.DataFrame, exclude: set) -> str | None:
    """The last column of numbers with more than a few different values, else None."""
    found = None
    for name in sample.columns:
        if name in exclude:
            continue
        cells = [v for v in sample[name].astype(str).head(1000) if v.strip()]
        numbers = [parse_number(v) for v in cells]
        values = [x for x in numbers if x is not None]
        if cells and len(values) >= NUMERIC_SHARE * len(cells):
            distinct = len(set(values))
            # Whole numbers that never repeat are row ids, not something to predict.
            ids = distinct == len(values) and all(float(x).is_integer() for x in values)
            if distinct > CLASS_LIKE_VALUES and not ids:
                found = name
    return found


def _is_flag_column(values: pd.Series) -> bool:
    cells = values.astype(str).str.strip().str.lower()
    filled = cells[cells != ""]
    if len(filled) == 0:
        return False
    seen = set(filled.unique())
    return seen <= (TRUE_CELLS | FALSE_CELLS) and bool(seen & TRUE_CELLS) and len(seen) >= 1


def _pair_column(sample: pd.DataFrame, text: str, exclude: set) -> str | None:
    """A second column of long, mostly distinct texts, else None."""
    best, best_length = None, PAIR_MIN_LENGTH
    for name in sample.columns:
        if name == text or name in exclude:
            continue
        cells = sample[name].astype(str).str.strip()
        filled = cells[cells != ""]
        if len(filled) == 0 or filled.nunique() < 0.5 * len(filled):
            continue
        if sum(parse_number(v) is not None for v in filled.head(200)) > 0.5 * min(200, len(filled)):
            continue
        length = float(filled.str.len().mean())
        if length > best_length:
            best, best_length = name, length
    return best
