"""The compare page: two or more finished runs of one spreadsheet, side by side.

    /runs/compare/?runs=<uuid>&runs=<uuid>[&shown=40]   # A: the earliest of them
    /runs/compare/?spreadsheet=<uuid>                   # tick among a spreadsheet's runs

It shows 1. the settings that differ (run.settings_in_words), 2. the headline figures the task
gives (run.figures), 3. the per-label (or per-type) table and 4. the confusion matrices as each
run's evaluation.json holds them, and 5. the test rows that changed answer between the first
run (A, the earliest trained) and each later one: "fixed" (wrong, then right) and "broken" (right, then wrong), matched
by spreadsheet row number and text. Files are read as the evaluation page reads them
(run.local_file, evaluation.read_predictions), so runs kept in a bucket compare too. Every run
comes through get_for_user: a run of another team answers 404.
"""

import csv
import json
import uuid as uuidlib
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from finetune import rundir
from finetune.tasks.pages import confusion_rows
from lib.entities import colour_of
from webapp.accounts.access import get_for_user
from webapp.runs.evaluation import headline, read_predictions
from webapp.runs.models import RunStatus, TrainingRun
from webapp.spreadsheets.models import Spreadsheet

MAX_RUNS = 6  # runs on one page; more would not fit side by side
LETTERS = "ABCDEF"  # each run's short name in the tables, one per run
CHANGED_SHOWN = 20  # fixed or broken rows listed at first, and added by "Show more"
ANSWER_COLUMNS = ("prediction", "entities")  # the model's answer in test_predictions.csv
# Per-label tables evaluation.json may hold: (its list, the key naming a row, heading, first
# column, what "support" counts, what the measures mean).
PER_LABEL_SOURCES = (
    ("per_label", "label", "Per label", "Label", "Test rows",
     "Precision: when the model says this label, how often it is right. Recall: of the rows "
     "with this label, how many the model found. F1 (0 to 1) balances the two."),
    ("types", "type", "Per type of name", "Type", "Names in the test texts",
     "Precision: of the names the model marks, how many are right. Recall: of the names in "
     "the test texts, how many the model finds. F1 (0 to 1) balances the two."),
)  # fmt: skip
MEASURES = (("precision", "Precision"), ("recall", "Recall"), ("f1", "F1"),
            ("support", ""), ("threshold", "Threshold"))  # fmt: skip

FEW = "Tick two or more finished runs to compare them."
FEW_IN_SHEET = (
    "“{sheet}” has fewer than two finished runs. Train it again with other settings, then "
    "compare the runs here."
)
TOO_MANY = "Compare at most {most} runs at once. Untick some and try again."
UNFINISHED = "“{name}” has not finished training, so it has no results to compare yet."
OTHER_SHEET = (
    "“{first}” and “{other}” were trained on different spreadsheets, so their results can't be "
    "compared. Pick runs of the same spreadsheet."
)
OTHER_TASK = (
    "“{first}” ({first_task}) and “{other}” ({other_task}) learn different things, so their "
    "results can't be compared."
)
OTHER_COLUMNS = (
    "{names} trained with other columns or data fixes than “{first}”, so the figures do not "
    "compare like for like."
)
NO_SHEET = (
    "{names} no longer {has} a spreadsheet in this team (deleted, or a copy of another team's "
    "model), so it can't be checked that {they} trained on the same data."
)
NO_ROWS = "The test rows of “{name}” could not be read, so its changed answers can't be shown."
COPY_ROWS = (
    "“{name}” is a copy of another team's model: its test rows stayed with the team that "
    "trained it, so its changed answers can't be shown."
)
NOT_JUDGED = (
    "The answers are numbers, never simply right or wrong, so no test row counts as fixed or "
    "broken. Compare the figures above."
)
NO_COMMON = "“{other}” was tested on other rows than “{first}”, so no test row can be compared."
SOME_COMMON = "{count:,} test rows are in both runs; their answers are compared on those only."


@dataclass
class Side:
    """One run on the page and the files it was read from."""

    run: TrainingRun
    letter: str
    copy: bool = False
    evaluation: dict | None = None  # None: evaluation.json could not be read
    predictions: list[dict] | None = None  # None: no test rows (a copy, or no file)
    headline: str = ""


@dataclass
class Changes:
    """The test rows whose answer changed between the first run and `side`."""

    side: Side
    note: str = ""
    compared: bool = False  # False: `note` says why no row could be compared
    fixed: list[dict] = field(default_factory=list)
    broken: list[dict] = field(default_factory=list)
    fixed_total: int = 0
    broken_total: int = 0

    def cut(self, shown: int) -> bool:
        """Keep the first `shown` rows of each list; True when some were left out."""
        self.fixed_total, self.broken_total = len(self.fixed), len(self.broken)
        self.fixed, self.broken = self.fixed[:shown], self.broken[:shown]
        return max(self.fixed_total, self.broken_total) > shown

    @property
    def lists(self) -> list[dict]:
        return [
            {"title": "Fixed", "rows": self.fixed, "total": self.fixed_total},
            {"title": "Broken", "rows": self.broken, "total": self.broken_total},
        ]


