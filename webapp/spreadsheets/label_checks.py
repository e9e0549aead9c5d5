"""LabelCheck: one look for labels that look wrong in a spreadsheet, run by the RQ worker.

    check = LabelCheck.start_for(spreadsheet, user, base_model="all-MiniLM-L6-v2")
    check = LabelCheck.latest_for(spreadsheet)       # the last one, or None
    check.fits(spreadsheet)     # still about the data the page shows (same columns and fixes)
    check.open_issues(spreadsheet)   # its rows no fix has handled yet, most suspicious first

The check reads the file after the spreadsheet's fixes, except the fixes of single rows
(finetune.fixes.ROW_KINDS): those are the answers to the list, so making one keeps the check
and takes its row off the list, and undoing it puts the row back. Any other change of
columns, task or fixes makes the check stale: the page offers to look again.
"""

from django.db import models

from finetune.fixes import ROW_KINDS
from finetune.label_issues import LabelIssues, in_words
from webapp.queue.lifecycle import QueuedJob, RunStatus

SCORED = (90, 80, 70, 60, 50)  # the confidences "accept all suggestions above" offers, in %


def base_fixes(fixes: list[dict]) -> list[dict]:
    """The fixes a label check reads the data with: all but those of single rows."""
    return [f for f in fixes if f.get("kind") not in ROW_KINDS]


def handled_rows(fixes: list[dict]) -> set[int]:
    """The spreadsheet rows that fixes of single rows changed or dropped."""
    rows = set()
    for fix in fixes:
        if fix.get("kind") == "relabel_rows":
            rows.update(c.get("row") for c in fix.get("changes") or [])
        elif fix.get("kind") == "drop_rows":
            rows.update(fix.get("rows") or [])
    return rows


class LabelCheck(QueuedJob):
    queue_name = "predictions"
    job_function = "webapp.spreadsheets.jobs.check_labels"
    queue_down_message = (
        "The queue that checks labels is not reachable right now. Try again in a minute; "
        "if it keeps happening, tell your administrator."
    )
    worker_died_message = (
        "The worker checking the labels stopped unexpectedly. Look for labels that look wrong "
        "again."
    )

    spreadsheet = models.ForeignKey(
        "spreadsheets.Spreadsheet", on_delete=models.CASCADE, related_name="label_checks"
    )
    base_model = models.CharField(max_length=500)  # an id or a local folder, as training takes
    # What the check read: the spreadsheet's task, mapping and fixes (those of single rows aside).
    task = models.CharField(max_length=30)
    mapping = models.JSONField(default=dict)
    fixes = models.JSONField(default=list, blank=True)
    result = models.JSONField(null=True, blank=True)  # finetune LabelIssues.to_dict()

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"Label check of {self.spreadsheet_id}"

    @classmethod
    def start_for(cls, spreadsheet, user, base_model: str) -> "LabelCheck":
        """Save a check of the spreadsheet as it is now; enqueued once the transaction commits."""
        check = cls.objects.create(
            spreadsheet=spreadsheet,
            created_by=user,
            base_model=base_model,
            task=spreadsheet.task,
            mapping=spreadsheet.mapping,
            fixes=base_fixes(spreadsheet.fixes),
        )
        check.start()
        return check

    @classmethod
    def latest_for(cls, spreadsheet) -> "LabelCheck | None":
        return cls.objects.filter(spreadsheet=spreadsheet).first()

    def mark_finished(self, result: dict) -> bool:
        return self._finish(RunStatus.FINISHED, result=result)

    def fits(self, spreadsheet) -> bool:
        """Whether the check read the data the spreadsheet trains on now (fixes of single
        rows aside): the same task, columns and other fixes."""
        same = (self.task, self.mapping) == (spreadsheet.task, spreadsheet.mapping)
        return same and self.fixes == base_fixes(spreadsheet.fixes)

    @property
    def found(self) -> LabelIssues:
        return LabelIssues.from_dict(self.result or {})

    def open_issues(self, spreadsheet) -> list[dict]:
        """The listed rows that no fix of the spreadsheet has changed or dropped yet, each
        with its labels in words and the other labels it may be given."""
        found, done = self.found, handled_rows(spreadsheet.fixes)
        out = []
        for issue in found.issues:
            if issue["row"] in done:
                continue
            others = [x for x in found.labels if x != issue["given"]]
            out.append(issue | {
                "given_words": in_words(issue["given"]),
                "suggested_words": in_words(issue["suggested"]),
                "percent": int(100 * issue["confidence"]),  # floor: never above the figure
                "others": [] if found.several else others,
            })  # fmt: skip
        return out

    def accept_offers(self, issues: list[dict]) -> list[dict]:
        """{"percent", "rows"} for "accept all suggestions above": each confidence of SCORED
        that takes in more rows than the one above it."""
        offers, seen = [], 0
        for at in SCORED:
            count = sum(1 for x in issues if x["confidence"] * 100 >= at)
            if count > seen:
                offers.append({"percent": at, "rows": count})
                seen = count
        return offers
