"""The shapes of the improve loop's requests and answers (webapp/api/api_loop.py): a
spreadsheet with its suggested columns and data check, its label check, a run's start and
state. The data check and a run's metrics differ per task, so they are objects whose keys
the README and the pages describe (the task's own part of a data check is under "section").
"""

from datetime import datetime
from uuid import UUID

from ninja import Field, Schema
from pydantic import BaseModel

from webapp.runs.forms import ADVANCED_FIELDS, BASIC_FIELDS

SETTINGS = ("base_model", "hub_id", *BASIC_FIELDS, *ADVANCED_FIELDS)  # NewRunForm's fields
Columns = str | list[str]  # a role's column, or its columns (multi-label 0/1 columns)


class SuggestionOut(Schema):
    task: str | None = Field(description="The task LabelTune suggests for this sheet.")
    mapping: dict[str, Columns | None] = Field(
        description="The suggested column of each role (text, label, labels...)."
    )
    reason: str = Field(description="Why this task, in a sentence.")


class LabelIssueOut(Schema):
    row: int = Field(description="The row's number in the spreadsheet.")
    text: str
    given: str | list[str] = Field(description="The label the row has (multi-label: labels).")
    suggested: str | list[str] = Field(description="The label LabelTune would give it.")
    confidence: float = Field(description="How sure LabelTune is of the suggested label, 0 to 1.")


class LabelCheckOut(Schema):
    uuid: UUID
    status: str = Field(description="queued, running, finished, failed or canceled.")
    message: str = Field(description="Why it failed, in a plain sentence; empty otherwise.")
    stale: bool = Field(
        description="The columns, task or fixes changed since: start a label check again."
    )
    issues: list[LabelIssueOut] = Field(
        description="Once finished: the rows whose label looks wrong, most suspicious first, "
        "leaving out rows a fix has changed or dropped since."
    )


class SpreadsheetOut(Schema):
    uuid: UUID
    name: str
    created: datetime
    reading: bool = Field(
        description="The file is still being read in the background: poll this until false."
    )
    checking: bool = Field(
        description="Its data is being checked in the background: poll until false."
    )
    message: str = Field(
        description="Why the last reading or check of the file failed, in a plain sentence; "
        "empty otherwise."
    )
    sheets: list[str] = Field(description="A workbook's sheets; empty for a text file.")
    sheet: str
    columns: list[str]
    row_count: int
    suggestion: SuggestionOut | None = Field(description="None until the file is read.")
    task: str = Field(description="The task the data check was made for.")
    mapping: dict[str, Columns | None] = Field(
        description="The columns the data check used (the suggestion's until a run or a "
        "check asks for others)."
    )
    health: dict | None = Field(
        description="The last data check: row counts, skipped rows, duplicates, "
        "conflicts, split sizes, its problems (which stop a run) and warnings; the task's "
        "own part under section (labels and their counts...). None before a check."
    )
    ready: bool = Field(description="Checked, with no problem that stops a run.")
    label_check: LabelCheckOut | None = Field(
        description="The last look for labels that look wrong; None when none was started."
    )


class LabelCheckIn(BaseModel):  # not Schema: a body that is no JSON object answers 400
    base_model: str | None = Field(
        None,
        description="The base model whose sentence embeddings the check reads with: one of "
        "the Train page's list (its value); left out, the default one.",
    )


class RunIn(BaseModel):  # not Schema: a body that is no JSON object answers 400
    task: str | None = Field(
        None,
        description="The task (single_label, multi_label, regression, ner...); "
        "left out: the spreadsheet's.",  # fmt: skip
    )
    mapping: dict[str, Columns] | None = Field(
        None,
        description='Which column plays which role, e.g. {"text": "review", "label": '
        '"sentiment"}; left out: the columns of the last check (the suggestion at first). '
        "New columns are checked first, as the spreadsheet page does.",
    )
    name: str | None = Field(None, description="The model's name; left out, the file's.")
    settings: dict[str, str | int | float] = Field(
        default_factory=dict,
        description="The Train page's settings by field name: "
        f"{', '.join(SETTINGS)}; those left out keep the page's defaults, and each is "
        "checked as the page checks it.",
    )


class RunOut(Schema):
    uuid: UUID
    name: str
    task: str
    status: str = Field(description="created, queued, running, finished, failed or canceled.")
    message: str = Field(description="Why it failed, in a plain sentence; empty otherwise.")
    percent: int = Field(description="How much of the training is done, 0 to 100.")
    epoch: int = Field(description="The epoch being trained now, counting from 1.")
    epochs: int = Field(description="The epochs it trains for (0 until it knows).")
    progress: dict = Field(description="The last progress report (step, loss, epoch...).")
    spreadsheet: UUID | None = Field(description="The spreadsheet it trains on.")
    improves: UUID | None = Field(description="The model this run improves, if it does.")
    model: UUID | None = Field(description="Once finished: the model it made or a version of.")
    version: int | None = Field(description="Once finished: its version of that model.")
    created: datetime
    started: datetime | None
    finished: datetime | None
    metrics: dict = Field(
        description="Once finished: its metrics.json (test_accuracy, test_macro_f1... for "
        "its task, per label, and continued_from for a run that improves a model)."
    )
