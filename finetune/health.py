"""The data health report: what training would see, in plain words, before any training.

    report = check(table, ColumnMapping(text="review", label="sentiment"), task="single_label")
    report.problems   # blocking: training is refused while this is non-empty
    report.warnings   # worth knowing, not blocking

Fast and model-free: skipped rows, duplicates of the whole input and conflicts come from the
table alone; the task adds its own section (labels, imbalance and look-alike spellings; the
range of the numbers). Texts cut at the length limit are counted with the
base model's tokenizer when the caller passes one, else estimated from word counts.
"""

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import pandas as pd

from finetune.data import Table, require_columns
from finetune.mapping import ColumnMapping
from finetune.tasks import get_task

MIN_ROWS = 10  # fewer usable rows than this is not a training set
SHOWN = 20  # rows or conflicts listed by name in a report
TOKENS_PER_WORD = 1.4  # sub-word pieces per word, for the estimate without a tokenizer
# Words, single CJK characters (each one is a piece) and punctuation marks.
CJK = "\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af"
WORD_PIECES = re.compile(rf"[{CJK}]|[^\W{CJK}]+|[^\w\s]")


@dataclass
class HealthReport:
    task: str = "single_label"
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
    cooccurrence: list[dict] = field(default_factory=list)  # multi-label: {"labels", "count"}
    labels_per_row: float | None = None  # multi-label
    numbers: dict | None = None  # regression: min, max, mean, median, distinct, outliers
    # Named entities (finetune.ner.health): types and counts, texts with none, issues by row.
    entity_types: list[dict] = field(default_factory=list)  # {"type", "count"}, largest first
    texts_without_entities: int = 0
    entity_issues: list[dict] = field(default_factory=list)  # {"reason", "count", "rows"}
    tags_repaired: int = 0
    entity_layout: str = ""  # "entities" | "token_rows" | "token_lists"
    tag_scheme: str = ""  # "BIO", "IO", "BIOES", "BMES", "bare"
    text_chars: float | None = None  # average characters of the text column's used cells
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
    mapping: ColumnMapping,
    *,
    task: str = "single_label",
    max_length: int = 128,
    tokenizer=None,
) -> HealthReport:
    frame = table.frame if isinstance(table, Table) else table
    row_number = table.row_number if isinstance(table, Table) else (lambda i: i + 2)
    the_task = get_task(task)
    the_task.check_mapping(mapping)
    require_columns(table, *mapping.used())
    row_numbers = table.row_numbers if isinstance(table, Table) else None
    examples = the_task.prepare(frame, mapping, row_numbers=row_numbers)
    report = HealthReport(
        task=task, rows_total=len(frame), rows_used=len(examples), max_length=max_length
    )
    if len(examples):  # finetune.fixes compares it with the labels' length (swapped columns?)
        report.text_chars = round(sum(len(t) for t in examples.texts) / len(examples), 1)
    if cleaned := getattr(table, "cleaned_cells", 0):  # removed by finetune.data on reading
        report.warnings.append(
            f"{cleaned:,} {'cells' if cleaned > 1 else 'cell'} contained invisible control "
            "characters; LabelTune removed them."
        )

    # 1. Rows that training will skip, and why.
    for reason, positions in examples.skipped.items():
        if positions:
            shown = [row_number(i) for i in positions[:SHOWN]]
            report.skipped.append({"reason": reason, "count": len(positions), "rows": shown})
            many = len(positions) > 1
            report.warnings.append(
                f"{len(positions)} {'rows have' if many else 'row has'} {_article(reason)} "
                f"{reason} and will be skipped (spreadsheet {'rows' if many else 'row'} "
                f"{_list(shown)}{' and more' if len(positions) > SHOWN else ''})."
            )
    if len(examples) < MIN_ROWS:
        report.problems.append(
            f"Only {len(examples)} row{'s' if len(examples) != 1 else ''} can be used for "
            f"training; at least {MIN_ROWS} are needed. Add more labelled rows."
        )

    # 2. The task's own section: labels and their counts, or the range of the numbers.
    the_task.health(report, examples, mapping, row_number)

    # 3. Duplicates of the whole input (both texts of a pair), and the same input with
    #    different answers.
    by_input = defaultdict(list)
    for i, text in enumerate(examples.inputs()):
        by_input[text.strip()].append(i)
    report.duplicate_texts = sum(len(v) - 1 for v in by_input.values())
    if report.duplicate_texts:
        n = report.duplicate_texts
        report.warnings.append(
            f"{n} row{'s repeat' if n != 1 else ' repeats'} a text that appears earlier in the file."
        )
    for text, positions in by_input.items():
        answers = sorted({_answer(examples.targets[i]) for i in positions})
        if len(answers) > 1:
            rows = [row_number(examples.rows[i]) for i in positions]
            report.conflicts.append({"text": text[:200], "labels": answers, "rows": rows[:SHOWN]})
    if report.conflicts:
        n = len(report.conflicts)
        report.warnings.append(
            f"{n} text{'s appear' if n != 1 else ' appears'} with different labels; the model "
            "cannot be right on both. Pick one label for each."
        )
        report.conflicts = report.conflicts[:SHOWN]

    # 4. Texts longer than the model will read.
    report.truncated, report.truncated_estimated = _count_truncated(
        examples.texts, examples.text_pairs, max_length, tokenizer
    )
    if report.truncated:
        n = report.truncated
        report.warnings.append(the_task.long_text_warning(n, f"{max_length} pieces of words"))
    return report


def _answer(target) -> str:
    if isinstance(target, list | tuple):
        return "; ".join(target) or "(no label)"
    if isinstance(target, float):
        return f"{target:g}"
    return str(target)


def _article(reason: str) -> str:
    return "an" if reason[0] in "aeiou" else "a"


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
