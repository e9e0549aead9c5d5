"""What the label tasks' pages show, as plain data: the web app renders it with each task's
templates (Task.evaluation_template, try_template) and never asks which task it has.

    label_evaluation(evaluation, predictions, {"true": "a", "pred": "b"})  # evaluation page
    answer_bars(result, head)       # one Try it answer: its bars, thresholds marked
    label_prediction(task)          # one answer's pydantic model, for the API's document

The confusion matrix's cells link to the test rows behind them (?true=<label>&pred=<label>).
"""

from urllib.parse import urlencode

CELL_ROWS_SHOWN = 200  # rows listed for one confusion-matrix cell
LABELS_IN_SENTENCES = 3  # the largest labels said in sentences above the per-label table


def label_evaluation(evaluation: dict, predictions: list[dict] | None, params) -> dict:
    """The per-label table, the largest labels in sentences, the confusion matrix (where
    evaluation.json has one) and the test rows of the cell asked for by ?true= and ?pred=
    (none when `predictions` is None: the test rows are not here)."""
    true, pred = params.get("true"), params.get("pred")
    cell_rows = None
    asked = true is not None and pred is not None and "confusion" in evaluation
    if asked and predictions is not None:
        cell_rows = [r for r in predictions if r["label"] == true and r["prediction"] == pred]
    return {
        "per_label": evaluation.get("per_label", []),
        "label_sentences": label_sentences(evaluation),
        "labels": evaluation.get("labels", []),
        "confusion": confusion_rows(evaluation),
        "cell": {"true": true, "pred": pred} if cell_rows is not None else None,
        "cell_rows": (cell_rows or [])[:CELL_ROWS_SHOWN],
        "cell_total": len(cell_rows or []),
    }


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


def answer_bars(result: dict, head: dict) -> dict:
    """One answer's confidence in percent and a bar per label where it has scores:
    [{"label", "percent", "chosen", "threshold"}], highest first; `head`: what answered (the
    model's, or a candidate's), for the labels' thresholds."""
    chosen = set(result.get("labels") or [result.get("label")])
    thresholds = dict(zip(head.get("labels", []), head.get("thresholds", []), strict=False))
    bars = []
    for label, score in sorted((result.get("scores") or {}).items(), key=lambda item: -item[1]):
        shown, line = bar_percents(score, thresholds.get(label))
        bars.append(
            {"label": label, "percent": shown, "chosen": label in chosen, "threshold": line}
        )
    return {"percent": round(100 * result.get("confidence", 0), 1), "bars": bars}


def bar_percents(score: float, threshold: float | None) -> tuple[float, str | None]:
    """A bar's score in percent and its label's threshold in words ("5", "72.5"), rounded to
    one decimal, or to more where one would put the score on the wrong side of its threshold
    (a 9.96% score under a 10% threshold must not read "10.0%" beside no tick)."""
    for digits in range(1, 6):
        shown = round(100 * score, digits)
        if threshold is None:
            return shown, None
        line = round(100 * threshold, digits)
        if (shown >= line) == (score >= threshold):
            break
    return shown, f"{line:g}"


def label_prediction(task, scores: bool = True):
    """One answer of a single-label model as a pydantic model named after `task`: the label
    given, how sure, and (`scores`) every label's score."""
    from pydantic import Field, create_model

    fields = {
        "label": (str, Field(description="The label given.")),
        "confidence": (float, Field(description="How sure the model is of it, from 0 to 1.")),
    }
    if scores:
        fields["scores"] = (dict[str, float], Field(description="Each label's score, 0 to 1."))
    return create_model(
        schema_name(task), __doc__=f"One answer of a model that does this: {task.description}",
        **fields,
    )  # fmt: skip


def schema_name(task, kind: str = "Prediction") -> str:
    """A name of the API document for `task`: "multi_label" -> "MultiLabelPrediction"."""
    return "".join(part.capitalize() for part in task.name.split("_")) + kind
