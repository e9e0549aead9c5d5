"""The candidates of a run: the fine-tuned model beside the simpler models its task fits on the
same rows (Task.candidates: TF-IDF models, the names seen in training; the base model's
sentence embeddings, finetune/embeddings.py). The one with the best
validation score serves Try it, the API and batch scoring.

    outcome = compare(task, splits, head, model_validation_answers, model_test_answers,
                      base_model=config.base_model)
    outcome.served                  # None: the fine-tuned model serves; else a Candidate
    outcome.metrics                 # baseline_*, "candidates", "served", "served_test_<metric>"
    outcome.served.save(run_dir)    # candidate.json (+ candidate.safetensors), never pickle
    load(run_dir)                   # the Candidate saved there, answering as it did in training
    served_sentence(task, metrics)  # "The simple character model did better on your ..."

A candidate answers in its task's format (a label, its confidence and a score per label; the
labels above their thresholds; a number; the names found), so whatever serves is the same to
its callers. Its files hold settings and numbers only (JSON and safetensors): loading one
runs no code from the folder.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from finetune import crossval, encoder
from finetune.errors import FinetuneError

MODEL = "model"  # the fine-tuned model's name among the candidates
MODEL_WORDS = "the fine-tuned model"
SPEC_FILE = "candidate.json"  # kind, name, words, head and settings of the served candidate
ARRAYS_FILE = "candidate.safetensors"  # its numbers (TF-IDF weights), when it has any
UNREADABLE = (
    'The simpler model saved in "{folder}" could not be read. Download the model again, or '
    "train it again."
)


def joined(texts: list[str], pairs: list[str] | None = None) -> list[str]:
    """The whole input of each row: its text, or both texts of a pair ("a [SEP] b"), as the
    baselines read it in training and the candidates at every prediction."""
    if pairs is None:
        return list(texts)
    return [f"{a} [SEP] {b}" for a, b in zip(texts, pairs, strict=True)]


KINDS: dict[str, type] = {}  # Candidate subclasses by their `kind`, as they are defined


class Candidate:
    """A fitted model that may serve instead of the fine-tuned one. Subclasses set `kind`
    (how its files are read back) and fill in `predict`, `state` and `from_state`; defining
    one makes its kind known to `load` (the modules that define them are the tasks')."""

    kind = ""
    # The candidate this one is a variant of, when cross-validation cannot score it itself:
    # it stands in for that one when that one wins the folds (finetune/embeddings.py).
    variant_of = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.kind:
            KINDS[cls.kind] = cls

    def __init__(self, name: str, words: str, head: dict):
        self.name = name  # its key in metrics.json: baseline_<name>_*, "served"
        self.words = words  # for people, lower case: "the simple word model"
        self.head = head  # the head its answers follow (its own thresholds, where it has any)

    def predict(self, texts: list[str], pairs: list[str] | None = None) -> list[dict]:
        """One answer per text, in the task's format (Task.postprocess)."""
        raise NotImplementedError

    def answers(self, examples) -> list[dict]:
        return self.predict(examples.texts, examples.text_pairs)

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """(its settings as JSON-able values, its arrays by name) to save."""
        raise NotImplementedError

    @classmethod
    def from_state(cls, spec: dict, arrays: dict[str, np.ndarray], folder=None) -> "Candidate":
        """The candidate `state` described; `folder`: where it was saved, for the files of
        its own that `save` wrote there."""
        raise NotImplementedError

    def save(self, folder) -> list[str]:
        """Write SPEC_FILE (and ARRAYS_FILE) into `folder`; the names written."""
        from safetensors.numpy import save_file

        folder = Path(folder)
        spec, arrays = self.state()
        written = []
        if arrays:
            save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()},
                      str(folder / ARRAYS_FILE))  # fmt: skip
            written.append(ARRAYS_FILE)
        spec = {"kind": self.kind, "name": self.name, "words": self.words, "head": self.head} | spec
        text = json.dumps(spec, ensure_ascii=False, allow_nan=False)
        (folder / SPEC_FILE).write_text(text, encoding="utf-8")
        return [SPEC_FILE, *written]


