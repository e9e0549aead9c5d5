"""Learn from new rows without forgetting: a run that starts from an earlier run's model.

    result = train_from("runs/reviews", new_table, "runs/reviews-2", old_table=old_table)
    result.metrics["continued_from"]["old_test"]   # {"rows", "before": {...}, "after": {...}}
    python -m finetune train new.csv --from runs/reviews --replay reviews.xlsx --out runs/reviews-2

1. The old run's columns and settings are the defaults (its labeltune.json); the new file
   must have the same columns (its split column is optional: without it the new rows are
   split 80/10/10 with the run's seed).
2. The old rows, when given (`old_table`: the file the old run trained on, with the same
   fixes), are split exactly as the old run split them (its seed, shares and split column),
   so its test rows are the old test rows and its training rows are the ones replayed.
3. The run trains on the new training rows plus a seeded sample of the old training rows,
   REPLAY_SHARE of them per new training row (all of them at most; bench/continual.py
   measured the share), and picks its best epoch on the old and new validation rows together.
4. It starts from the old model's own weights (safetensors): the task grows its head with
   the labels the new rows bring (`Task.grow_head`: the old outputs keep their rows, new rows
   are appended; the regression scale stays the old one, `Task.reopen`).
5. Its test rows are the old test rows and then the new ones; metrics.json's
   `continued_from` holds the old model's figures ("before") and the new one's ("after") on
   each, scored alike (`test_*` are on both together, as for any run).
"""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from finetune import basemodels, rundir
from finetune.data import Table
from finetune.errors import FinetuneError
from finetune.health import check
from finetune.mapping import ColumnMapping
from finetune.splits import Splits, split_table
from finetune.tasks import Examples, get_task
from finetune.tasks.base import output_layer
from finetune.train import Prepared, TrainConfig, TrainResult, train

# Old training rows replayed per new training row (at most all of them): on SST-2, 500 rows
# then 500 more, half as many old rows as new ones kept the old test rows as well as all of
# them, and as well as training on both halves from scratch, in two thirds of its time
# (bench/RESULTS.md "Learning from new rows").
REPLAY_SHARE = 0.5
WEIGHTS = "model.safetensors"
# What continues from the old run no matter what is asked: the model it starts from.
KEPT = ("task", "base_model")


def train_from(
    run_dir,
    new_table: Table,
    out_dir,
    *,
    old_table: Table | None = None,
    share: float = REPLAY_SHARE,
    changes: dict | None = None,
    on_progress=None,
    should_cancel=None,
) -> TrainResult:
    """Train on `new_table` from the model in `run_dir`, replaying `old_table`'s rows;
    `changes`: settings that differ from the old run's (TrainConfig fields)."""
    continuation = Continuation(run_dir, old_table, share)
    return train(
        new_table,
        continuation.mapping,
        continuation.settings(changes or {}),
        out_dir,
        on_progress=on_progress,
        should_cancel=should_cancel,
        continued=continuation,
    )


def old_run(run_dir) -> dict:
    """The old run's labeltune.json, once it is sure the folder holds full weights."""
    run_dir = Path(run_dir)
    if not rundir.is_complete(run_dir):
        raise FinetuneError(f'"{run_dir}" is not a LabelTune model folder (no labeltune.json).')
    if not (run_dir / WEIGHTS).is_file():
        raise FinetuneError(
            f'"{run_dir}" holds no full model ({WEIGHTS}), so training cannot continue from '
            "it. Use the folder the training run saved."
        )
    return rundir.read_info(run_dir)


def mapping_for(mapping: ColumnMapping, table: Table) -> ColumnMapping:
    """The old run's `mapping` for the new rows' `table`: the same columns (FinetuneError in
    a sentence otherwise); its split column only if the new rows have one."""
    split = mapping.split
    missing = [c for c in mapping.used() if c not in table.columns and c != split]
    if missing:
        raise FinetuneError(
            f'The new rows have no column "{missing[0]}". They need the same columns as the '
            f"rows the model learnt from: {', '.join(mapping.used())}."
        )
    return replace(mapping, split=split if split in table.columns else None)


