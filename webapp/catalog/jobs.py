"""The batch-prediction job the RQ worker runs: load the row, score the file, store the result.

Enqueued only by BatchPrediction.start(). The scored file keeps every column of the upload
and adds prediction and confidence columns (finetune.predict.score_table), written
formula-safe by finetune.data.write_table in the upload's own format family.
"""

import traceback

from finetune import FinetuneError
from lib import files
from webapp.catalog.models import BatchPrediction
from webapp.catalog.predictors import get_predictor

UNEXPECTED = (
    "Scoring this file stopped because of an unexpected error. Try again; "
    "if it happens again, tell your administrator."
)


def score_batch(batch_pk: int) -> int | None:
    from finetune.data import read_table, text_format, write_table
    from finetune.predict import score_table

    batch = BatchPrediction.objects.filter(pk=batch_pk).select_related("model__run").first()
    if batch is None or not batch.mark_running():
        return None
    try:
        table = read_table(batch.input_path, filename=batch.original_name)
        predictor = get_predictor(batch.model.run_dir)
        scored = score_table(predictor, table, batch.text_column or None, batch.pair_column or None)
        batch.output_path.parent.mkdir(parents=True, exist_ok=True)
        # The user's format back: a workbook as .xlsx, a text file with its own delimiter.
        options = text_format(table) if batch.output_suffix != ".xlsx" else {}
        write_table(scored, batch.output_path, **options)
        files.publish(batch.output_name)  # into the storage the web process reads
    except FinetuneError as err:
        batch.mark_failed(str(err), log=traceback.format_exc())
        return None
    except Exception:
        batch.mark_failed(UNEXPECTED, log=traceback.format_exc())
        raise
    batch.mark_finished(rows=len(scored))
    return batch.rows


def on_batch_failure(job, connection, exc_type, exc_value, tb) -> None:
    """RQ's failure callback: a timeout or a dead horse still ends the row."""
    batch = BatchPrediction.objects.filter(uuid=job.id).first()
    if batch is None or batch.is_final:
        return
    details = "".join(traceback.format_exception(exc_type, exc_value, tb)) if exc_type else ""
    batch.mark_failed(batch.worker_died_message, log=details or "The job was lost.")