def load(folder) -> Candidate:
    """The candidate saved in `folder` by Candidate.save."""
    from safetensors.numpy import load_file

    folder = Path(folder)
    try:
        spec = json.loads((folder / SPEC_FILE).read_text(encoding="utf-8"))
        kind = KINDS[spec["kind"]]
        arrays = load_file(str(folder / ARRAYS_FILE)) if (folder / ARRAYS_FILE).is_file() else {}
        candidate = kind.from_state(spec, arrays, folder)
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise FinetuneError(UNREADABLE.format(folder=folder.name)) from err
    candidate.name, candidate.words, candidate.head = spec["name"], spec["words"], spec["head"]
    return candidate


@dataclass
class Outcome:
    served: Candidate | None  # None when the fine-tuned model serves
    metrics: dict  # the task's baselines, "candidates", "served", "served_test_<metric>"


def compare(
    task,
    splits,
    head: dict,
    model_validation: list[dict],
    model_test: list[dict],
    base_model: str | None = None,
    tuned=None,
):
    """Which candidate serves, with the figures that say why:
    1. the task fits its candidates on the training rows (settings such as thresholds on the
       validation rows), with `base_model` (the run's, as downloaded) those that read it too,
       and with `tuned` (finetune.encoder.Encoder: the base model after the run's pairs
       training) those that read that;
    2. its baselines are scored on the test rows, the candidates' from their own answers;
    3. every candidate, the fine-tuned model first, is scored on the validation and the test
       rows with the task's compare metric;
    4. the best candidate on the validation rows serves instead of the fine-tuned model only
       when it beats the model there by more than those rows can tell apart (one standard
       error of the gap between the two on the same rows, finetune/crossval.py
       `paired_margin`); within that the fine-tuned model serves. A candidate's own settings
       (C, thresholds) were picked on those same rows, which flatters its figure: on 2,000
       SST-2 rows the sentence-meaning model led the model by 0.2 points on the 200
       validation rows and trailed it by 5 on the test rows (bench/RESULTS.md);
    5. unless the validation rows are few (finetune/crossval.py): then the candidates are
       also scored by cross-validation over the training and validation rows together, and
       the best of them there serves, unless the fine-tuned model beats that figure on the
       validation rows by more than so few rows can tell apart. A candidate that cannot be
       cross-validated (its encoder learned from the rows the folds hold out) stands in for
       the one it is a variant of (`Candidate.variant_of`) when that one wins, unless it is
       clearly worse than that one on the validation rows."""
    with encoder.reused():  # the base model reads each text once, cross-validation included
        return _compare(task, splits, head, model_validation, model_test, base_model, tuned)


