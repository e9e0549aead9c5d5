"""The evaluation page of a finished run, and its test-prediction downloads.

Everything comes from the run directory finetune wrote (metrics.json via run.metrics,
evaluation.json, history.json, test_predictions.csv). The page has a part every task shares
(the figures in the task's words beside its baselines, a verdict, which candidate answers
and why (finetune.candidates), the training curves) and the task's own section
(Task.evaluation_template): the per-label table and a confusion
matrix whose cells link to the test rows behind them (?true=<label>&pred=<label>); the
thresholds per label; the predicted-against-true plot and the largest errors; the names
found per type, with the test texts drawn twice (expected and predicted names marked; twenty
at a time, by evaluation_entities). What a section shows is driven by what evaluation.json
holds, never by the task's name.
"""

import json
from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render

from finetune import candidates, rundir
from finetune.tasks.base import percent
from lib.entities import colour_of
from lib.teams import get_for_user
from webapp.runs.caveats import lost_to_baseline
from webapp.runs.downloads import temp_download
from webapp.runs.evaluation_entities import mistakes_context
from webapp.runs.models import RunStatus, TrainingRun

WRONG_SHOWN = 50  # wrong predictions listed, most confident first
CELL_ROWS_SHOWN = 200  # rows listed for one confusion-matrix cell
SAME_WITHIN = 0.01  # macro-F1 difference that counts as "about the same"
DOWNLOAD_FORMATS = {"csv": ".csv", "xlsx": ".xlsx"}
LABELS_IN_SENTENCES = 3  # the largest labels said in sentences above the per-label table
# Regression's "typical error" is MAE (its headline figure); RMSE is named as itself.
METRIC_WORDS = {"macro_f1": "macro-F1", "micro_f1": "micro-F1", "rmse": "RMSE"}
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
    label = METRIC_WORDS.get(name, name.replace("_", " "))
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


def label_sentences(evaluation: dict, shown: int = LABELS_IN_SENTENCES) -> list[str]:
    """The largest labels' recall and precision as counts of rows, largest label first:
    'Finds 8 of 10 “refund” rows; 1 in 5 of its “refund” answers is wrong.'

    Counts come from the confusion matrix where evaluation.json has one (its diagonal: rows
    found; its column: the model's answers), else from per_label's recall and precision."""
    per_label = [r for r in evaluation.get("per_label", []) if r.get("support")]
    labels, matrix = evaluation.get("labels", []), evaluation.get("confusion")
    sentences = []
    for row in sorted(per_label, key=lambda r: -r["support"])[:shown]:
        label, support = row["label"], int(row["support"])
        if matrix and label in labels:
            i = labels.index(label)
            found, answers = matrix[i][i], sum(line[i] for line in matrix)
        else:
            found = round(row["recall"] * support)
            answers = round(found / row["precision"]) if row["precision"] else found
        finds = f"all {support}" if found == support else f"{found} of {support}"
        sentences.append(f"Finds {finds} “{label}” rows; {_wrong_answers(label, found, answers)}.")
    return sentences


def _wrong_answers(label: str, right: int, answers: int) -> str:
    """ "1 in 5 of its “refund” answers is wrong", in the plainest form the counts allow."""
    wrong = answers - right
    if answers == 0:
        return f"it never answers “{label}”"
    if wrong == 0:
        return f"all {answers} of its “{label}” answers are right"
    if 2 * wrong > answers:
        return f"{wrong} of its {answers} “{label}” answers are wrong"
    about = "" if answers % wrong == 0 else "about "
    return f"{about}1 in {round(answers / wrong)} of its “{label}” answers is wrong"


def confusion_rows(evaluation: dict) -> list[dict]:
    """The matrix as template rows; each cell has its count, shade (0..1) and link."""
    labels, matrix = evaluation.get("labels", []), evaluation.get("confusion", [])
    biggest = max((count for row in matrix for count in row), default=0) or 1
    rows = []
    for true, counts in zip(labels, matrix, strict=False):
        cells = [
            {
                "count": count,
                "shade": round(count / biggest, 2),
                "dark": count / biggest > 0.55,
                "diagonal": true == pred,
                "query": urlencode({"true": true, "pred": pred}),
                "pred": pred,
            }
            for pred, count in zip(labels, counts, strict=False)
        ]
        rows.append({"label": true, "cells": cells, "total": sum(counts)})
    return rows


def entity_context(evaluation: dict, params: QueryDict) -> dict:
    """What the named-entity section adds, from evaluation.json's "types", "overall" and
    "examples" (empty where it has none): each type with its colour, the names in the test
    texts, the word-level accuracy in words, and the first test texts with a mistake
    (evaluation_entities: most mistakes first, ?type= and ?shown= from `params`)."""
    types = [row | {"colour": colour_of(row["type"])} for row in evaluation.get("types", [])]
    accuracy = (evaluation.get("overall") or {}).get("token_accuracy")
    return {
        "entity_types": types,
        "entity_support": sum(int(row.get("support", 0)) for row in types),
        "token_percent": percent(accuracy) if accuracy is not None else "",
    } | mistakes_context(evaluation, params)


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
    true, pred = request.GET.get("true"), request.GET.get("pred")
    cell_rows = None
    if true is not None and pred is not None and "confusion" in evaluation and not copy:
        cell_rows = [r for r in predictions if r["label"] == true and r["prediction"] == pred]
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
        "per_label": evaluation.get("per_label", []),
        "label_sentences": label_sentences(evaluation),
        "labels": evaluation.get("labels", []),
        "confusion": confusion_rows(evaluation),
        "scatter": evaluation.get("scatter"),
        "largest_errors": [
            predictions[i] for i in evaluation.get("largest_errors", []) if i < len(predictions)
        ],
        **entity_context(evaluation, request.GET),
        "history": history,
        "chart_metric": run.chart_metric,
        "cell": {"true": true, "pred": pred} if cell_rows is not None else None,
        "cell_rows": (cell_rows or [])[:CELL_ROWS_SHOWN],
        "cell_total": len(cell_rows or []),
        "judged": bool(judged),
        "wrong": wrong[:WRONG_SHOWN],
        "wrong_total": len(wrong),
    }
    return render(request, "runs/evaluation.html", ctx)


@login_required
def predictions_download(request, uuid, fmt):
    from finetune.data import read_table, write_table

    run = _finished_run(request, uuid)
    if fmt not in DOWNLOAD_FORMATS:
        raise Http404
    source = run.local_file(rundir.TEST_PREDICTIONS)
    if not source.is_file():
        raise Http404
    frame = read_table(source, filename=source.name).frame
    suffix = DOWNLOAD_FORMATS[fmt]
    return temp_download(
        lambda path: write_table(frame, path), suffix, f"{run.name} test predictions{suffix}"
    )
