"""The data health report: what training would see, in plain words, before any training.

    report = check(table, Columns(text="review", label="sentiment"))
    report.problems   # blocking: training is refused while this is non-empty
    report.warnings   # worth knowing, not blocking

Fast and model-free: counts, duplicates, conflicts, imbalance and look-alike label
spellings come from the table alone. Texts cut at the length limit are counted with the
base model's tokenizer when the caller passes one, else estimated from word counts.
"""

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import pandas as pd

from finetune.columns import Columns
from finetune.data import Table, require_columns
from finetune.tasks import get_task

MIN_EXAMPLES_PER_LABEL = 5  # below this a label cannot be trained, validated and tested
MIN_ROWS = 10  # fewer usable rows than this is not a training set
IMBALANCE_WARNING = 10.0  # largest label / smallest label
SHOWN = 20  # rows or conflicts listed by name in a report
TOKENS_PER_WORD = 1.4  # sub-word pieces per word, for the estimate without a tokenizer
# Words, single CJK characters (each one is a piece) and punctuation marks.
CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
WORD_PIECES = re.compile(rf"[{CJK}]|[^\W{CJK}]+|[^\w\s]")


@dataclass
class HealthReport:
    rows_total: int = 0
    rows_used: int = 0
    skipped: list[dict] = field(default_factory=list)  # {"reason", "count", "rows"}
    labels: list[dict] = field(default_factory=list)  # {"label", "count"}, largest first
    rare_labels: list[str] = field(default_factory=list)
    duplicate_texts: int = 0
    conflicts: list[dict] = field(default_factory=list)  # {"text", "labels", "rows"}
    imbalance_ratio: float | None = None
    truncated: int = 0
    truncated_estimated: bool = False
    max_length: int = 128
    similar_labels: list[list[str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return asdict(self) | {"ok": self.ok}

    @classmethod
    def from_dict(cls, data: dict) -> "HealthReport":
        fields = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in fields})


def check(
    table: Table | pd.DataFrame,
    columns: Columns,
    *,
    task: str = "single_label",
    max_length: int = 128,
    tokenizer=None,
    min_examples_per_label: int = MIN_EXAMPLES_PER_LABEL,
) -> HealthReport:
    frame = table.frame if isinstance(table, Table) else table
    row_number = table.row_number if isinstance(table, Table) else (lambda i: i + 2)
    needed = [c for c in (columns.text, columns.label, columns.text_pair, columns.split) if c]
    require_columns(table, *needed)
    the_task = get_task(task)
    examples = the_task.prepare(frame, columns)
    report = HealthReport(rows_total=len(frame), rows_used=len(examples), max_length=max_length)

    # 1. Rows that training will skip, and why.
    for reason, positions in examples.skipped.items():
        if positions:
            shown = [row_number(i) for i in positions[:SHOWN]]
            report.skipped.append({"reason": reason, "count": len(positions), "rows": shown})
            many = len(positions) > 1
            report.warnings.append(
                f"{len(positions)} {'rows have' if many else 'row has'} an {reason} and "
                f"will be skipped (spreadsheet {'rows' if many else 'row'} {_list(shown)})."
            )

    # 2. Labels, their counts, and labels too small to learn.
    counts = pd.Series(examples.targets, dtype=object).value_counts()
    report.labels = [{"label": str(k), "count": int(v)} for k, v in counts.items()]
    report.rare_labels = [str(k) for k, v in counts.items() if v < min_examples_per_label]
    if len(examples) < MIN_ROWS:
        report.problems.append(
            f"Only {len(examples)} rows can be used for training; at least {MIN_ROWS} are needed. "
            "Add more labelled rows."
        )
    if len(counts) < 2:
        found = f'only "{counts.index[0]}"' if len(counts) else "none"
        report.problems.append(
            f'The column "{columns.label}" needs at least two different labels, but has {found}. '
            "Check that you picked the right label column."
        )
    for label in report.rare_labels:
        report.problems.append(
            f'The label "{label}" has only {int(counts[label])} rows; each label needs at least '
            f"{min_examples_per_label}. Add rows for it, or merge it into another label."
        )
    if len(counts) >= 2:
        report.imbalance_ratio = round(float(counts.iloc[0] / counts.iloc[-1]), 2)
        if report.imbalance_ratio >= IMBALANCE_WARNING:
            report.warnings.append(
                f'"{counts.index[0]}" has {report.imbalance_ratio:g} times more rows than '
                f'"{counts.index[-1]}"; the model may rarely predict the smaller labels.'
            )

    # 3. Duplicates, and the same text under different labels.
    by_text = defaultdict(list)
    for i, text in enumerate(examples.texts):
        by_text[text.strip()].append(i)
    report.duplicate_texts = sum(len(v) - 1 for v in by_text.values())
    if report.duplicate_texts:
        report.warnings.append(
            f"{report.duplicate_texts} rows repeat a text that appears earlier in the file."
        )
    for text, positions in by_text.items():
        labels = sorted({examples.targets[i] for i in positions})
        if len(labels) > 1:
            rows = [row_number(examples.rows[i]) for i in positions]
            report.conflicts.append({"text": text[:200], "labels": labels, "rows": rows[:SHOWN]})
    if report.conflicts:
        report.warnings.append(
            f"{len(report.conflicts)} texts appear with different labels; the model cannot be "
            "right on both. Pick one label for each."
        )
        report.conflicts = report.conflicts[:SHOWN]

    # 4. Label spellings that look like the same label ("Spam", "spam ", "SPAM").
    spellings = defaultdict(set)
    for label in counts.index:
        spellings[_label_key(str(label))].add(str(label))
    report.similar_labels = [sorted(v) for v in spellings.values() if len(v) > 1]
    for group in report.similar_labels:
        report.warnings.append(
            f"These labels look like the same label spelled differently: {_list(group, quote=True)}. "
            "If they mean the same, make them identical."
        )

    # 5. Texts longer than the model will read.
    report.truncated, report.truncated_estimated = _count_truncated(
        examples.texts, examples.text_pairs, max_length, tokenizer
    )
    if report.truncated:
        report.warnings.append(
            f"{report.truncated} texts are longer than the model reads ({max_length} pieces of "
            "words); only their beginning will be used."
        )
    return report


def _label_key(label: str) -> str:
    return re.sub(r"[\W_]+", "", label.casefold())


def _list(items, quote=False) -> str:
    items = [f'"{x}"' if quote else str(x) for x in items]
    return ", ".join(items)


def _count_truncated(texts, pairs, max_length, tokenizer) -> tuple[int, bool]:
    if tokenizer is not None:
        lengths = [len(ids) for ids in tokenizer(texts, pairs, truncation=False)["input_ids"]]
        return sum(n > max_length for n in lengths), False

    # Estimate: words and punctuation times the usual sub-word split, plus special tokens.
    def pieces(text):
        return len(WORD_PIECES.findall(text)) * TOKENS_PER_WORD

    pair_pieces = [pieces(p) for p in pairs] if pairs else [0] * len(texts)
    return sum(
        pieces(t) + p + 3 > max_length for t, p in zip(texts, pair_pieces, strict=True)
    ), True
