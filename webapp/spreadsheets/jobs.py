"""The spreadsheet jobs the RQ worker runs, on the "predictions" queue (CPU work of seconds
to minutes, beside batch scoring):

- check_labels, enqueued only by LabelCheck.start(): read the data as it trains, let
  finetune.label_issues find the labels that look wrong, store the list.
- read_sheet, enqueued only by SheetRead.start(): read an uploaded file once for its pages,
  or check its data with a new mapping or fixes (webapp.spreadsheets.reading).
"""

from webapp.spreadsheets.label_checks import LabelCheck
from webapp.spreadsheets.models import UNREADABLE
from webapp.spreadsheets.reading import SheetRead

UNEXPECTED = (
    "Looking for labels that look wrong stopped because of an unexpected error. Try again; "
    "if it happens again, tell your administrator."
)
CHECK_UNEXPECTED = (
    "Checking your data stopped because of an unexpected error. Try again; "
    "if it happens again, tell your administrator."
)


def check_labels(check_pk: int) -> int | None:
    from finetune.fixes import apply_table
    from finetune.label_issues import check_labels as find
    from finetune.mapping import ColumnMapping
    from finetune.tasks import get_task

    check = LabelCheck.objects.filter(pk=check_pk).select_related("spreadsheet").first()
    if check is None or not check.mark_running():
        return None

    def work():
        mapping = ColumnMapping.from_dict(check.mapping)
        table = check.spreadsheet.read()
        fixed, mapping, _ = apply_table(table, mapping, check.fixes, task=check.task)
        task = get_task(check.task)
        examples = task.prepare(fixed.frame, mapping, row_numbers=fixed.row_numbers)
        return find(examples, task, base_model=check.base_model, row_number=fixed.row_number)

    found = check.run_work(work, UNEXPECTED)
    if found is None:
        return None
    check.mark_finished(found.to_dict())
    return len(found.issues)


def read_sheet(read_pk: int) -> int | None:
    """Read a spreadsheet's file for its pages (SheetRead.Kind.UPLOAD) or check its data
    with a new mapping or fixes (CHECK); the rows read, None when it stopped."""
    from finetune.mapping import ColumnMapping

    read = SheetRead.objects.filter(pk=read_pk).select_related("spreadsheet").first()
    if read is None or not read.mark_running():
        return None
    spreadsheet = read.spreadsheet
    upload = read.kind == SheetRead.Kind.UPLOAD

    def work() -> int:
        if upload:
            spreadsheet.read_upload(say=read.say)
        else:
            read.say("Reading the file")
            table = spreadsheet.read(read.sheet or None)
            read.say(f"Checking {len(table.frame):,} rows")
            mapping = ColumnMapping.from_dict(read.mapping)
            report = spreadsheet.check_data(table, mapping, read.task, read.fixes)
            if read.is_latest:  # else a newer check replaces this one: keep its answer
                spreadsheet.save_mapping(table, mapping, read.task, report, read.fixes)
        return spreadsheet.row_count

    rows = read.run_work(work, UNREADABLE if upload else CHECK_UNEXPECTED)
    if rows is not None:
        read.mark_finished()
    return rows
