"""The spreadsheet jobs the RQ worker runs, on the "predictions" queue (CPU work of seconds
to minutes, beside batch scoring):

- check_labels, enqueued only by LabelCheck.start(): read the data as it trains, let
  finetune.label_issues find the labels that look wrong, store the list.
- read_sheet, enqueued only by SheetRead.start(): read an uploaded file once for its pages,
  or check its data with a new mapping or fixes (webapp.spreadsheets.reading).
"""

import logging
import traceback

from finetune import FinetuneError
from webapp.spreadsheets.label_checks import LabelCheck
from webapp.spreadsheets.models import UNREADABLE
from webapp.spreadsheets.reading import SheetRead

logger = logging.getLogger(__name__)

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
    try:
        mapping = ColumnMapping.from_dict(check.mapping)
        table = check.spreadsheet.read()
        fixed, mapping, _ = apply_table(table, mapping, check.fixes, task=check.task)
        task = get_task(check.task)
        examples = task.prepare(fixed.frame, mapping, row_numbers=fixed.row_numbers)
        found = find(examples, task, base_model=check.base_model, row_number=fixed.row_number)
    except FinetuneError as err:
        check.mark_failed(str(err), log=traceback.format_exc())
        return None
    except Exception:
        check.mark_failed(UNEXPECTED, log=traceback.format_exc())
        raise
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
    try:
        if read.kind == SheetRead.Kind.UPLOAD:
            spreadsheet.read_upload(say=read.say)
        else:
            read.say("Reading the file")
            table = spreadsheet.read(read.sheet or None)
            read.say(f"Checking {len(table.frame):,} rows")
            mapping = ColumnMapping.from_dict(read.mapping)
            report = spreadsheet.check_data(table, mapping, read.task, read.fixes)
            if read.is_latest:  # else a newer check replaces this one: keep its answer
                spreadsheet.save_mapping(table, mapping, read.task, report, read.fixes)
    except FinetuneError as err:
        read.mark_failed(str(err), log=traceback.format_exc())
        return None
    except Exception:
        logger.exception("Could not read spreadsheet %s", spreadsheet.uuid)
        upload = read.kind == SheetRead.Kind.UPLOAD
        read.mark_failed(UNREADABLE if upload else CHECK_UNEXPECTED, log=traceback.format_exc())
        raise
    read.mark_finished()
    return spreadsheet.row_count