def _compare(task, splits, head, model_validation, model_test, base_model, tuned) -> "Outcome":
    fitted = task.candidates(splits.train, splits.validation, head)
    if base_model:
        fitted += task.base_model_candidates(base_model, splits.train, splits.validation, head,
                                             tuned=tuned)  # fmt: skip
    metrics = task.baselines(splits.train, splits.test, head, fitted)
    name, primary = task.compare_metric or task.primary_metric, task.primary_metric

    def figures(candidate_head, validation, test) -> dict:
        scored = task.metrics(splits.test.targets, test, candidate_head)
        return {
            "validation": float(task.metrics(splits.validation.targets, validation,
                                             candidate_head)[name]),
            "test": float(scored[name]),
            "primary": float(scored[primary]),
        }  # fmt: skip

    rows = [{"name": MODEL, "words": MODEL_WORDS} | figures(head, model_validation, model_test)]
    read = {MODEL: (model_validation, head)}  # each one's validation answers and head
    for candidate in fitted:
        answers = candidate.answers(splits.validation), candidate.answers(splits.test)
        read[candidate.name] = answers[0], candidate.head
        rows.append({"name": candidate.name, "words": candidate.words}
                    | figures(candidate.head, *answers))  # fmt: skip
    best = rows[0]
    runner = _best(task, rows[1:], "validation") if len(rows) > 1 else None
    if runner and crossval.clearly_better_on_rows(
        task, splits.validation.targets, *read[runner["name"]], *read[MODEL]
    ):
        best = runner
    if len(rows) > 1 and crossval.few(splits.validation):
        best, picked = _pick_by_folds(task, splits, head, base_model, rows, best)
        best = _variant(task, fitted, rows, best, len(splits.validation))
        metrics |= picked
    metrics |= {
        "candidates": [{k: v for k, v in row.items() if k != "primary"} for row in rows],
        "served": best["name"],
        f"served_test_{primary}": best["primary"],
    }
    served = next((c for c in fitted if c.name == best["name"]), None)
    return Outcome(served=served, metrics=metrics)


def _pick_by_folds(task, splits, head, base_model, rows: list[dict], best: dict):
    """(the row that serves, what says how it was picked) when the validation rows are few:
    each candidate's cross-validated figure goes in its row as "cross_validated"; the best
    of them serves unless the fine-tuned model (rows[0]) is clearly better on the
    validation rows."""
    figures = crossval.cross_validated(task, splits.train, splits.validation, head, base_model)
    quick = [row for row in rows[1:] if row["name"] in figures]
    for row in quick:
        row["cross_validated"] = figures[row["name"]]
    picked = {
        "picked_by": "cross_validation",
        "validation_rows": len(splits.validation),
        "cross_validation_rows": len(splits.train) + len(splits.validation),
        "cross_validation_folds": crossval.FOLDS,
    }
    if not quick:
        return best, {}
    best = quick[0]
    for row in quick[1:]:
        if _beats(task, row["cross_validated"], best["cross_validated"]):
            best = row
    model = rows[0]
    rows_seen = len(splits.validation)
    if crossval.clearly_better(task, model["validation"], best["cross_validated"], rows_seen):
        return model, picked
    return best, picked


def _variant(task, fitted: list, rows: list[dict], best: dict, validation_rows: int) -> dict:
    """The row of `best`'s variant (a candidate that cross-validation could not score, such
    as the sentence-meaning model on an encoder tuned on the training rows) when there is one
    and it is not clearly worse than `best` on the validation rows; else `best`."""
    by_name = {row["name"]: row for row in rows}
    for candidate in fitted:
        row = by_name.get(candidate.name)
        if candidate.variant_of != best["name"] or row is None:
            continue
        if not crossval.clearly_better(task, best["validation"], row["validation"],
                                       validation_rows):  # fmt: skip
            row["stands_in_for"] = best["name"]
            return row
    return best


def _beats(task, figure: float, other: float) -> bool:
    """True when `figure` is better than `other` in the task's direction, as people read them."""
    if math.isnan(figure):
        return False
    if math.isnan(other):
        return True
    better = figure > other if task.greater_is_better else figure < other
    return better and task.format_metric(figure) != task.format_metric(other)


def served_words(metrics: dict) -> str:
    """The serving candidate in words ("the simple word model"); "" when the fine-tuned model
    serves, or the run predates candidates."""
    served = metrics.get("served") or MODEL
    rows = {row.get("name"): row for row in metrics.get("candidates") or []}
    return rows[served].get("words", served) if served != MODEL and served in rows else ""


