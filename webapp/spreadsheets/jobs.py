"""The label-check job the RQ worker runs: load the row, read the data as it trains, let
finetune.label_issues find the labels that look wrong, store the list.

Enqueued only by LabelCheck.start() (on the "predictions" queue: CPU work of seconds to
minutes, beside batch scoring).
"""

import traceback

from finetune import FinetuneError
from webapp.spreadsheets.label_checks import LabelCheck

UNEXPECTED = (
    "Looking for labels that look wrong stopped because of an unexpected error. Try again; "
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


def on_check_failure(job, connection, exc_type, exc_value, tb) -> None:
    """RQ's failure callback: a timeout or a dead horse still ends the row."""
    check = LabelCheck.objects.filter(uuid=job.id).first()
    if check is None or check.is_final:
        return
    details = "".join(traceback.format_exception(exc_type, exc_value, tb)) if exc_type else ""
    check.mark_failed(check.worker_died_message, log=details or "The job was lost.")
