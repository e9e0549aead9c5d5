"""The training job the RQ worker runs: load the row, call finetune, store the result.

Enqueued only by TrainingRun.start(); run it by hand with `train_run(run.pk)`.
Failures are never swallowed: the user gets a plain sentence in run.message, staff get the
traceback in run.log, and unexpected errors are raised again so RQ records them too.
"""

import logging
import time
import traceback

from django.db import transaction
from rq.exceptions import AbandonedJobError
from rq.timeouts import JobTimeoutException

from finetune import Canceled, FinetuneError
from webapp.runs.improving import continuation_for
from webapp.runs.models import TrainingRun
from webapp.runs.runfiles import RunFiles, StorageFailed

logger = logging.getLogger(__name__)

UNEXPECTED = (
    "Training stopped because of an unexpected error. Try again; "
    "if it happens again, tell your administrator."
)
NO_SPREADSHEET = "The spreadsheet this run trains on was deleted. Upload it again to train."
TIMED_OUT = (
    "Training took longer than this server allows ({limit}) and was stopped. "
    "Try fewer epochs or a smaller model, or ask your administrator to raise the limit."
)
CANCEL_CHECK_EVERY = 2.0  # seconds between database reads of the cancel flag


class CancelCheck:
    """should_cancel for finetune: reads run.cancel_requested, at most every few seconds.

    It also stops an attempt that was superseded: a work horse orphaned by a dead worker
    keeps training, while the repair has put its run back in line (run.resumes went up).
    """

    def __init__(self, run_pk: int, attempt: int = 0):
        self.run_pk = run_pk
        self.attempt = attempt  # run.resumes when this attempt started
        self.checked_at = 0.0
        self.answer = False
        self.superseded = False

    def __call__(self) -> bool:
        now = time.monotonic()
        if not self.answer and now - self.checked_at >= CANCEL_CHECK_EVERY:
            self.checked_at = now
            row = TrainingRun.objects.filter(pk=self.run_pk).values("cancel_requested", "resumes")
            row = row.first()
            self.superseded = row is None or row["resumes"] != self.attempt
            self.answer = self.superseded or row["cancel_requested"]
        return self.answer


def train_run(run_pk: int) -> str | None:
    from finetune.data import read_table
    from finetune.fixes import apply_table
    from finetune.mapping import ColumnMapping
    from finetune.train import TrainConfig, train

    run = TrainingRun.objects.filter(pk=run_pk).select_related("spreadsheet").first()
    if run is None or not run.mark_running():
        return None  # deleted or canceled while it waited in line
    check = CancelCheck(run.pk, attempt=run.resumes)
    try:
        sheet = run.spreadsheet
        if sheet is None or not sheet.path.is_file():
            raise FinetuneError(NO_SPREADSHEET)
        # The sheet, mapping and fixes frozen on the run, never the spreadsheet's current ones.
        table = read_table(sheet.path, sheet=run.sheet or None, filename=sheet.name)
        mapping = ColumnMapping.from_dict(run.mapping)
        table, mapping, _ = apply_table(table, mapping, run.fixes, task=run.task)
        # run.out_dir is on this machine; RunFiles moves it through the file storage.
        with RunFiles(run) as run_files:
            result = train(
                table,
                mapping,
                TrainConfig.from_dict(run.config),
                run.out_dir,
                on_progress=run_files.watch(run.mark_progress),
                should_cancel=check,
                continued=continuation_for(run),  # None unless it improves a model
            )
            run_files.publish()
    except Canceled:
        if check.superseded:  # another attempt owns the run now; leave the row to it
            logger.warning("Run %s: a superseded attempt stopped.", run.uuid)
            return None
        run.mark_canceled()
        return run.status
    except (FinetuneError, StorageFailed) as err:  # a sentence for users, already
        run.mark_failed(str(err), log=traceback.format_exc())
        return run.status
    except Exception as err:
        run.mark_failed(unexpected_message(err, run), log=traceback.format_exc())
        raise
    finish(run, result.metrics)
    return run.status


def finish(run: TrainingRun, metrics: dict) -> None:
    """The run becomes a model (or the next version of the model it improves): the catalog
    row and the finished status, together."""
    from webapp.catalog.models import TrainedModel
    from webapp.catalog.versions import add_version

    with transaction.atomic():
        if run.mark_finished(metrics):
            if run.improves is not None:
                add_version(run.improves, run, by=run.created_by)
            else:
                TrainedModel.objects.create(team=run.team, run=run, name=run.name)


def unexpected_message(err: BaseException | None, run: TrainingRun) -> str:
    if isinstance(err, JobTimeoutException):
        return TIMED_OUT.format(limit=duration_words(run.job_timeout))
    return UNEXPECTED


def duration_words(seconds: int) -> str:
    """A time limit as people say it: "24 hours", "90 minutes", "30 seconds"."""
    if seconds >= 2 * 3600:
        return f"{round(seconds / 3600, 1):g} hours"
    if seconds >= 2 * 60:
        return f"{round(seconds / 60)} minutes"
    return f"{seconds} seconds"


def on_train_failure(job, connection, exc_type, exc_value, tb) -> None:
    """RQ's failure callback: covers what train_run could not mark (timeouts, dead horses)."""
    run = TrainingRun.objects.filter(uuid=job.id).first()
    if run is None or run.is_final:
        return
    details = "".join(traceback.format_exception(exc_type, exc_value, tb)) if exc_type else ""
    died = exc_value is None or isinstance(exc_value, AbandonedJobError)
    if died and run.can_resume:
        # RQ records this job's failure after the callback, so putting the run back in line
        # here would be undone; the repair that follows (queue.maintenance.repair_runs) does it.
        logger.warning("Run %s lost its worker; the repair puts it back in line.", run.uuid)
        return
    message = run.worker_died_message if died else unexpected_message(exc_value, run)
    run.mark_failed(message, log=details or "The job was lost.")
