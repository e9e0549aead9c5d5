"""Spreadsheet: an uploaded file, kept as it was, plus what finetune read from it.

The original file is never modified. Parsing happens in finetune.data; this row
caches the facts the pages need (sheets, columns, row count, the first rows, the column
suggestion) and the user's mapping, so that showing a spreadsheet reads no file.

    spreadsheet = Spreadsheet.create_from_upload(team, user, uploaded_file)  # FinetuneError
    table = spreadsheet.read(sheet="Sheet2")
    spreadsheet.save_mapping(table, ColumnMapping(text="review", label="stars"), "regression", report)
    spreadsheet.change_fixes([*spreadsheet.fixes, {"kind": "drop_duplicates"}])  # re-checks

Fixes (finetune.fixes) are kept as a list of steps applied, in order, to the file as read:
`mapping` is the user's choice of columns, `fixed_mapping` the one training uses after them
(a swap of text and label changes it), and `health` is the report on the fixed table.
"""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models

from finetune import FinetuneError
from finetune.data import Table, read_table
from finetune.fixes import apply_table, describe, mapping_after
from finetune.fixes import suggest as suggest_fixes
from finetune.health import HealthReport, check
from finetune.mapping import ColumnMapping
from finetune.suggest import suggest
from finetune.tasks import TASKS, get_task
from lib import files

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 20  # rows shown on the spreadsheet page
PREVIEW_CHARS = 201  # characters kept per cell; the page cuts at 200 and adds "…"

UNREADABLE = (
    "LabelTune could not read this file. Open it in your spreadsheet program, save it again "
    "as .xlsx or as CSV (UTF-8), and upload that."
)


def preview_of(table: Table) -> list[list]:
    """The first rows of `table` as [spreadsheet row number, [cells]], cells cut short."""
    frame = table.frame.head(PREVIEW_ROWS)
    return [
        [table.row_number(i), [str(cell)[:PREVIEW_CHARS] for cell in values]]
        for i, values in enumerate(frame.itertuples(index=False, name=None))
    ]


def upload_to(instance, filename):
    # The user's name is kept in `name`; on disk only a safe suffix survives.
    suffix = Path(filename).suffix.lower()[:10]
    return f"spreadsheets/{instance.uuid}/original{suffix}"