def load_side(run: TrainingRun, letter: str) -> Side:
    """The run's evaluation and test rows, each file fetched alone as the evaluation page does."""
    model = getattr(run, "model", None)
    side = Side(run=run, letter=letter, copy=model is not None and model.is_copy)
    side.headline = headline(run)
    try:
        side.evaluation = json.loads(run.local_file("evaluation.json").read_bytes())
    except (OSError, ValueError):
        pass
    if not side.copy:
        try:
            side.predictions = read_predictions(run.local_file(rundir.TEST_PREDICTIONS))
        except (OSError, ValueError, KeyError, csv.Error):
            pass
    return side


def problem_with(runs: list[TrainingRun]) -> str:
    """The sentence that stops these runs from being compared; "" when they can be."""
    if len(runs) > MAX_RUNS:
        return TOO_MANY.format(most=MAX_RUNS)
    if len(runs) < 2:
        return FEW
    for run in runs:
        if run.status != RunStatus.FINISHED:
            return UNFINISHED.format(name=run.name)
    first = runs[0]
    for run in runs[1:]:
        if run.task != first.task:
            return OTHER_TASK.format(
                first=first.name, first_task=first.the_task.title.lower(),
                other=run.name, other_task=run.the_task.title.lower(),
            )  # fmt: skip
    sheets = {run.spreadsheet_id: run for run in runs if run.spreadsheet_id is not None}
    if len(sheets) > 1:
        one, other = list(sheets.values())[:2]
        return OTHER_SHEET.format(first=one.name, other=other.name)
    return ""


def data_notes(runs: list[TrainingRun]) -> list[str]:
    """One line each where the runs may not have learned from the same data."""
    first, notes = runs[0], []
    frozen = (first.sheet, first.mapping, first.fixes)
    other = [r for r in runs[1:] if (r.sheet, r.mapping, r.fixes) != frozen]
    if other:
        notes.append(OTHER_COLUMNS.format(names=quoted(other), first=first.name))
    unknown = [r for r in runs if r.spreadsheet_id is None]
    if unknown:
        one = len(unknown) == 1
        notes.append(
            NO_SHEET.format(
                names=quoted(unknown), has="has" if one else "have", they="it" if one else "they"
            )
        )
    return notes


def quoted(runs: list[TrainingRun]) -> str:
    """ "“a”", "“a” and “b”", "“a”, “b” and “c”"."""
    names = [f"“{run.name}”" for run in runs]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def settings_rows(sides: list[Side]) -> list[dict]:
    """The settings whose value is not the same for every run, in words."""
    tables = [dict(side.run.settings_in_words()) for side in sides]
    labels = dict.fromkeys(label for table in tables for label in table)
    rows = []
    for label in labels:
        values = [str(table.get(label, "not set")) for table in tables]
        if len(set(values)) > 1:
            rows.append({"label": label, "values": values})
    return rows


def figure_rows(sides: list[Side]) -> list[dict]:
    """The task's headline figures, one row per figure; a run whose figure has another name
    (a note in the name) shows that name beside its value."""
    figures = [side.run.figures for side in sides]
    rows = []
    for i in range(max(len(f) for f in figures)):
        named = [f[i] if i < len(f) else ("", "") for f in figures]
        name = next(n for n, _ in named if n)
        cells = [{"value": v or "—", "name": n if n and n != name else ""} for n, v in named]
        rows.append({"name": name, "cells": cells})
    return rows


def per_label_tables(sides: list[Side]) -> list[dict]:
    """Each per-label (or per-type) table evaluation.json holds, the runs' figures side by
    side: for every measure, one column per run."""
    tables = []
    for source, key, title, heading, support, words in PER_LABEL_SOURCES:
        by_run = [
            {row[key]: row for row in (side.evaluation or {}).get(source, [])} for side in sides
        ]
        names = list(dict.fromkeys(name for rows in by_run for name in rows))
        if not names:
            continue
        measures = [
            (measure, words or support)
            for measure, words in MEASURES
            if any(measure in row for rows in by_run for row in rows.values())
        ]
        rows = [
            {
                "name": name,
                "colour": colour_of(name) if key == "type" else "",
                "groups": [
                    [figure(rows.get(name, {}).get(m)) for rows in by_run] for m, _ in measures
                ],
            }
            for name in names
        ]
        measures = [words for _, words in measures]
        tables.append(
            {"title": title, "name": heading, "measures": measures, "rows": rows, "help": words}
        )
    return tables


def figure(value) -> str:
    """A per-label figure as the evaluation page shows it: counts whole, scores to 2 places."""
    if value is None:
        return "—"
    return str(value) if isinstance(value, int) else f"{value:.2f}"


def matrices(sides: list[Side]) -> list[dict]:
    """The confusion matrix of each run that has one, for side-by-side tables."""
    return [
        {"side": side, "labels": side.evaluation["labels"], "rows": confusion_rows(side.evaluation)}
        for side in sides
        if side.evaluation and side.evaluation.get("confusion")
    ]


def answer(row: dict) -> str:
    return next((row[column] for column in ANSWER_COLUMNS if column in row), "")


