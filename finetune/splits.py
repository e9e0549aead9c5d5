"""Train / validation / test splits: stratified and seeded, or the user's own split column.

    parts = split_examples(examples, task, validation=0.1, test=0.1, seed=42)
    examples, parts = split_table(task, table, mapping, config)   # a table, as a run splits it
    parts = split_examples(examples, task, split_values=frame["split"])  # user's column

What the task stratifies by (the label; a row's rarest label; a fifth of the value range)
keeps its share in each part. Labels with very few rows keep at least one row
in training; the health report refuses training before that becomes a problem.
"""

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from finetune.columns import SPLIT_NAMES
from finetune.errors import FinetuneError
from finetune.tasks.base import Examples, Task


@dataclass
class Splits:
    train: Examples
    validation: Examples
    test: Examples

    def sizes(self) -> dict[str, int]:
        return {
            "train_rows": len(self.train),
            "validation_rows": len(self.validation),
            "test_rows": len(self.test),
        }


def split_examples(
    examples: Examples,
    task: Task,
    *,
    validation: float = 0.1,
    test: float = 0.1,
    seed: int = 42,
    split_values: list[str] | None = None,
) -> Splits:
    if split_values is not None:
        return _user_split(examples, split_values, task, validation, seed)
    parts = _stratified(examples, task, [validation, test], seed)
    train, val, tst = parts
    return Splits(examples.subset(train), examples.subset(val), examples.subset(tst))


def split_table(task: Task, table, mapping, config) -> tuple[Examples, Splits]:
    """The usable rows of `table` (a finetune.data.Table or a DataFrame) as `mapping` reads
    them, and their parts as `config` (a finetune.train.TrainConfig) splits them."""
    from finetune.data import Table

    frame = table.frame if isinstance(table, Table) else table
    row_numbers = table.row_numbers if isinstance(table, Table) else None
    examples = task.prepare(frame, mapping, row_numbers=row_numbers)
    splits = split_examples(
        examples,
        task,
        validation=config.validation_fraction,
        test=config.test_fraction,
        seed=config.seed,
        split_values=frame[mapping.split].tolist() if mapping.split else None,
    )
    return examples, splits


def _stratified(examples: Examples, task: Task, fractions: list[float], seed: int):
    """Positions for [train, *fractions] parts, label by label."""
    rng = np.random.default_rng(seed)
    by_key = defaultdict(list)
    for i, key in enumerate(task.stratify_keys(examples.targets)):
        by_key[key].append(i)
    parts = [[] for _ in range(len(fractions) + 1)]
    for key in sorted(by_key):
        positions = by_key[key]
        rng.shuffle(positions)
        n, start = len(positions), 0
        for k, fraction in enumerate(fractions):
            # At least one row in each held-out part once a label has 3+ rows,
            # so every label is validated and tested; never take a label's last row.
            take = int(round(n * fraction))
            if fraction > 0 and n >= 3:
                take = max(1, take)
            take = min(take, n - start - 1)
            parts[k + 1].extend(positions[start : start + take])
            start += take
        parts[0].extend(positions[start:])
    return [sorted(p) for p in parts]


def _user_split(examples: Examples, split_values, task: Task, validation: float, seed: int):
    named = defaultdict(list)
    unknown = set()
    blank = 0
    for i, row in enumerate(examples.rows):
        cell = split_values[row]
        value = "" if cell is None or cell != cell else str(cell).strip().lower()  # NaN: blank
        if value in SPLIT_NAMES:
            named[SPLIT_NAMES[value]].append(i)
        elif value:
            unknown.add(str(cell).strip())
        else:
            blank += 1
    if blank:
        raise FinetuneError(
            f"{blank:,} {'rows have' if blank > 1 else 'row has'} an empty cell in the split "
            'column. Write "train", "validation" or "test" in each, or choose no split column.'
        )
    if unknown:
        shown = ", ".join(f'"{v}"' for v in sorted(unknown)[:5])
        raise FinetuneError(
            f"The split column has values LabelTune does not understand: {shown}. "
            'Use "train", "validation" or "test" in every row.'
        )
    if not named["train"] or not named["test"]:
        raise FinetuneError(
            'The split column needs rows marked "train" and rows marked "test". '
            'Rows marked "validation" are optional.'
        )
    train = examples.subset(named["train"])
    if named["validation"]:
        return Splits(train, examples.subset(named["validation"]), examples.subset(named["test"]))
    # No validation rows: hold some training rows back to pick the best epoch.
    keep, val = _stratified(train, task, [validation], seed)
    return Splits(train.subset(keep), train.subset(val), examples.subset(named["test"]))
