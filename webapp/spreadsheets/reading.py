"""SheetRead: one reading of a spreadsheet's file, done by the prediction worker.

    read = SheetRead.upload(spreadsheet, user)     # after an upload: columns, rows, sheets...
    read = SheetRead.recheck(spreadsheet, user, sheet="", task=..., mapping={...}, fixes=[...])
    SheetRead.latest_for(spreadsheet)              # the last one, or None

A web request never parses a big file: at upload the file is stored and a job on the
"predictions" queue reads it once, keeping what the pages need on the Spreadsheet row
(columns, the first rows, the column suggestion, every sheet of a workbook); a data check of
a big sheet (a new mapping, a fix) is read the same way. A small sheet is checked in the
request (CHECK_IN_REQUEST_ROWS), and with no worker listening on the queue the request does
the reading itself, so the app works as before. The page polls the read until it ends;
repair (webapp.queue.maintenance) fails a read whose worker died.
"""

import logging

from django.db import models
from django.utils.module_loading import import_string

from webapp.queue.lifecycle import QueuedJob, RunStatus

logger = logging.getLogger(__name__)

# A data check of a sheet up to this many rows runs in the request, beyond it on the worker.
# Read + suggestion + health of SST-2 sentences on 2 cores (bench/sheet_check.py): 10,000 rows
# 0.4 s as CSV, 0.5 s as .xlsx; 50,000 rows 1.1 s and 2.2 s. So about a second at most here.
CHECK_IN_REQUEST_ROWS = 20_000
CHECK_IN_REQUEST_BYTES = 5 * 1024 * 1024


class SheetRead(QueuedJob):
    queue_name = "predictions"
    job_function = "webapp.spreadsheets.jobs.read_sheet"
    queue_down_message = (
        "The queue that reads files is not reachable right now. Try again in a minute; "
        "if it keeps happening, tell your administrator."
    )
    worker_died_message = (
        "The worker reading this file stopped before it was done. Try again; "
        "if it happens again, tell your administrator."
    )

    class Kind(models.TextChoices):
        UPLOAD = "upload", "Reading your file"
        CHECK = "check", "Checking your data"

    spreadsheet = models.ForeignKey(
        "spreadsheets.Spreadsheet", on_delete=models.CASCADE, related_name="reads"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # What a check reads: the sheet ("" for the stored one), task, column mapping and fixes.
    sheet = models.CharField(max_length=255, blank=True)
    task = models.CharField(max_length=30, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    fixes = models.JSONField(default=list, blank=True)
    step = models.CharField(max_length=200, blank=True)  # what it does now, in words

    class Meta:
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.spreadsheet_id}"

    @classmethod
    def upload(cls, spreadsheet, user) -> "SheetRead":
        """Read a newly stored file (on the worker, or here when none listens)."""
        return cls._begin(cls(spreadsheet=spreadsheet, created_by=user, kind=cls.Kind.UPLOAD))

    @classmethod
    def recheck(cls, spreadsheet, user, sheet: str, task: str, mapping: dict, fixes) -> "SheetRead":
        """Check the data with this sheet, task, mapping and fixes; saved when it ends."""
        read = cls(spreadsheet=spreadsheet, created_by=user, kind=cls.Kind.CHECK, sheet=sheet,
                   task=task, mapping=mapping, fixes=list(fixes))  # fmt: skip
        return cls._begin(read)

    @classmethod
    def _begin(cls, read: "SheetRead") -> "SheetRead":
        from webapp.queue.maintenance import has_worker

        read.save()
        if has_worker(cls.queue_name):
            read.start()
        else:  # no worker (or no Redis): read it in this request, as users run it
            logger.warning("No worker on %r: spreadsheet %s is read in the request.",
                           cls.queue_name, read.spreadsheet_id)  # fmt: skip
            read.run_here()
        return read

    def run_here(self) -> None:
        """Do the job in this process (by its dotted path, as the worker would)."""
        import_string(self.job_function)(self.pk)
        self.refresh_from_db()

    @classmethod
    def latest_for(cls, spreadsheet) -> "SheetRead | None":
        return cls.objects.filter(spreadsheet=spreadsheet).first()

    @property
    def is_latest(self) -> bool:
        """No newer read of the spreadsheet was asked for (a newer check replaces this one)."""
        return not SheetRead.objects.filter(
            spreadsheet_id=self.spreadsheet_id, pk__gt=self.pk
        ).exists()

    def say(self, words: str) -> None:
        """Show what the read does now on the page (its progress)."""
        self.step = words[:200]
        SheetRead.objects.filter(pk=self.pk).update(step=self.step)

    def recover(self, message: str, log: str = "") -> bool:
        """Nothing works on this read any more (its worker died, the queue lost its job):
        failed, in the read's own words."""
        return self.mark_failed(self.worker_died_message, log=log)

    def mark_finished(self) -> bool:
        return self._finish(RunStatus.FINISHED)


def checks_in_request(spreadsheet, sheet: str) -> bool:
    """Whether a data check of `sheet` is quick enough for the request (see the figures above)."""
    facts = spreadsheet.facts_for(sheet) or {}
    rows = facts.get("row_count", spreadsheet.row_count)
    return rows <= CHECK_IN_REQUEST_ROWS and spreadsheet.size <= CHECK_IN_REQUEST_BYTES
