"""The model page's jobs the RQ worker runs: load the row, do the work, store the result.

- score_batch, enqueued only by BatchPrediction.start(): the scored file keeps every column of
  the upload and adds prediction and confidence columns (finetune.predict.score_table),
  written formula-safe by finetune.writer.write_table in the upload's own format family.
- pick_rows, enqueued only by RowPick.start(): the rows to label next (finetune.to_label),
  written the same way.
"""

from lib import files
from webapp.catalog.models import BatchPrediction, RowPick
from webapp.catalog.predictors import get_predictor

UNEXPECTED = (
    "Scoring this file stopped because of an unexpected error. Try again; "
    "if it happens again, tell your administrator."
)
PICK_UNEXPECTED = (
    "Picking the rows to label stopped because of an unexpected error. Try again; "
    "if it happens again, tell your administrator."
)


def score_batch(batch_pk: int) -> int | None:
    from finetune.data import read_table
    from finetune.predict import score_table
    from finetune.writer import text_format, write_table

    batch = BatchPrediction.objects.filter(pk=batch_pk)
    batch = batch.select_related("model__run", "version__run").first()
    if batch is None or not batch.mark_running():
        return None

    def work() -> int:
        table = read_table(batch.input_path, filename=batch.original_name)
        predictor = get_predictor(batch.scoring_dir)  # the version current when it was made
        scored = score_table(predictor, table, batch.text_column or None, batch.pair_column or None)
        batch.output_path.parent.mkdir(parents=True, exist_ok=True)
        # The user's format back: a workbook as .xlsx, a text file with its own delimiter.
        options = text_format(table) if batch.output_suffix != ".xlsx" else {}
        write_table(scored, batch.output_path, **options)
        files.publish(batch.output_name)  # into the storage the web process reads
        return len(scored)

    rows = batch.run_work(work, UNEXPECTED)
    if rows is not None:
        batch.mark_finished(rows=rows)
    return rows


def pick_rows(pick_pk: int) -> int | None:
    from finetune.to_label import pick_file

    pick = RowPick.objects.filter(pk=pick_pk).select_related("model__run").first()
    if pick is None or not pick.mark_running():
        return None

    def work() -> int:
        rows = pick_file(
            get_predictor(pick.model.run_dir), pick.input_path, pick.output_path, pick.wanted,
            filename=pick.original_name, text_column=pick.text_column or None,
            pair_column=pick.pair_column or None,
        )  # fmt: skip
        files.publish(pick.output_name)  # into the storage the web process reads
        return rows

    rows = pick.run_work(work, PICK_UNEXPECTED)
    if rows is not None:
        pick.mark_finished(rows=rows)
    return rows
