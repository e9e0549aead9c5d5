"""Runs that improve a model with new rows (finetune/continual.py): what such a run freezes
at creation, what its worker needs, and the before-and-after its pages show.

    run.replay = frozen_replay(model.run)        # at creation (webapp/catalog/improve.py)
    continued = continuation_for(run)            # in the worker: the old weights and rows
    before_after(run)                            # for the evaluation and model pages

The new rows are the run's own spreadsheet, mapped with the old run's columns. The old rows
are the old run's spreadsheet, sheet, mapping and fixes, frozen on the new run like its own.
"""

from finetune import FinetuneError
from finetune.continual import REPLAY_SHARE, Continuation, compared
from webapp.runs.models import TrainingRun

OLD_MODEL_GONE = (
    "The model this run improves was deleted, so there are no weights to start from. "
    "Train a new model on the rows instead."
)
NOT_REPLAYED = (
    "The spreadsheet the model was trained on is no longer here, so its rows were not "
    "replayed and it is scored on the new test rows only."
)


def frozen_replay(old: TrainingRun) -> dict:
    """What a run that improves `old`'s model replays, frozen: its run, rows, sheet, columns,
    fixes, and the share of old training rows replayed per new one."""
    return {
        "run": str(old.uuid),
        "spreadsheet": old.spreadsheet_id,
        "sheet": old.sheet,
        "mapping": old.mapping,
        "fixes": old.fixes,
        "share": REPLAY_SHARE,
    }


def old_rows(replay: dict, task: str):
    """The old run's rows as it trained on them (its sheet and fixes), or None when its
    spreadsheet was deleted."""
    from finetune.data import read_table
    from finetune.fixes import apply_table
    from finetune.mapping import ColumnMapping
    from webapp.spreadsheets.models import Spreadsheet

    sheet = Spreadsheet.objects.filter(pk=replay.get("spreadsheet")).first()
    if sheet is None or not sheet.path.is_file():
        return None
    table = read_table(sheet.path, sheet=replay.get("sheet") or None, filename=sheet.name)
    mapping = ColumnMapping.from_dict(replay["mapping"])
    return apply_table(table, mapping, replay.get("fixes") or [], task=task)[0]


def continuation_for(run: TrainingRun) -> Continuation | None:
    """What finetune needs to continue from the old model, for a run that improves one
    (None for any other run)."""
    if not run.replay:
        return None
    old = TrainingRun.objects.filter(uuid=run.replay["run"]).first()
    if old is None:
        raise FinetuneError(OLD_MODEL_GONE)
    try:
        folder = old.local_dir()
    except FileNotFoundError:
        raise FinetuneError(OLD_MODEL_GONE) from None
    return Continuation(folder, old_rows(run.replay, run.task), run.replay["share"])


def before_after(run: TrainingRun) -> dict | None:
    """The old model's and this run's figures on the old and on the new test rows, in the
    task's words, for the pages; None for a run that improved no model."""
    found = run.metrics.get("continued_from")
    if not found:
        return None
    words = {"old_test": "the old test rows", "new_test": "the new test rows"}
    return {
        "parts": [
            {"words": words[name], "rows": rows, "figures": figures}
            for name, rows, figures in compared(found, run.the_task)
        ],
        "old_run": TrainingRun.objects.filter(uuid=(run.replay or {}).get("run")).first(),
        "replayed": found.get("replayed_rows", 0),
        "old_training_rows": found.get("old_training_rows", 0),
        "added_labels": found.get("added_labels", []),
        "not_replayed": NOT_REPLAYED if not found.get("old_test") else "",
    }
