"""The tasks LabelTune can train, by name.

task = get_task("single_label")
examples = task.prepare(frame, columns)
"""

from finetune.errors import FinetuneError
from finetune.tasks.base import Examples, Task
from finetune.tasks.single_label import SingleLabelTask

TASKS: dict[str, Task] = {task.name: task for task in [SingleLabelTask()]}


def get_task(name: str) -> Task:
    try:
        return TASKS[name]
    except KeyError:
        known = ", ".join(TASKS)
        raise FinetuneError(
            f'"{name}" is not a task LabelTune knows. Pick one of: {known}.'
        ) from None


__all__ = ["TASKS", "Examples", "Task", "get_task"]
