"""Spreadsheet: an uploaded file, kept as it was, plus what finetune read from it.

The original file is never modified. Parsing happens in finetune.data; this row
caches the facts the pages need (sheets, columns, row count, the first rows, the column
suggestion) and the user's mapping, so that showing a spreadsheet reads no file.

    spreadsheet = Spreadsheet.create_from_upload(team, user, uploaded_file)  # FinetuneError
    table = spreadsheet.read(sheet="Sheet2")
    spreadsheet.save_mapping(table, ColumnMapping(text="review", label="stars"), "regression", report)
"""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models

from finetune import FinetuneError
from finetune.data import Table, read_table
from finetune.health import HealthReport
from finetune.mapping import ColumnMapping, suggest
from finetune.tasks import TASKS

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
    health = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return self.name

    @property
    def path(self) -> Path:
        return Path(self.file.path)

    @classmethod
    def create_from_upload(cls, team, user, upload) -> "Spreadsheet":
        """Keep the uploaded file, read it and guess the columns; the row is saved last.

        On any failure (a FinetuneError, a reader crash, a database error at save time) the
        file is removed again and no row exists: nothing is left behind.
        """
        spreadsheet = cls(team=team, uploaded_by=user, name=upload.name[:255], size=upload.size)
        try:
            spreadsheet.file.save(upload.name, upload, save=False)
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
        return self.column_mapping.in_words() if self.column_mapping else ""

    @property
    def task_title(self) -> str:
        return TASKS[self.task].title if self.task in TASKS else self.task

    def save_mapping(self, table: Table, mapping: ColumnMapping, task: str, report: HealthReport):
        """Store the user's choice of sheet, columns and task with its health report."""
        self.use_table(table)
        self.mapping = mapping.to_dict()
        self.task = task
        self.health = report.to_dict()
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
            ]
        )

    @property
    def ready(self) -> bool:
        """True when a mapping was checked and its health report has no blocking problem."""
        return bool(self.health) and not self.health.get("problems")

    def remove_file(self) -> None:
        """Delete the stored file and its folder (best effort for the folder)."""
        storage, name = self.file.storage, self.file.name
        if name:
            storage.delete(name)
            if hasattr(storage, "path"):
                try:
                    Path(storage.path(name)).parent.rmdir()
                except OSError:
                    pass

    def delete_with_file(self) -> None:
        self.delete()
        self.remove_file()
