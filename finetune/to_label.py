"""The rows to label next: of a spreadsheet without labels, the rows a trained model is least
sure of, kept diverse, written as a file to label.

    pick_file("runs/reviews", "new_reviews.csv", "to_label.csv", rows=50)   # -> rows written
    frame = pick_table(predictor, table, rows=50)       # the same rows as a DataFrame
    python -m finetune pick runs/reviews new_reviews.csv --rows 50 --out to_label.csv

How the rows are picked:
1. every row with a text (and, where the file has the label columns, no label yet) is scored
   by the Predictor, whatever serves: the model or a simpler candidate;
2. the task says how unsure each answer is (Task.uncertainty); a task that cannot say
   (Task.cannot_pick_rows) picks nothing;
3. the POOL x N least sure rows stay in the running;
4. among them, N rows by farthest-point (k-centre) on TF-IDF vectors of their texts, each
   distance weighed by how unsure the row is: first the least sure row, then each time the
   row that is least like every row picked so far and unsure (ties: the less sure one, then
   the earlier one), so two copies of one text never both take a place while other unsure
   texts wait. No randomness: the same file gives the same rows.

The file written has those rows, least sure first: the user's columns (the text columns named
as in the model's training data), one empty column per label column of the training data,
then "model's guess" and "how sure". It is written like the file read (CSV stays CSV, with its
delimiter and encoding; a workbook becomes .xlsx) through the one formula-safe writer
(finetune.writer.write_table). Filled in, it maps as the model's training data did.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer

from finetune.data import Table, read_table
from finetune.errors import FinetuneError
from finetune.predict import Predictor, free_name, input_columns
from finetune.writer import TEXT_OUTPUTS, text_format, write_table

DEFAULT_ROWS = 50  # rows picked when nobody says
POOL = 3  # the least sure POOL x N rows are the ones diversity picks from
GUESS = "model's guess"
SURE = "how sure"
NOTHING_TO_PICK = (
    "No row of this file has a text without a label. Upload texts that have no label yet."
)


def label_columns(mapping) -> list[str]:
    """The columns that held the answers in the model's training data (ColumnMapping)."""
    return mapping.answer_columns()


def pick_file(
    run_dir_or_predictor, in_path, out_path, rows: int = DEFAULT_ROWS, *, sheet=None,
    filename=None, text_column=None, pair_column=None,
) -> int:  # fmt: skip
    """Read a file of texts, pick its rows to label, write them to `out_path` (.csv, .tsv,
    .txt or .xlsx; a text file keeps the delimiter and encoding of the one read); returns
    how many rows were written (fewer than `rows` when the file has fewer to pick from)."""
    predictor = (
        run_dir_or_predictor
        if isinstance(run_dir_or_predictor, Predictor)
        else Predictor.load(run_dir_or_predictor)
    )
    table = read_table(in_path, sheet=sheet, filename=filename)
    picked = pick_table(predictor, table, rows, text_column, pair_column)
    options = text_format(table) if Path(out_path).suffix.lower() in TEXT_OUTPUTS else {}
    write_table(picked, out_path, **options)
    return len(picked)


def pick_table(
    predictor: Predictor, table: Table, rows: int = DEFAULT_ROWS, text_column=None, pair_column=None
) -> pd.DataFrame:
    """The `rows` rows of `table` to label next, as the file to write (see the module)."""
    task = predictor.task
    if task.cannot_pick_rows:
        raise FinetuneError(task.cannot_pick_rows)
    if rows < 1:
        raise FinetuneError("Ask for at least one row to label.")
    frame = table.frame
    column, pair = input_columns(predictor, table, text_column, pair_column)
    answers = [c for c in label_columns(predictor.mapping) if c in frame.columns]
    # 1. The rows with a text and no answer yet.
    open_rows = frame[column].str.strip() != ""
    for name in answers:
        open_rows &= frame[name].str.strip() == ""
    positions = np.flatnonzero(open_rows.to_numpy())
    if not len(positions):
        raise FinetuneError(NOTHING_TO_PICK)
    texts = frame[column].iloc[positions].tolist()
    pairs = frame[pair].iloc[positions].tolist() if pair else None
    predictions = predictor.predict(texts, pairs)
    # 2-4. How unsure each answer is; the least sure, kept diverse.
    unsure = np.asarray(task.uncertainty(predictions, predictor.head), dtype=np.float64)
    inputs = [f"{a} {b}" for a, b in zip(texts, pairs, strict=True)] if pairs else texts
    chosen = pick_diverse(unsure, inputs, rows)
    chosen = sorted(chosen, key=lambda i: (-unsure[i], i))  # least sure first
    # 5. The file to label.
    out = frame.iloc[positions[chosen]].reset_index(drop=True)
    out = out.rename(columns=_training_names(predictor, column, pair, list(frame.columns)))
    for name in label_columns(predictor.mapping):
        if name not in out.columns:
            out[name] = ""
    guesses = task.prediction_columns(
        [predictions[i] for i in chosen], predictor.head, texts=[texts[i] for i in chosen]
    )
    out[free_name(out, GUESS)] = next(iter(guesses.values()))
    out[free_name(out, SURE)] = [f"{100 * (1 - unsure[i]):.0f}%" for i in chosen]
    return out


def pick_diverse(unsure: np.ndarray, texts: list[str], rows: int) -> list[int]:
    """Positions of `rows` texts among the POOL x `rows` least sure ones, each as unlike the
    ones picked before it, and as unsure, as can be (weighed farthest-point on TF-IDF vectors
    of characters, which read every script). Ties go to the less sure, then the earlier."""
    order = sorted(range(len(texts)), key=lambda i: (-unsure[i], i))
    pool = order[: POOL * rows]
    if len(pool) <= rows:
        return pool
    try:
        vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
        x = vectors.fit_transform([texts[i] for i in pool])
    except ValueError:  # no characters to compare: the least sure rows, as they come
        return pool[:rows]
    weight = np.asarray([unsure[i] for i in pool])
    far = np.ones(len(pool))  # distance to the nearest row picked (1: nothing in common)
    picked: list[int] = []
    for _ in range(rows):
        # The farthest row, each distance weighed by how unsure the row is; np.lexsort sorts
        # by its last key first: that, then less sure, then earlier.
        key = np.round(far * weight, 6)
        key[picked] = -1.0
        best = int(np.lexsort((np.arange(len(pool)), -weight, -key))[0])
        picked.append(best)
        similarity = (x @ x[best].T).toarray().ravel()
        far = np.minimum(far, 1.0 - similarity)
    return [pool[i] for i in picked]


def _training_names(predictor: Predictor, column: str, pair: str | None, names: list[str]):
    """{the file's text columns: their names in the training data}, where they differ and the
    training name is free, so the file filled in maps as the training data did."""
    wanted = [(column, predictor.task.scoring_column(predictor.mapping))]
    wanted += [(pair, predictor.mapping.text_pair)] if pair else []
    return {old: new for old, new in wanted if new and new not in names}
