"""What keeps a finished run from being a plain success, in sentences for the run and model
pages: a baseline that did better than the model (first), a model no better than the
simplest guess, or training cut short by the step limit.

    for sentence in caveats(run): ...     # [] for a run worth using as it is
    lost_to_baseline(run)                 # "" unless a baseline did better; evaluation page

Each task names its simplest baseline (Task.simplest_baseline: the one that always gives the
same answer) and its words (Task.baseline_names), so nothing here knows the task.
"""

import re

from webapp.runs.models import RunStatus, TrainingRun

SAME_WITHIN = 0.01  # a score this close to the simplest guess's is no better
NO_BETTER = (
    "This model does no better than the simplest guess ({guess}), so it has not learned much "
    "from the data yet. Try more rows, more epochs, or another base model."
)
STEP_LIMIT = (
    "Training was stopped by the step limit ({steps} steps), so it may not have finished "
    "learning. Train again with a higher step limit, or none."
)
LOST = (
    "The simple baseline “{baseline}” did better than this model on the test rows: "
    "{metric} {ahead} against {model}."
)


def caveats(run: TrainingRun) -> list[str]:
    if run.status != RunStatus.FINISHED or not run.metrics:
        return []
    found = []
    if sentence := lost_to_baseline(run):
        found.append(sentence)
    if sentence := _no_better(run):
        found.append(sentence)
    steps = int(run.config.get("max_steps") or 0)
    if steps and int(run.progress.get("total_steps") or 0) >= steps:
        found.append(STEP_LIMIT.format(steps=steps))
    return found


def lost_to_baseline(run: TrainingRun) -> str:
    """One sentence naming the baseline that beat the model most on the test rows (by the
    task's main figure, as the page shows it) with both figures; "" when none did."""
    if run.status != RunStatus.FINISHED or not run.metrics:
        return ""
    task, metrics = run.the_task, run.metrics
    name = task.primary_metric
    model = metrics.get(f"test_{name}")
    if model is None:
        return ""
    ahead = []
    for key, figure in metrics.items():
        found = re.fullmatch(rf"baseline_(\w+?)_{re.escape(name)}", key)
        if not found or not isinstance(figure, int | float):
            continue
        better = figure > model if task.greater_is_better else figure < model
        if better and task.format_metric(figure) != task.format_metric(model):
            ahead.append((figure, found[1]))
    if not ahead:
        return ""
    figure, key = (max if task.greater_is_better else min)(ahead)
    return LOST.format(
        baseline=task.baseline_names.get(key, key.replace("_", " ").capitalize()),
        metric=task.metric_title,
        ahead=task.format_metric(figure),
        model=task.format_metric(model),
    )


def _no_better(run: TrainingRun) -> str:
    """The sentence when the model is no better than the task's simplest baseline (the one
    that always gives the same answer: Task.simplest_baseline), in the task's words."""
    task, metrics = run.the_task, run.metrics
    name = task.compare_metric or task.primary_metric
    model = metrics.get(f"test_{name}")
    key = task.simplest_baseline
    baseline = metrics.get(f"baseline_{key}_{name}") if key else None
    if model is None or baseline is None:
        return ""
    gain = (model - baseline) if task.greater_is_better else (baseline - model)
    scale = max(abs(baseline), 1e-9) if task.metric_range is None else 1.0
    if gain / scale > SAME_WITHIN:
        return ""
    words = task.baseline_names.get(key, key)
    return NO_BETTER.format(guess=words[:1].lower() + words[1:])
