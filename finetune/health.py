"""The data health report: what training would see, in plain words, before any training.

    report = check(table, ColumnMapping(text="review", label="sentiment"), task=task.name)
    report.problems   # blocking: training is refused while this is non-empty
    report.warnings   # worth knowing, not blocking

Fast and model-free: skipped rows, duplicates of the whole input and conflicts come from the
table alone; the task adds its own section (`report.section`, by `Task.health`: labels,
imbalance and look-alike spellings; the range of the numbers; entity types), which pages show
with the task's template. A section's fields read as attributes too (`report.labels`), and
`to_dict()` has them at the top level as well as under "section", as reports always had. Texts cut at the length limit are counted with the
base model's tokenizer when the caller passes one, else estimated from word counts.

Text in a script without spaces between words (Chinese, Japanese, Thai: finetune.scripts)
has its lengths in characters, and the report says how much of it the base model cannot
read ("does not know 63% of these characters"): the caller's tokenizer, else the bundled
model's for such text (finetune.vocabulary).
"""

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field

import pandas as pd

from finetune import basemodels, scripts, vocabulary
from finetune.data import Table, require_columns
from finetune.errors import FinetuneError
from finetune.label_issues import not_checked_words
from finetune.mapping import ColumnMapping
from finetune.splits import split_examples
from finetune.tasks import get_task

MIN_ROWS = 10  # fewer usable rows than this is not a training set
SHOWN = 20  # rows or conflicts listed by name in a report
TOKENS_PER_WORD = 1.4  # sub-word pieces per word, for the estimate without a tokenizer
# Words, single characters of unspaced scripts and of Hangul (each one is a piece) and
# punctuation marks.
ONE_PIECE = scripts.UNSPACED_CLASS + "\uac00-\ud7af"
WORD_PIECES = re.compile(rf"[{ONE_PIECE}]|[^\W{ONE_PIECE}]+|[^\w\s]")
SINGLE_PIECES = re.compile(f"[{ONE_PIECE}]")  # never split further


@dataclass
class HealthReport:
    task: str = ""  # a name from finetune.tasks.TASKS
    rows_total: int = 0
    rows_used: int = 0  # examples: rows, or texts for named entities (Task.example_noun)
    unit: str = "row"  # what rows_used and duplicate_texts count
    skipped: list[dict] = field(default_factory=list)  # {"reason", "count", "rows"}
    duplicate_texts: int = 0
    conflicts: list[dict] = field(default_factory=list)  # {"text", "labels", "rows"}
    truncated: int = 0
    truncated_estimated: bool = False
    max_length: int = 128
    text_chars: float | None = None  # average characters of the text column's used cells
    unspaced_share: float = 0.0  # how much of the text is in scripts without spaces (Chinese...)
    script: str | None = None  # that script's name when the text is mostly in it
    length_unit: str = "words"  # "characters" for mostly unspaced text
    text_length: float | None = None  # average length of the texts, in length_unit
    unknown_share: float | None = None  # of the text, unknown to the base model (unknown_unit)
    unknown_unit: str = ""  # "characters" or "words"
    unknown_model: str = ""  # the base model measured, in words
    added_characters: int = 0  # characters added to the model before training (vocabulary)
    split_sizes: dict = field(default_factory=dict)  # the file's own split: train_rows...
    # Why labels that look wrong are not looked for in this task ("": they can be, by
    # finetune.label_issues, which takes longer than this report and runs on its own).
    label_check: str = ""
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # The task's own part (Task.health writes it; its template shows it): labels and their
    # counts, the range of the numbers, entity types... Setting a field the report does not
    # have (report.labels = ...) writes it here.
    section: dict = field(default_factory=dict)

    def __setattr__(self, name, value):
        if name in _FIELDS:
            object.__setattr__(self, name, value)
        else:
            self.section[name] = value

    def __getattr__(self, name):
        section = self.__dict__.get("section", {})
        if name.startswith("_") or name not in section:
            raise AttributeError(f"This report has no {name!r} (its section: {sorted(section)}).")
        return section[name]

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        common = asdict(self)
        section = common.pop("section")
        return section | common | {"section": section, "ok": self.ok}

    @classmethod
    def from_dict(cls, data: dict) -> "HealthReport":
        """A report as to_dict() wrote it, or as reports were saved before they had a section
        (the task's fields beside the common ones)."""
        report = cls(**{k: v for k, v in data.items() if k in _FIELDS and k != "section"})
        if "section" in data:
            report.section = dict(data["section"] or {})
        else:
            report.section = {k: v for k, v in data.items() if k not in _FIELDS and k != "ok"}
        return report


_FIELDS = set(HealthReport.__dataclass_fields__)