def _empty() -> Examples:
    return Examples(rows=[], texts=[], targets=[])


def _joined(first: Examples, second: Examples, shift: tuple[int, int]) -> Examples:
    """`first`'s rows then `second`'s, their frame positions moved by `shift`."""
    pairs = None
    if first.text_pairs or second.text_pairs:
        pairs = [*(first.text_pairs or []), *(second.text_pairs or [])]
    return Examples(
        rows=[r + shift[0] for r in first.rows] + [r + shift[1] for r in second.rows],
        texts=[*first.texts, *second.texts],
        targets=[*first.targets, *second.targets],
        text_pairs=pairs,
    )


class Continuation:
    """What a run that continues from `run_dir` needs beside the new rows; train() asks it
    to prepare the rows, to start the model, and for the before-and-after figures."""

    def __init__(self, run_dir, old_table: Table | None = None, share: float = REPLAY_SHARE):
        if not share >= 0:
            raise FinetuneError("The share of old rows to replay cannot be negative.")
        self.run_dir = Path(run_dir)
        self.info = old_run(run_dir)
        self.task = get_task(self.info["task"])
        self.mapping = ColumnMapping.from_dict(self.info["mapping"])
        self.config = TrainConfig.from_dict(self.info["config"])
        self.old_table = old_table
        self.share = share
        self.facts: dict = {}  # what prepare found, for metrics.json

    def settings(self, changes: dict) -> TrainConfig:
        """The old run's settings with `changes`, except what the old model fixes."""
        return replace(self.config, **{k: v for k, v in changes.items() if k not in KEPT})

    def _check(self, table: Table, mapping: ColumnMapping, config: TrainConfig, tokenizer):
        """The new rows' health report; what blocks training is judged on old and new rows
        together (a label may have few new rows)."""
        report = check(
            table, mapping, task=self.task.name, max_length=config.max_length, tokenizer=tokenizer
        )
        old = self.old_table
        if old is not None:
            missing = [c for c in self.mapping.used() if c not in old.columns]
            if missing:
                raise FinetuneError(
                    f'The old rows have no column "{missing[0]}". Replay the file the model '
                    "was trained on."
                )
            columns = [c for c in self.mapping.used() if c != self.mapping.split]
            last = table.row_number(len(table.frame) - 1) if len(table.frame) else 1
            both = Table(
                frame=pd.concat([table.frame[columns], old.frame[columns]], ignore_index=True),
                row_numbers=[table.row_number(i) for i in range(len(table.frame))]
                + [last + 1 + old.row_number(i) for i in range(len(old.frame))],
            )
            everything = check(both, replace(self.mapping, split=None), task=self.task.name,
                               max_length=config.max_length)  # fmt: skip
            report.problems = everything.problems
        if report.problems:
            raise FinetuneError(report.problems[0])
        return report

    def replayed(self, old_train: Examples, new_train: int, seed: int) -> Examples:
        """A seeded sample of the old training rows: `share` of them per new training row."""
        count = min(len(old_train), int(round(self.share * new_train)))
        picked = np.random.default_rng(seed).choice(len(old_train), size=count, replace=False)
        return old_train.subset(sorted(picked.tolist()))

    def prepare(self, table: Table, mapping: ColumnMapping, config: TrainConfig) -> Prepared:
        """train.prepare for a continued run: new rows split afresh, old rows as the old run
        split them, the old run's tokenizer and its head grown by the new rows' labels."""
        from transformers import set_seed

        tokenizer = basemodels.load_tokenizer(str(self.run_dir))
        new_mapping = mapping_for(self.mapping, table)
        health = self._check(table, new_mapping, config, tokenizer)
        set_seed(config.seed)
        new_rows, new = split_table(self.task, table, new_mapping, config)
        old = Splits(_empty(), _empty(), _empty())
        if self.old_table is not None:
            old = split_table(self.task, self.old_table, self.mapping, self.config)[1]
        replay = self.replayed(old.train, len(new.train), config.seed)
        offset = len(table.frame)
        splits = Splits(
            _joined(new.train, replay, (0, offset)),
            _joined(new.validation, old.validation, (0, offset)),
            _joined(old.test, new.test, (offset, 0)),
        )
        saved = self.task.reopen(self.info["head"])
        head = self.task.grow_head(saved, self.task.make_head(new.train, new_rows))
        self.facts = {
            "run": self.run_dir.name,
            "new_rows": len(new_rows),
            "replay_share": self.share,
            "replayed_rows": len(replay),
            "old_training_rows": len(old.train),
            "added_labels": [x for x in head["labels"] if x not in saved["labels"]],
            "old_test_rows": len(old.test),
        }
        old_table = self.old_table

        def row_number(i: int) -> int:
            return table.row_number(i) if i < offset else old_table.row_number(i - offset)

        return Prepared(self.task, mapping, config, str(self.run_dir), tokenizer, health,
                        splits, head, row_number, start=self.start)  # fmt: skip

    def start(self, model) -> None:
        """The old model's output rows into `model` (built from the old folder, its head
        sized for the grown labels: new rows keep their fresh start), then back in the
        units the task trains in."""
        import torch
        from safetensors import safe_open

        name, out = output_layer(model)
        saved = self.info["head"]
        with safe_open(str(self.run_dir / WEIGHTS), framework="pt") as weights:
            old = {key: weights.get_tensor(f"{name}.{key}") for key in ("weight", "bias")
                   if f"{name}.{key}" in weights.keys()}  # fmt: skip
        rows = len(saved["labels"])
        with torch.no_grad():
            for key, tensor in old.items():
                getattr(out, key)[:rows].copy_(tensor[:rows])
        self.task.reopen(saved, model)

    def before_and_after(self, prepared: Prepared, head, predictions: list[dict], device) -> dict:
        """`facts` and, per test part (old, new), the old model's figures and the new one's."""
        from finetune.predict import Predictor

        test, task = prepared.splits.test, self.task
        cut = self.facts["old_test_rows"]
        parts = {"old_test": (0, cut), "new_test": (cut, len(test))}
        before = Predictor.load(self.run_dir, device=device.type, int8=False, candidate=False)
        found = dict(self.facts)
        for name, (a, b) in parts.items():
            if a == b:
                continue
            pairs = test.text_pairs[a:b] if test.text_pairs else None
            answers = before.predict(test.texts[a:b], pairs)
            found[name] = {
                "rows": b - a,
                "before": task.metrics(test.targets[a:b], answers, head),
                "after": task.metrics(test.targets[a:b], predictions[a:b], head),
            }
        return found


