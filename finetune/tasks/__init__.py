"""The tasks LabelTune can train, by name: the built-in ones, and any registered later.

    task = get_task("multi_label")
    examples = task.prepare(frame, mapping)
    register_task(MyTask())            # a new task: everything asks TASKS, nothing names it
    with registered(MyTask()): ...     # the same, undone after (tests)

Another process (the web app's worker) loads tasks named in the environment variable
LABELTUNE_TASKS ("package.module:TaskClass", comma-separated) when this package is imported.
"""

import importlib
import os
from contextlib import contextmanager

from finetune import roles
from finetune.errors import FinetuneError
from finetune.tasks.base import Examples, Head, Suitability, Task
from finetune.tasks.multi_label import MultiLabelTask
from finetune.tasks.ner import NerTask
from finetune.tasks.regression import RegressionTask
from finetune.tasks.single_label import SingleLabelTask

TASKS: dict[str, Task] = {}
ENVIRONMENT = "LABELTUNE_TASKS"


def register_task(task: Task) -> Task:
    """Make `task` (an instance) one LabelTune trains: its roles become known to mappings,
    the command line and the web forms. Registering a name again replaces that task."""
    if not task.name:
        raise FinetuneError("A task needs a name.")
    for role in task.roles:
        roles.register(role)
    TASKS[task.name] = task
    return task


def unregister_task(name: str) -> None:
    """Forget the task `name` and the roles no other task has."""
    task = TASKS.pop(name, None)
    if task is not None:
        still = {role.name for other in TASKS.values() for role in other.roles}
        roles.unregister(role.name for role in task.roles if role.name not in still)


@contextmanager
def registered(task: Task):
    """`task` registered for the block, unregistered after."""
    register_task(task)
    try:
        yield task
    finally:
        unregister_task(task.name)


def default_task() -> Task:
    """The task asked for when none is: the first registered."""
    return next(iter(TASKS.values()))


def default_task_name() -> str:
    """default_task()'s name: the database's default for a task column."""
    return default_task().name


def get_task(name: str | None) -> Task:
    """The registered task `name`; no name: the default task."""
    if not name:
        return default_task()
    try:
        return TASKS[name]
    except KeyError:
        known = ", ".join(TASKS)
        raise FinetuneError(
            f'"{name}" is not a task LabelTune knows. Pick one of: {known}.'
        ) from None


def _load_named(spec: str) -> Task:
    module, _, attr = spec.strip().partition(":")
    try:
        found = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as err:
        raise FinetuneError(
            f'{ENVIRONMENT} names "{spec}", which cannot be loaded ({err}). Correct the name '
            f'("package.module:TaskClass") or leave it out of {ENVIRONMENT}.'
        ) from err
    return found() if isinstance(found, type) else found


for _task in (SingleLabelTask(), MultiLabelTask(), RegressionTask(), NerTask()):
    register_task(_task)
for _spec in filter(None, os.environ.get(ENVIRONMENT, "").split(",")):
    register_task(_load_named(_spec))

__all__ = [
    "TASKS",
    "Examples",
    "Head",
    "Suitability",
    "Task",
    "default_task",
    "get_task",
    "register_task",
    "registered",
    "unregister_task",
]
