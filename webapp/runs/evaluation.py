"""The evaluation page of a finished run, and its test-prediction downloads.

Everything comes from the run directory finetune wrote (metrics.json via run.metrics,
evaluation.json, history.json, test_predictions.csv). The page has a part every task shares
(the figures in the task's words beside its baselines, a verdict, which candidate answers
and why (finetune.candidates), the training curves, the wrong test rows) and the task's own
section: its template (Task.evaluation_template) shows what Task.evaluation_context gives from
evaluation.json, the test rows and the page's query (the per-label table and a confusion
matrix whose cells link to the test rows behind them; the predicted-against-true plot; the
names found per type...). Nothing here knows which task it shows.
"""

import json
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render

from finetune import candidates, rundir
from webapp.accounts.access import get_for_user
from webapp.runs.caveats import lost_to_baseline
from webapp.runs.downloads import temp_download
from webapp.runs.improving import before_after
from webapp.runs.models import RunStatus, TrainingRun

WRONG_SHOWN = 50  # wrong predictions listed, most confident first
SAME_WITHIN = 0.01  # macro-F1 difference that counts as "about the same"
DOWNLOAD_FORMATS = {"csv": ".csv", "xlsx": ".xlsx"}
# A copy of another team's model has no test rows (catalog.sharing.leaving_files).
ROWS_STAYED = (
    "The test rows stayed with the team that trained this model, so this copy shows its "
    "figures without them."
)


def read_predictions(path: Path) -> list[dict]:
    """test_predictions.csv of a run folder (read as finetune reads it), each row a dict."""
    rows = rundir.read_test_predictions(path.parent).to_dict("records")
    for row in rows:
        row["confidence"] = float(row["confidence"] or 0) if "confidence" in row else None
        if "correct" in row:
            row["correct"] = row["correct"] in ("True", "true", "1")
    return rows


def headline(run: TrainingRun) -> str:
    metrics = run.metrics
    correct, total = metrics.get("test_correct"), metrics.get("test_rows", 0)
    tested = f"test {run.the_task.example_noun}{'s' if total != 1 else ''}"
    if correct is None:
        figure = run.figures[0] if run.figures else ("", "")
        return f"{figure[0]}: {figure[1]} on {total:,} {tested}"
    share = round(100 * correct / total) if total else 0
    return f"Correct on {correct:,} of {total:,} {tested} ({share}%)"


def verdict(run: TrainingRun) -> str:
    """One sentence: did fine-tuning beat the simple TF-IDF baseline (in the task's
    comparison metric and direction)?"""
    task, metrics = run.the_task, run.metrics
    name = task.compare_metric or task.primary_metric
    model, baseline = metrics.get(f"test_{name}"), metrics.get(f"baseline_tfidf_{name}")
    if model is None or baseline is None:
        return ""
    gain = (model - baseline) if task.greater_is_better else (baseline - model)
    scale = max(abs(baseline), 1e-9) if task.metric_range is None else 1.0
    label = task.compare_title or name.replace("_", " ")
    if gain / scale > SAME_WITHIN:
        return f"Fine-tuning helped: the model beats the simple TF-IDF baseline on {label}."
    if gain / scale >= -SAME_WITHIN:
        return (
            "Fine-tuning did about as well as the simple TF-IDF baseline. More rows, more "
            "epochs or a larger base model may help."
        )
    return (
        f"The simple TF-IDF baseline did better on {label}. Try more epochs, a larger "
        "base model, or more rows."
    )


def _finished_run(request, uuid) -> TrainingRun:
    run = get_for_user(request.user, TrainingRun, uuid)
    if run.status != RunStatus.FINISHED:
        raise Http404
    return run


@login_required
def evaluation(request, uuid):
    run = get_for_user(request.user, TrainingRun, uuid)
    if run.status != RunStatus.FINISHED:
        messages.info(request, "The evaluation appears here when training has finished.")
        return redirect("runs:detail", run.uuid)
    model = getattr(run, "model", None)
    copy = model is not None and model.is_copy
    try:
        # Each file fetched alone: the page needs no weights.
        evaluation = json.loads(run.local_file("evaluation.json").read_bytes())
        history = json.loads(run.local_file("history.json").read_bytes())
        predictions = [] if copy else read_predictions(run.local_file(rundir.TEST_PREDICTIONS))
    except (OSError, ValueError):
        return render(request, "runs/evaluation_missing.html", {"run": run}, status=404)
    # A task whose section lists its own wrong rows ("examples") does not need the list below.
    judged = [r for r in predictions if "correct" in r and "examples" not in evaluation]
    wrong = sorted((r for r in judged if not r["correct"]), key=lambda r: -(r["confidence"] or 0))
    task = run.the_task
    ctx = {
        "run": run,
        "model": model,
        "rows_note": ROWS_STAYED if copy else "",
        "metrics": run.metrics,
        "task": task,
        "section": task.evaluation_template,
        "lost": lost_to_baseline(run),  # said first: a baseline did better than the model
        "headline": headline(run),
        "verdict": verdict(run),
        "served_sentence": candidates.served_sentence(task, run.metrics),  # which answers, why
        "candidates": candidates.table(task, run.metrics),
        "evaluation": evaluation,
        # The task's own section: what it shows, from the same files and the page's query.
        **task.evaluation_context(evaluation, None if copy else predictions, request.GET),
        "history": history,
        "chart_metric": run.chart_metric,
        "judged": bool(judged),
        "wrong": wrong[:WRONG_SHOWN],
        "wrong_total": len(wrong),
        "before_after": before_after(run),  # a run that improved a model: both test parts
    }
    return render(request, "runs/evaluation.html", ctx)


@login_required
def predictions_download(request, uuid, fmt):
    from finetune.writer import write_table

    run = _finished_run(request, uuid)
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404
    source = run.local_file(rundir.TEST_PREDICTIONS)
    if not source.is_file():
        raise Http404
    frame = rundir.read_test_predictions(source.parent)  # the one reader of that file
    suffix = DOWNLOAD_FORMATS[fmt]
    return temp_download(
        lambda path: write_table(frame, path), suffix, f"{run.name} test predictions{suffix}"
    )
