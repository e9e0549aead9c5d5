"""Spreadsheet: an uploaded file, kept as it was, plus what finetune read from it.

The original file is never modified. Parsing happens in finetune.data; this row
caches the facts the pages need (sheets, columns, row count) and the user's mapping.

    spreadsheet = Spreadsheet.create_from_upload(team, user, uploaded_file)  # FinetuneError
    table = spreadsheet.read(sheet="Sheet2")
    spreadsheet.save_mapping(table, Columns(text="review", label="label"), "single_label", report)
"""

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models

from finetune import FinetuneError
from finetune.columns import Columns, guess_columns
from finetune.data import Table, read_table
from finetune.health import HealthReport

logger = logging.getLogger(__name__)

UNREADABLE = (
    "LabelTune could not read this file. Open it in your spreadsheet program, save it again "
    "as .xlsx or as CSV (UTF-8), and upload that."
)


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

    # The user's mapping (pre-filled by finetune's guess) and the last health report.
    task = models.CharField(max_length=30, default="single_label")
    text_column = models.CharField(max_length=255, blank=True)
    label_column = models.CharField(max_length=255, blank=True)
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

        On FinetuneError the file is removed again and no row exists: nothing is left behind.
        """
        spreadsheet = cls(team=team, uploaded_by=user, name=upload.name[:255], size=upload.size)
        spreadsheet.file.save(upload.name, upload, save=False)
        try:
            table = spreadsheet.read()
        except FinetuneError:
            spreadsheet.remove_file()
            raise
        except Exception as err:
            # A reader crash on a strange file must not lose the user's other work or show
            # a traceback: log it for staff, give the user a plain sentence.
            logger.exception("Could not read upload %r", upload.name)
            spreadsheet.remove_file()
            raise FinetuneError(UNREADABLE) from err

        spreadsheet.use_table(table)
        guess = guess_columns(table)
        spreadsheet.text_column = guess.text or ""
        spreadsheet.label_column = guess.label or ""
        spreadsheet.save()
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

    def save_mapping(self, table: Table, columns: Columns, task: str, report: HealthReport):
        """Store the user's choice of sheet, columns and task with its health report."""
        self.use_table(table)
        self.text_column = columns.text
        self.label_column = columns.label or ""
        self.task = task
        self.health = report.to_dict()
        self.save(
            update_fields=[
                "sheets",
                "sheet",
                "columns",
                "row_count",
                "text_column",
                "label_column",
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
