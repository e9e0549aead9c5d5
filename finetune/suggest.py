"""Which task a table's columns suggest: every registered task says how well it suits them.

    suggestion = suggest(table)            # a first mapping, a task and a sentence saying why
    suggestion.task, suggestion.reason, suggestion.mapping
    task, reason = task_for(table, mapping)   # the task the user's own columns suggest

Each task answers with a finetune.tasks.Suitability: a score from 0 (not at all) to 1 and one
sentence saying why (`Task.suits` for a mapping the user chose, `Task.propose` for a table and
the mapping it would use). The best score wins; on a tie, the task registered first. Then, for
every task: a column saying "train" / "test" for each row is the split. No task is named here.
"""

from dataclasses import dataclass, field

import pandas as pd

from finetune.columns import SAMPLE_ROWS, guess_split
from finetune.mapping import ColumnMapping, TableLook
from finetune.tasks import TASKS, default_task

NO_TEXT = "No column with text was found."


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


def suggest(table_or_frame) -> Suggestion:
    """Guess the roles and the task from the columns, with one sentence saying why."""
    look = TableLook(table_or_frame)
    best, best_task = None, None
    for task in TASKS.values():
        found = task.propose(look)
        if found is not None and found.mapping is not None:
            if best is None or found.score > best.score:
                best, best_task = found, task
    if best is None:
        return Suggestion(default_task().name, None, NO_TEXT, look.reasons)
    reasons = dict(best.reasons)
    return Suggestion(
        best_task.name, _with_split(look.frame, best.mapping, reasons), best.reason, reasons
    )


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
    frame = getattr(table_or_frame, "frame", table_or_frame)
    sample = frame.iloc[:SAMPLE_ROWS]
    best, best_task = None, default_task()
    for task in TASKS.values():
        fit = task.suits(sample, mapping)
        if fit.score > 0 and (best is None or fit.score > best.score):
            best, best_task = fit, task
    return best_task.name, best.reason if best else ""