class Spreadsheet(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="spreadsheets")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=255)  # the file name as the user uploaded it
    file = models.FileField(upload_to=upload_to, max_length=255)
    size = models.PositiveBigIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)

    # What finetune.data found in the file.
    sheets = models.JSONField(default=list, blank=True)  # workbook sheet names; [] for CSV
    sheet = models.CharField(max_length=255, blank=True)  # the sheet in use
    columns = models.JSONField(default=list, blank=True)
    row_count = models.PositiveIntegerField(default=0)
    # The page's first rows, [[row number, [cells]], ...], so that showing it reads no file.
    preview = models.JSONField(default=list, blank=True)

    # The user's task and column mapping by role (pre-filled by finetune's suggestion, which
    # is kept with its reason), and the last health report.
    task = models.CharField(max_length=30, default="single_label")
    mapping = models.JSONField(default=dict, blank=True)  # finetune ColumnMapping.to_dict()
    suggestion = models.JSONField(default=dict, blank=True)  # finetune Suggestion.to_dict()
    health = models.JSONField(null=True, blank=True)  # with "fixed": each fix in words
    fixes = models.JSONField(default=list, blank=True)  # finetune.fixes steps, in order

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.name

    @property
    def path(self) -> Path:
        """The original file on this machine (downloaded once from object storage); the path
        does not exist when the file is missing."""
        return files.fetch(self.file.name)

    @classmethod
    def create_from_upload(cls, team, user, upload) -> "Spreadsheet":
        """Keep the uploaded file, read it and guess the columns; the row is saved last.

        On any failure (a FinetuneError, a reader crash, a database error at save time) the
        file is removed again and no row exists: nothing is left behind.
        """
        spreadsheet = cls(team=team, uploaded_by=user, name=upload.name[:255], size=upload.size)
        try:
            # Stored, and kept on this machine too: reading it next needs no download.
            spreadsheet.file = files.save(upload_to(spreadsheet, upload.name), upload)
            try:
                table = spreadsheet.read()
            except FinetuneError:
                raise
            except Exception as err:
                # A reader crash on a strange file must not lose the user's other work or show
                # a traceback: log it for staff, give the user a plain sentence.
                logger.exception("Could not read upload %r", upload.name)
                raise FinetuneError(UNREADABLE) from err
            spreadsheet.use_table(table)
            spreadsheet.use_suggestion()
            spreadsheet.save()
        except BaseException:
            if not spreadsheet.file.name:  # the file was being written when it failed
                spreadsheet.file.name = upload_to(spreadsheet, upload.name)
            spreadsheet.remove_file()
            raise
        return spreadsheet

    def read(self, sheet: str | None = None) -> Table:
        """Parse the original file (the stored sheet unless `sheet` names another one)."""
        try:
            return read_table(self.path, sheet=sheet or self.sheet or None, filename=self.name)
        except FileNotFoundError:
            raise FinetuneError(
                "The original file of this spreadsheet is missing. Upload it again."
            ) from None

    def use_table(self, table: Table) -> None:
        """Remember what finetune found in `table` (not saved)."""
        self.sheets = list(table.sheets)
        self.sheet = table.sheet or ""
        self.columns = list(table.columns)
        self.row_count = len(table.frame)
        self.preview = preview_of(table)
        self.suggestion = suggest(table).to_dict()

    def use_suggestion(self) -> None:
        """Take the suggested task and mapping as the current choice (not saved)."""
        self.task = self.suggestion.get("task") or "single_label"
        self.mapping = self.suggestion.get("mapping") or {}

    @property
    def column_mapping(self) -> ColumnMapping | None:
        return ColumnMapping.from_dict(self.mapping) if self.mapping.get("text") else None

    @property
    def mapping_in_words(self) -> str:
        """The columns training uses (after a swap of text and label), in words."""
        return self.fixed_mapping.in_words() if self.column_mapping else ""

    @property
    def task_title(self) -> str:
        return TASKS[self.task].title if self.task in TASKS else self.task

    @property
    def fixed_mapping(self) -> ColumnMapping | None:
        """The columns training uses: the user's mapping after the fixes (a swap changes it)."""
        mapping = self.column_mapping
        return mapping_after(mapping, self.fixes) if mapping else None

    def save_mapping(
        self,
        table: Table,
        mapping: ColumnMapping,
        task: str,
        report: HealthReport | dict,
        fixes: list[dict] = (),
    ):
        """Store the user's choice of sheet, columns and task with its health report (made
        on the table after `fixes`, which are kept; see check_data)."""
        self.use_table(table)
        report = report.to_dict() if hasattr(report, "to_dict") else report
        mapping = get_task(task).mapping_as_found(mapping, report)  # "Detect it": as found
        self.mapping = mapping.to_dict()
        self.task = task
        self.health = report
        self.fixes = list(fixes)
        self.save(
            update_fields=[
                "sheets",
                "sheet",
                "columns",
                "row_count",
                "preview",
                "suggestion",
                "mapping",
                "task",
                "health",
                "fixes",
            ]
        )

    @staticmethod
    def check_data(table: Table, mapping: ColumnMapping, task: str, fixes: list[dict]) -> dict:
        """The health report of `table` after `fixes`, as stored: with "fixed", each fix in
        a sentence with the rows it changed. FinetuneError when the columns do not fit."""
        fixed, used, counts = apply_table(table, mapping, fixes, task=task)
        report = check(fixed, used, task=task).to_dict()
        report["fixed"] = [describe(f, rows=n) for f, n in zip(fixes, counts, strict=True)]
        return report

    def change_fixes(self, fixes: list[dict]) -> None:
        """Use `fixes` from now on: read the file, check the fixed table, save both.
        FinetuneError (nothing saved) when the file cannot be read or a fix does not fit."""
        report = self.check_data(self.read(), self.column_mapping, self.task, fixes)
        self.fixes, self.health = list(fixes), report
        self.save(update_fields=["fixes", "health"])

    @property
    def offered_fixes(self) -> list[dict]:
        """The fixes the last data check offers (finetune.fixes.suggest), minus those in use."""
        if not self.health or self.fixed_mapping is None:
            return []
        return suggest_fixes(self.health, self.fixed_mapping, applied=self.fixes)

    @property
    def ready(self) -> bool:
        """True when a mapping was checked and its health report has no blocking problem."""
        return bool(self.health) and not self.health.get("problems")

    def remove_file(self) -> None:
        """Delete the stored file, this machine's copy, and its folder once empty."""
        if self.file.name:
            files.remove(self.file.name)

    def delete_with_file(self) -> None:
        self.delete()
        self.remove_file()


from webapp.spreadsheets.label_checks import LabelCheck  # noqa: E402,F401 - the app's models
