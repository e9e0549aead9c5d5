"""The tasks LabelTune can train, by name.

task = get_task("multi_label")
examples = task.prepare(frame, mapping)
"""

from finetune.errors import FinetuneError
from finetune.tasks.base import Examples, Head, Task
from finetune.tasks.multi_label import MultiLabelTask
from finetune.tasks.ner import NerTask
from finetune.tasks.regression import RegressionTask
from finetune.tasks.single_label import SingleLabelTask

TASKS: dict[str, Task] = {
    task.name: task for task in [SingleLabelTask(), MultiLabelTask(), RegressionTask(), NerTask()]
}


def get_task(name: str) -> Task:
    try:
        return TASKS[name]
    except KeyError:
        known = ", ".join(TASKS)
        raise FinetuneError(
            f'"{name}" is not a task LabelTune knows. Pick one of: {known}.'
        ) from None


__all__ = ["TASKS", "Examples", "Head", "Task", "get_task"]
