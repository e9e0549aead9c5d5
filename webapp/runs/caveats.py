"""What keeps a finished run from being a plain success, in sentences for the run and model
pages: a model no better than the simplest guess, or training cut short by the step limit.

    for sentence in caveats(run): ...     # [] for a run worth using as it is

Tasks name their simplest baseline in their metrics (baseline_majority_*, baseline_frequent_*,
baseline_mean_*: everything but the TF-IDF one), so nothing here knows the task.
"""

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
GUESS_WORDS = {
    "majority": "always the most common label",
    "frequent": "always the most frequent labels",
    "mean": "always the average",
}


def caveats(run: TrainingRun) -> list[str]:
    if run.status != RunStatus.FINISHED or not run.metrics:
        return []
    found = []
    if sentence := _no_better(run):
        found.append(sentence)
    steps = int(run.config.get("max_steps") or 0)
    if steps and int(run.progress.get("total_steps") or 0) >= steps:
        found.append(STEP_LIMIT.format(steps=steps))
    return found


def _no_better(run: TrainingRun) -> str:
    task, metrics = run.the_task, run.metrics
    name = task.compare_metric or task.primary_metric
    model = metrics.get(f"test_{name}")
    for key, guess in GUESS_WORDS.items():
        baseline = metrics.get(f"baseline_{key}_{name}")
        if model is None or baseline is None:
            continue
        gain = (model - baseline) if task.greater_is_better else (baseline - model)
        scale = max(abs(baseline), 1e-9) if task.metric_range is None else 1.0
        if gain / scale <= SAME_WITHIN:
            return NO_BETTER.format(guess=guess)
    return ""