def served_sentence(task, metrics: dict) -> str:
    """One sentence: which candidate serves, and its validation figure against the runner-up's
    ("The simple character model did better on your validation rows (macro-F1 90% against
    83% for the fine-tuned model), so LabelTune uses it."); "" for a run without candidates."""
    rows = [r for r in metrics.get("candidates") or [] if r.get("validation") is not None]
    by_name = {row["name"]: row for row in rows}
    served = metrics.get("served") or MODEL
    if MODEL not in by_name or served not in by_name or len(rows) < 2:
        return ""
    title, shown = task.compare_title, task.format_metric
    if metrics.get("picked_by") == "cross_validation":
        return _folds_sentence(task, metrics, rows, by_name[served], by_name[MODEL])
    if served != MODEL:
        row, model = by_name[served], by_name[MODEL]
        return (
            f"{_capital(row['words'])} did better on your validation rows ({title} "
            f"{shown(row['validation'])} against {shown(model['validation'])} for the "
            "fine-tuned model), so LabelTune uses it."
        )
    runner = _best(task, [row for row in rows if row["name"] != MODEL], "validation")
    if _beats(task, runner["validation"], by_name[MODEL]["validation"]):
        return (
            f"{_capital(runner['words'])} did about as well on your validation rows ({title} "
            f"{shown(runner['validation'])} against {shown(by_name[MODEL]['validation'])} for "
            "the fine-tuned model), too close to tell apart on that many rows, so LabelTune "
            "uses the fine-tuned model."
        )
    return (
        f"The fine-tuned model did best on your validation rows ({title} "
        f"{shown(by_name[MODEL]['validation'])} against {shown(runner['validation'])} for "
        f"{runner['words']}), so LabelTune uses it."
    )


def _best(task, rows: list[dict], figure: str) -> dict:
    """The row whose `figure` is best in the task's direction."""
    pick = max if task.greater_is_better else min
    return pick(rows, key=lambda row: row[figure])


def _folds_sentence(task, metrics: dict, rows: list[dict], served: dict, model: dict) -> str:
    """served_sentence when few validation rows made the pick by cross-validation."""
    title, shown = task.compare_title, task.format_metric
    few, every = metrics.get("validation_rows", 0), metrics.get("cross_validation_rows", 0)
    start = (
        f"Your sheet has only {few} validation row{'s' if few != 1 else ''}, too few to choose "
        f"by, so LabelTune also scored the simpler models on all {every:,} rows in turns "
        "(cross-validation)"
    )
    quick = [row for row in rows if row.get("cross_validated") is not None]
    if served["name"] != MODEL:
        scored = next((r for r in quick if r["name"] == served.get("stands_in_for")), served)
        figure, fine_tuned = scored["cross_validated"], model["validation"]
        said = f"{start}: {scored['words']} scored {title} {shown(figure)}"
        if _beats(task, fine_tuned, figure):
            said += (
                f", and the fine-tuned model, with {shown(fine_tuned)} on the validation rows, "
                "is not clearly better"
            )
        else:
            said += f" against {shown(fine_tuned)} for the fine-tuned model on the validation rows"
        return f"{said}, so LabelTune uses {served['words']}."
    runner = _best(task, quick, "cross_validated")
    return (
        f"{start}: the fine-tuned model, with {title} {shown(model['validation'])} on the "
        f"validation rows, is clearly better than the best of them "
        f"({shown(runner['cross_validated'])} for {runner['words']}), so LabelTune uses it."
    )


def table(task, metrics: dict) -> list[dict]:
    """The candidates as rows for people: words, validation, test (and cross-validated)
    figures, and whether it serves; [] for a run without candidates."""
    served = metrics.get("served") or MODEL
    return [
        {
            "words": _capital(row.get("words", row.get("name", ""))),
            "validation": task.format_metric(row.get("validation")),
            "test": task.format_metric(row.get("test")),
            "cross_validated": task.format_metric(row.get("cross_validated")),
            "folds": metrics.get("picked_by") == "cross_validation",  # that column is shown
            "serves": row.get("name") == served,
        }
        for row in metrics.get("candidates") or []
    ]


def _capital(words: str) -> str:
    return words[:1].upper() + words[1:]