def row_key(row: dict) -> tuple[str, str]:
    """A test row is the same one in two runs when its spreadsheet row and text are."""
    return row.get("row", ""), row.get("text", "")


def row_order(item: dict) -> tuple:
    number = str(item["row"])
    return (0, int(number), item["text"]) if number.isdigit() else (1, 0, item["text"])


def changed_rows(first: Side, other: Side) -> Changes:
    """Rows wrong in `first` and right in `other` (fixed), and the other way round (broken),
    by spreadsheet row order."""
    changes = Changes(side=other)
    if other.predictions is None:
        template = COPY_ROWS if other.copy else NO_ROWS
        changes.note = template.format(name=other.run.name)
        return changes
    before = {row_key(row): row for row in first.predictions}
    after = {row_key(row): row for row in other.predictions}
    common = [key for key in before if key in after]
    if not common:
        changes.note = NO_COMMON.format(first=first.run.name, other=other.run.name)
        return changes
    changes.compared = True
    if len(common) < max(len(before), len(after)):
        changes.note = SOME_COMMON.format(count=len(common))
    for key in common:
        old, new = before[key], after[key]
        if old.get("correct") == new.get("correct") or "correct" not in new:
            continue
        item = {
            "row": old.get("row", ""), "text": old.get("text", ""),
            "text_pair": old.get("text_pair", ""), "label": old.get("label", ""),
            "before": answer(old), "after": answer(new),
        }  # fmt: skip
        (changes.fixed if new["correct"] else changes.broken).append(item)
    changes.fixed.sort(key=row_order)
    changes.broken.sort(key=row_order)
    return changes


def changes_context(sides: list[Side]) -> dict:
    """What the "changed answers" section shows: a sentence instead where nothing can be
    compared, else one Changes per run after the first."""
    first = sides[0]
    if first.predictions is None:
        template = COPY_ROWS if first.copy else NO_ROWS
        return {"changes_note": template.format(name=first.run.name), "changes": []}
    if first.predictions and not any("correct" in row for row in first.predictions):
        return {"changes_note": NOT_JUDGED, "changes": []}
    return {"changes_note": "", "changes": [changed_rows(first, side) for side in sides[1:]]}


def comparison(runs: list[TrainingRun]) -> dict:
    """Everything the page shows for runs that can be compared (problem_with says "")."""
    sides = [load_side(run, letter) for run, letter in zip(runs, LETTERS, strict=False)]
    return {
        "sides": sides,
        "noun": runs[0].the_task.example_noun,  # "row", or "text" where a text is not a row
        "notes": data_notes(runs),
        "settings_rows": settings_rows(sides),
        "figure_rows": figure_rows(sides),
        "per_label_tables": per_label_tables(sides),
        "matrices": matrices(sides),
        **changes_context(sides),
    }


def _uuid(value: str) -> uuidlib.UUID:
    try:
        return uuidlib.UUID(value)
    except ValueError:
        raise Http404 from None


def _shown(value: str | None) -> int:
    try:
        return max(CHANGED_SHOWN, int(value or CHANGED_SHOWN))
    except ValueError:
        return CHANGED_SHOWN


def picker(sheet: Spreadsheet | None, chosen: list[TrainingRun]) -> list[dict]:
    """The spreadsheet's finished runs, newest first, ticked when compared now."""
    if sheet is None:
        return []
    ticked = {run.pk for run in chosen}
    runs = sheet.runs.filter(status=RunStatus.FINISHED).order_by("-created")
    return [{"run": run, "ticked": run.pk in ticked} for run in runs]


@login_required
def compare(request):
    # 1. Every run asked for, through the team-scoped lookup (404 for another team's).
    wanted = list(dict.fromkeys(_uuid(u) for u in request.GET.getlist("runs")))
    runs = [
        get_for_user(request.user, TrainingRun, u, related=("spreadsheet", "model"))
        for u in wanted[: MAX_RUNS + 1]
    ]
    runs.sort(key=lambda run: run.created)  # A, the run the others are measured against
    # 2. The spreadsheet whose runs the page offers to tick.
    if "spreadsheet" in request.GET:
        sheet = get_for_user(request.user, Spreadsheet, _uuid(request.GET["spreadsheet"]))
    else:
        sheet = runs[0].spreadsheet if runs else None
    offered = picker(sheet, runs)
    problem = problem_with(runs)
    if problem == FEW and sheet is not None and len(offered) < 2:
        problem = FEW_IN_SHEET.format(sheet=sheet.name)
    ctx = {"runs": runs, "sheet": sheet, "picker": offered, "problem": problem}
    if not problem:
        # 3. Side by side, with the changed rows cut at `shown` and a link for more.
        shown = _shown(request.GET.get("shown"))
        ctx |= comparison(runs)
        cut = [changes.cut(shown) for changes in ctx["changes"]]
        more = [("runs", str(run.uuid)) for run in runs] + [("shown", shown + CHANGED_SHOWN)]
        ctx["more_query"] = urlencode(more) if any(cut) else ""
    return render(request, "runs/compare.html", ctx)
