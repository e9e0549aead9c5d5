"""Which of the user's columns play which role.

    mapping = ColumnMapping(text="review", label="stars")             # the user's choice
    mapping = ColumnMapping(text="ticket", labels=["billing", "bug"])  # several 0/1 columns
    mapping = ColumnMapping(text="tweet", entities="names")            # a task's own role
    mapping.role("entities"), mapping.entities                         # "names" both

Roles (finetune.roles): `text` (always), `text_pair` (a second text, for sentence pairs),
`label` (one column: a class, a number, or several labels joined by a separator), `labels`
(several 0/1 columns, one per label), `label_separator`, `split` (train / validation / test per
row) are fields; every other role a task declares (finetune.tasks: `Task.roles`) is kept in
`roles`, by name, and reads as an attribute too. Each task says which roles it needs
(`Task.check_mapping`); the mapping only holds names. Which task the columns suggest:
finetune.suggest. `TableLook` is one table as the tasks' guesses read it.
"""

import re
from dataclasses import dataclass, field, fields
from functools import cached_property

import pandas as pd

from finetune.columns import SAMPLE_ROWS, guess_columns
from finetune.errors import FinetuneError
from finetune.roles import ROLE_NAMES, ROLES

__all__ = ["ROLE_NAMES", "ColumnMapping", "TableLook"]

SEPARATORS = (";", "|", ",")  # tried in this order when a label cell holds several labels
TRUE_CELLS = {"1", "1.0", "yes", "y", "true", "x", "✓", "✔"}
FALSE_CELLS = {"0", "0.0", "no", "n", "false", ""}
MIN_MULTI_SHARE = 0.1  # share of label cells holding a separator before it means multi-label
PAIR_MIN_LENGTH = 20  # characters on average for a column to count as a second text
NUMERIC_SHARE = 0.95  # share of cells that must be numbers for a numeric column
CLASS_LIKE_VALUES = 3  # a numeric column with this few distinct values looks like classes


def _filled(value) -> bool:
    return value is not None and value != "" and value != [] and value != ()


@dataclass(init=False)
class ColumnMapping:
    text: str
    text_pair: str | None = None  # the second text of sentence pairs
    label: str | None = None  # one target column
    labels: list[str] = field(default_factory=list)  # several 0/1 columns (multi-label)
    label_separator: str | None = None  # multi-label in one column: ";" "|" or ","
    split: str | None = None  # the user's own train / validation / test column
    roles: dict = field(default_factory=dict)  # every other role, by name (Task.roles)

    def __init__(self, text, text_pair=None, label=None, labels=(), label_separator=None,
                 split=None, roles=None, **more):  # fmt: skip
        object.__setattr__(self, "roles", {})
        self.text, self.text_pair, self.label = text, text_pair, label
        self.labels = list(labels or [])
        self.label_separator, self.split = label_separator, split
        for name, value in {**(roles or {}), **more}.items():
            setattr(self, name, value)

    def __setattr__(self, name, value):
        if name in _FIELDS:
            object.__setattr__(self, name, value)
        elif _filled(value):
            self.roles[name] = value
        else:
            self.roles.pop(name, None)

    def __getattr__(self, name):
        """A task's own role by name (None when unset): `mapping.entities`."""
        if name.startswith("_") or name == "roles":
            raise AttributeError(name)
        if name in self.roles or name in ROLES:
            return self.roles.get(name)
        raise AttributeError(f"ColumnMapping has no role {name!r}")

    def role(self, name: str):
        """The value of any role by name, None when unset."""
        return getattr(self, name) if name in _FIELDS else self.roles.get(name)

    def used(self) -> list[str]:
        """Every column name the mapping uses, in role order."""
        names = [self.text, self.text_pair, self.label, *self.labels]
        for name, value in self.roles.items():
            if name in ROLES and ROLES[name].is_column:
                names += value if isinstance(value, list | tuple) else [value]
        names.append(self.split)
        return [n for n in names if n]

    def answer_columns(self) -> list[str]:
        """The columns that hold what the model learns to answer (Role.answer)."""
        names = []
        for name in ("label", "labels", *self.roles):
            value = self.role(name)
            if value and name in ROLES and ROLES[name].answer:
                names += value if isinstance(value, list | tuple) else [value]
        return names

    def to_dict(self) -> dict:
        """Flat, as mappings were always saved: {"text": ..., "entities": ...}."""
        common = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "roles"}
        return common | {"labels": list(self.labels)} | dict(self.roles)

    def in_words(self) -> str:
        """'text "review", label "stars"': the roles as people read them."""
        text_role = "text"
        for name in self.roles:
            if name in ROLES and ROLES[name].text_words:
                text_role = ROLES[name].text_words(self)
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
        for name, value in self.roles.items():
            if name in ROLES and ROLES[name].kind == "column":
                parts.append(f'{ROLE_NAMES[name]} "{value}"')
        if self.split:
            parts.append(f'split "{self.split}"')
        return ", ".join(parts)

    @classmethod
    def from_dict(cls, data: dict | None) -> "ColumnMapping":
        """Any saved mapping, old or new: unknown keys with a value are kept as roles."""
        if not data or not data.get("text"):
            raise FinetuneError("No text column was chosen. Pick the column that holds the text.")
        data = dict(data)
        roles = data.pop("roles", None) or {}
        kept = {k: v for k, v in data.items() if k in _FIELDS or _a_role(k, v)}
        return cls(**kept, roles=roles)