def check(
    table: Table | pd.DataFrame,
    mapping: ColumnMapping,
    *,
    task: str | None = None,
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
        task=the_task.name,
        rows_total=len(frame),
        rows_used=len(examples),
        max_length=max_length,
        unit=the_task.example_noun,
    )
    if len(examples):  # finetune.fixes compares it with the labels' length (swapped columns?)
        report.text_chars = round(sum(len(t) for t in examples.texts) / len(examples), 1)
        _script_section(report, examples.texts, tokenizer)
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

    # 2. The file's own train / validation / test column, read as training will read it.
    if mapping.split and len(examples):
        values = frame[mapping.split].tolist()
        try:
            report.split_sizes = split_examples(examples, the_task, split_values=values).sizes()
        except FinetuneError as err:
            report.problems.append(str(err))

    # 3. The task's own section: labels and their counts, or the range of the numbers.
    the_task.health(report, examples, mapping, row_number)
    if not the_task.label_check:
        report.label_check = not_checked_words(the_task)

    # 4. Duplicates of the whole input (both texts of a pair), and the same input with
    #    different answers.
    by_input = defaultdict(list)
    for i, text in enumerate(examples.inputs()):
        by_input[text.strip()].append(i)
    report.duplicate_texts = sum(len(v) - 1 for v in by_input.values())
    if report.duplicate_texts:
        n = report.duplicate_texts
        report.warnings.append(
            f"{n} {report.unit}{'s repeat' if n != 1 else ' repeats'} a text that appears earlier "
            "in the file."
        )
    for text, positions in by_input.items():
        answers = sorted({_answer(examples.targets[i]) for i in positions})
        if len(answers) > 1:
            rows = [row_number(examples.rows[i]) for i in positions]
            report.conflicts.append({"text": text[:200], "labels": answers, "rows": rows[:SHOWN]})
    if report.conflicts:
        n = len(report.conflicts)
        words = the_task.label_words.removeprefix("the ")  # labels, entities, numbers...
        report.warnings.append(
            f"{n} text{'s appear' if n != 1 else ' appears'} more than once with different "
            f"{words}; the model cannot be right on both. Make them agree, or keep one."
        )
        report.conflicts = report.conflicts[:SHOWN]

    # 5. Texts longer than the model will read.
    report.truncated, report.truncated_estimated = _count_truncated(
        examples.texts, examples.text_pairs, max_length, tokenizer
    )
    if report.truncated:
        n = report.truncated
        size = (
            f"about {max_length} characters"
            if report.length_unit == "characters"
            else f"{max_length} pieces of words"
        )
        report.warnings.append(the_task.long_text_warning(n, size))
    return report


def _script_section(report: HealthReport, texts: list[str], tokenizer) -> None:
    """Lengths in the right unit, the unspaced script, and how much of the text the base model
    cannot read: the caller's tokenizer, else the bundled model's when the text is mostly
    in a script without spaces (for other text the bundled model reads nearly everything)."""
    report.unspaced_share = round(scripts.unspaced_share(texts), 3)
    report.length_unit = scripts.length_unit(texts)
    if report.length_unit == "characters":
        report.script = scripts.main_script(texts)
    lengths = [scripts.text_length(t, report.length_unit) for t in texts]
    report.text_length = round(sum(lengths) / len(lengths), 1)
    if tokenizer is None and report.length_unit == "characters":
        try:
            tokenizer = basemodels.load_tokenizer(basemodels.resolve(basemodels.DEFAULT_BASE_MODEL))
        except FinetuneError:  # not installed: nothing to measure
            return
    if tokenizer is None:
        return
    unknown = vocabulary.unknown_share(tokenizer, texts)
    model = basemodels.display_name(tokenizer.name_or_path)
    report.unknown_share = round(unknown.share, 3)
    report.unknown_unit, report.unknown_model = unknown.unit, model
    if unknown.share > vocabulary.UNKNOWN_WARNING:
        others = basemodels.recommended_for(report.script, besides=tokenizer.name_or_path)
        pick = " or ".join(m.name for m in others)
        report.warnings.append(
            f"{model} does not know {round(100 * unknown.share)}% of these {unknown.unit}: it "
            "reads them all as the same unknown sign. "
            + (f"Pick {pick} as the base model if the worker has internet; otherwise " if pick
               else "")
            + "LabelTune adds these characters to the model before training."
        )  # fmt: skip


def _answer(target) -> str:
    if isinstance(target, list | tuple):
        return "; ".join(target) or "(no label)"
    if isinstance(target, float):
        return f"{target:g}"
    return str(target) or "(none)"  # an entity text without names


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
        single = len(SINGLE_PIECES.findall(text))
        return single + (len(WORD_PIECES.findall(text)) - single) * TOKENS_PER_WORD

    pair_pieces = [pieces(p) for p in pairs] if pairs else [0] * len(texts)
    return sum(
        pieces(t) + p + 3 > max_length for t, p in zip(texts, pair_pieces, strict=True)
    ), True
