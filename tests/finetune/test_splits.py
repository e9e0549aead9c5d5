"""Splits: stratified, seeded, every label in every part; or the user's own column."""

import pytest

from finetune.errors import FinetuneError
from finetune.splits import split_examples
from finetune.tasks import get_task
from finetune.tasks.base import Examples

TASK = get_task("single_label")


def examples(counts: dict[str, int]) -> Examples:
    targets = [label for label, n in counts.items() for _ in range(n)]
    return Examples(
        rows=list(range(len(targets))),
        texts=[f"t{i}" for i in range(len(targets))],
        targets=targets,
    )


def test_it_splits_80_10_10_keeping_label_shares():
    parts = split_examples(examples({"a": 500, "b": 100}), TASK)
    assert (len(parts.train), len(parts.validation), len(parts.test)) == (480, 60, 60)
    assert parts.test.targets.count("b") == 10


def test_it_is_seeded():
    data = examples({"a": 50, "b": 50})
    assert (
        split_examples(data, TASK, seed=1).test.rows == split_examples(data, TASK, seed=1).test.rows
    )
    assert (
        split_examples(data, TASK, seed=1).test.rows != split_examples(data, TASK, seed=2).test.rows
    )


def test_it_keeps_every_small_label_in_every_part():
    parts = split_examples(examples({"a": 100, "tiny": 5}), TASK)
    for part in (parts.train, parts.validation, parts.test):
        assert "tiny" in part.targets


def test_it_uses_the_users_split_column_and_carves_validation_from_train():
    data = examples({"a": 40, "b": 40})
    values = ["test" if i % 5 == 0 else "Train" for i in range(80)]
    parts = split_examples(data, TASK, split_values=values)
    assert len(parts.test) == 16 and len(parts.train) + len(parts.validation) == 64
    assert len(parts.validation) > 0


def test_it_names_split_values_it_does_not_understand():
    with pytest.raises(FinetuneError, match='"later"'):
        split_examples(examples({"a": 4}), TASK, split_values=["train", "test", "later", "test"])


def test_it_asks_for_a_value_in_every_rows_split_cell():
    values = ["train", "", None, "test"]
    with pytest.raises(FinetuneError) as caught:
        split_examples(examples({"a": 4}), TASK, split_values=values)
    assert str(caught.value) == (
        '2 rows have an empty cell in the split column. Write "train", "validation" or "test" '
        "in each, or choose no split column."
    )