_FIELDS = {f.name for f in fields(ColumnMapping)}


def _a_role(name: str, value) -> bool:
    """Whether a saved key reads as a task's role: a known one, or a name with text."""
    if name in ROLES:
        return True
    texts = value if isinstance(value, list) else [value]
    return name.isidentifier() and all(isinstance(v, str) for v in texts)


class TableLook:
    """One table as the tasks' guesses read it (Task.propose): the column guess, a sample,
    and the label-style mapping several tasks share, each worked out once."""

    def __init__(self, table_or_frame):
        self.frame = getattr(table_or_frame, "frame", table_or_frame)
        self.guess = guess_columns(self.frame)
        self.sample = self.frame.iloc[:SAMPLE_ROWS]

    @property
    def reasons(self) -> dict:
        """The column guess's reason per role (a fresh copy each time)."""
        return dict(self.guess.reasons)

    @cached_property
    def label_mapping(self) -> tuple[ColumnMapping | None, dict]:
        """(text, second text and the label column or the 0/1 label columns, as a
        classification task reads them; the reasons per role). None without a text column."""
        reasons = self.reasons
        guess, sample, frame = self.guess, self.sample, self.frame
        if not guess.text:
            return None, reasons
        others = [c for c in frame.columns if c != guess.text]
        flags = [c for c in others if _is_flag_column(sample[c])]
        text, pair = guess.text, _pair_column(sample, guess.text, exclude={guess.label, *flags})
        if pair and list(frame.columns).index(pair) < list(frame.columns).index(text):
            # Two texts: the one to the left is the first, as the file has them.
            text, pair = pair, text
            reasons["text"] = (
                f'It is the first of the two text columns; "{pair}" is the second text.'
            )
        if len(flags) >= 2 and (guess.label is None or guess.label in flags):
            return ColumnMapping(text=text, text_pair=pair, labels=flags), reasons
        label = guess.label or _numeric_column(sample, exclude={text, pair})
        # A separator only where the cells join several labels (never for numbers).
        separator = detect_separator(sample[label]) if label else None
        mapping = ColumnMapping(text=text, text_pair=pair, label=label, label_separator=separator)
        return mapping, reasons


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


def numbers_of(values) -> list[float]:
    """The numbers of a column whose filled cells are nearly all numbers; [] for others."""
    numbers = [parse_number(v) for v in values if str(v).strip()]
    numeric = [x for x in numbers if x is not None]
    return numeric if numbers and len(numeric) >= NUMERIC_SHARE * len(numbers) else []


def numbers_in_words(numbers: list[float]) -> str:
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
