"""Spreadsheet: an uploaded file, kept as it was, plus what finetune read from it.

The original file is never modified. Parsing happens in finetune.data, once, on the
prediction worker (webapp.spreadsheets.reading); this row caches the facts the pages need
(sheets, columns, row count, the first rows, the column suggestion, the same for every other
sheet of a workbook) and the user's mapping, so that showing a spreadsheet reads no file.

    spreadsheet = Spreadsheet.create_from_upload(team, user, uploaded_file)  # FinetuneError
    spreadsheet.latest_read          # the SheetRead reading it (or checking it), or None
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
from django.utils.functional import cached_property

from finetune import FinetuneError
from finetune.data import Table, read_table
from finetune.fixes import apply_table, describe, mapping_after
from finetune.fixes import suggest as suggest_fixes
from finetune.health import HealthReport, check
from finetune.mapping import ColumnMapping
from finetune.suggest import suggest
from finetune.tasks import TASKS, default_task, default_task_name, get_task
from lib import files
from webapp.spreadsheets.reading import SheetRead, checks_in_request

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 20  # rows shown on the spreadsheet page
PREVIEW_CHARS = 201  # characters kept per cell; the page cuts at 200 and adds "…"

UNREADABLE = (
    "LabelTune could not read this file. Open it in your spreadsheet program, save it again "
    "as .xlsx or as CSV (UTF-8), and upload that."
)


def facts_of(table: Table) -> dict:
    """What the pages show of one sheet: its columns, rows, first rows and column guess."""
    return {
        "columns": list(table.columns),
        "row_count": len(table.frame),
        "preview": preview_of(table),
        "suggestion": suggest(table).to_dict(),
    }


def preview_of(table: Table) -> list[list]:
    """The first rows of `table` as [spreadsheet row number, [cells]], cells cut short."""
    frame = table.frame.head(PREVIEW_ROWS)
    return [
        [table.row_number(i), [str(cell)[:PREVIEW_CHARS] for cell in values]]
        for i, values in enumerate(frame.itertuples(index=False, name=None))
    ]


FACT_FIELDS = ("sheets", "sheet", "columns", "row_count", "preview", "suggestion")


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
    # The other sheets of a workbook, {name: facts_of(its table)} or {name: {"error": words}},
    # read with the upload so that switching sheets reads no file either.
    sheet_facts = models.JSONField(default=dict, blank=True)

    # The user's task and column mapping by role (pre-filled by finetune's suggestion, which
    # is kept with its reason), and the last health report.
    task = models.CharField(max_length=30, default=default_task_name)
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
        """Keep the uploaded file and have it read (SheetRead.upload): on the prediction
        worker, the page following the read; with no worker, here and now.

        When it is read here and fails (a FinetuneError, a reader crash, a database error at
        save time), the file and the row are removed again and FinetuneError says why:
        nothing is left behind. A read on the worker that fails says why on the page.
        """
        spreadsheet = cls(team=team, uploaded_by=user, name=upload.name[:255], size=upload.size)
        try:
            # Stored, and kept on this machine too: reading it here needs no download.
            spreadsheet.file = files.save(upload_to(spreadsheet, upload.name), upload)
            spreadsheet.save()
            try:
                read = SheetRead.upload(spreadsheet, user)
            except Exception as err:  # a reader crash here (logged by the job): plain words
                raise FinetuneError(UNREADABLE) from err
            if read.status == SheetRead.Status.FAILED:
                raise FinetuneError(read.message)
        except BaseException:
            if not spreadsheet.file.name:  # the file was being written when it failed
                spreadsheet.file.name = upload_to(spreadsheet, upload.name)
            if spreadsheet.pk:
                spreadsheet.delete()
            spreadsheet.remove_file()
            raise
        return spreadsheet

    def read_upload(self, say=lambda words: None) -> None:
        """Read the stored file for the pages (every sheet of a workbook) and take the
        suggested task and columns; saved. `say(words)` tells the page how far it got."""
        say("Reading the file")
        table = self.read()
        facts = {}
        others = [name for name in table.sheets if name != table.sheet]
        for number, name in enumerate(others, start=2):
            say(f'Reading sheet {number} of {len(table.sheets)}, "{name}"')
            try:
                facts[name] = facts_of(self.read(name))
            except FinetuneError as err:
                facts[name] = {"error": str(err)}
            except Exception:
                logger.exception("Could not read sheet %r of %s", name, self.uuid)
                facts[name] = {"error": UNREADABLE}
        say("Guessing the task and the columns")
        self.use_table(table)
        self.use_suggestion()
        self.sheet_facts = facts
        self.save(update_fields=[*FACT_FIELDS, "sheet_facts", "task", "mapping"])

    def facts_for(self, sheet: str) -> dict | None:
        """What the pages show of `sheet` (facts_of), kept at upload; None when not kept."""
        if sheet == self.sheet:
            fields = ("columns", "row_count", "preview", "suggestion")
            return {name: getattr(self, name) for name in fields} if self.preview else None
        return self.sheet_facts.get(sheet)

    def keep_facts(self, sheet: str, table: Table) -> dict:
        """Keep what the pages show of `sheet`, read from `table` (for rows stored before
        they were kept); saved, and returned."""
        facts = facts_of(table)
        if sheet == self.sheet:
            for name, value in facts.items():
                setattr(self, name, value)
            self.save(update_fields=list(facts))
        else:
            self.sheet_facts[sheet] = facts
            self.save(update_fields=["sheet_facts"])
        return facts

    @cached_property
    def latest_read(self):
        """The last SheetRead of this spreadsheet (reading it, or checking its data), or None."""
        return SheetRead.latest_for(self)

    @property
    def checking(self) -> bool:
        """A read or check of the file is under way: the data check may change."""
        return self.latest_read is not None and not self.latest_read.is_final

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
        for name, value in facts_of(table).items():
            setattr(self, name, value)

    def use_suggestion(self) -> None:
        """Take the suggested task and mapping as the current choice (not saved)."""
        self.task = self.suggestion.get("task") or default_task().name
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
        self.save(update_fields=[*FACT_FIELDS, "mapping", "task", "health", "fixes"])

    @staticmethod
    def check_data(table: Table, mapping: ColumnMapping, task: str, fixes: list[dict]) -> dict:
        """The health report of `table` after `fixes`, as stored: with "fixed", each fix in
        a sentence with the rows it changed. FinetuneError when the columns do not fit."""
        fixed, used, counts = apply_table(table, mapping, fixes, task=task)
        report = check(fixed, used, task=task).to_dict()
        report["fixed"] = [describe(f, rows=n) for f, n in zip(fixes, counts, strict=True)]
        return report

    def change_fixes(self, fixes: list[dict], user=None):
        """Use `fixes` from now on: read the file, check the fixed table, save both; None.
        FinetuneError (nothing saved) when the file cannot be read or a fix does not fit.
        A big sheet is checked on the prediction worker: its SheetRead is returned, and the
        fixes and report are saved when it ends (reading.checks_in_request)."""
        if not checks_in_request(self, self.sheet):
            return SheetRead.recheck(self, user, "", self.task, self.mapping, fixes)
        report = self.check_data(self.read(), self.column_mapping, self.task, fixes)
        self.fixes, self.health = list(fixes), report
        self.save(update_fields=["fixes", "health"])
        return None

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