def compared(found: dict, task) -> list[tuple[str, int, list[tuple[str, str, str]]]]:
    """Per test part that `continued_from` (`found`) holds ("old_test", "new_test"): its
    name, its rows and (figure, before, after) in the task's words (Task.headline)."""
    out = []
    for name in ("old_test", "new_test"):
        if part := found.get(name):
            before, after = (task.headline({f"test_{k}": v for k, v in part[when].items()})
                             for when in ("before", "after"))  # fmt: skip
            pairs = zip(before, after, strict=True)
            out.append((name, part["rows"], [(t, was, now) for (t, was), (_, now) in pairs]))
    return out


def before_and_after_words(found: dict, task) -> list[str]:
    """`continued_from` in sentences: what was replayed and added, then each test part's
    headline figures before and after."""
    replayed = f"{found['replayed_rows']:,} of its {found['old_training_rows']:,}"
    lines = [f"Started from {found['run']}; replayed {replayed} old training rows."]
    if found["added_labels"]:
        lines.append("New labels: " + ", ".join(found["added_labels"]) + ".")
    for name, rows, figures in compared(found, task):
        shown = "; ".join(f"{title} {was} before, {now} after" for title, was, now in figures)
        lines.append(f"On the {rows:,} {name.removesuffix('_test')} test rows: {shown}.")
    return lines
