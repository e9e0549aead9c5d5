"""Real tiny runs of one spreadsheet for the compare page's tests, trained once per session.

    sheet, a, b = two_runs(case)  # "eight" (8 epochs) then "twenty" (20), alice's, one sheet
    c = finished_run(case.alice_team, case.alice, sheet, other_split_dir(), "C", minutes_ago=10)
    by_row = rows_of(a)  # test_predictions.csv read with the csv module, by row number
    fixed, broken = changed_by_hand(a, b)  # row numbers, from those files alone
    url = compare_url(a, b, shown=40)  # /runs/compare/?runs=...&runs=...&shown=40

longer_run_dir() trains the same rows for 20 epochs instead of 8 (same split: some test rows
are fixed, one is broken); other_split_dir() trains with another seed, so its test rows are
partly other rows. regression_run_dir(epochs) and short_ner_run_dir() are the other tasks'.
"""

import csv
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from tests.webapp.ner_support import (
    NER_SETTINGS,
    layout_frames,
    ner_sentences,
    tiny_ner_base_model,
)
from tests.webapp.runs_support import (
    finished_model,
    mapped_spreadsheet,
    rows,
    session_dir,
    tiny_base_model,
    train_config,
    trained_run_dir,
)

LONGER_EPOCHS = 20
OTHER_SEED = 7


SCORES = {"positive": "5", "negative": "1"}  # regression: a number for each toy label


def trained_with(name: str, frame=None, columns=None, base=None, **settings) -> Path:
    """A run folder: the tiny BERT trained on `frame` (rows() by default) with these
    settings, once per session."""
    out = session_dir() / name
    if not (out / "metrics.json").is_file():
        import pandas as pd

        from finetune.mapping import ColumnMapping
        from finetune.train import TrainConfig, train

        if frame is None:
            frame = pd.DataFrame(rows(), columns=["review", "sentiment"], dtype=str)
        columns = columns or ColumnMapping(text="review", label="sentiment")
        config = TrainConfig.from_dict(train_config(base or tiny_base_model(), **settings))
        train(frame, columns, config, out)
    return out


def longer_run_dir() -> Path:
    return trained_with("longer", epochs=LONGER_EPOCHS)


def other_split_dir() -> Path:
    return trained_with("other-split", seed=OTHER_SEED)


def regression_run_dir(epochs: int) -> Path:
    """The toy rows with a number for a label (3 for the third label), as regression."""
    import pandas as pd

    frame = pd.DataFrame(
        [(text, SCORES.get(label, "3")) for text, label in rows()], columns=["review", "score"]
    )
    from finetune.mapping import ColumnMapping

    columns = ColumnMapping(text="review", label="score")
    return trained_with(f"regression-{epochs}", frame, columns, task="regression", epochs=epochs)


def short_ner_run_dir() -> Path:
    """Names in text, trained for fewer epochs than ner_support's trained_ner_run_dir()."""
    from finetune.mapping import ColumnMapping

    frame = layout_frames(ner_sentences())["entities"]
    columns = ColumnMapping(text="text", entities="entities")
    settings = NER_SETTINGS | {"epochs": 3}
    return trained_with("ner-short", frame, columns, tiny_ner_base_model(), task="ner", **settings)


def finished_run(team, user, sheet, source: Path, name: str, minutes_ago: int = 0):
    """A finished run of `sheet` with a copy of the run folder `source`, started that long ago."""
    run = finished_model(team, user, name=name, source=source).run
    run.spreadsheet = sheet
    run.save(update_fields=["spreadsheet"])
    run.created = timezone.now() - timedelta(minutes=minutes_ago)
    run.save(update_fields=["created"])
    return run


def two_runs(case):
    """(a spreadsheet of alice's, run "eight" on it, run "twenty" on it, ten minutes later)."""
    sheet = mapped_spreadsheet(case)
    team, alice = case.alice_team, case.alice
    a = finished_run(team, alice, sheet, trained_run_dir(), "eight", minutes_ago=30)
    b = finished_run(team, alice, sheet, longer_run_dir(), "twenty", minutes_ago=20)
    return sheet, a, b


def rows_of(run) -> dict[str, dict]:
    """The run's test rows by spreadsheet row number, read with nothing but the csv module."""
    path = run.out_dir / "test_predictions.csv"
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["row"]: row for row in csv.DictReader(handle)}


def changed_by_hand(first, other) -> tuple[list[str], list[str]]:
    """(fixed, broken): the spreadsheet row numbers wrong in `first` and right in `other`, and
    the other way round, from the two files read with the csv module alone."""
    before, after = rows_of(first), rows_of(other)
    both = [n for n in before if n in after and before[n]["text"] == after[n]["text"]]
    fixed = [n for n in both if (before[n]["correct"], after[n]["correct"]) == ("False", "True")]
    broken = [n for n in both if (before[n]["correct"], after[n]["correct"]) == ("True", "False")]
    return sorted(fixed, key=int), sorted(broken, key=int)


def compare_url(*runs, **params) -> str:
    """The compare page of these runs (or uuids, as strings), with more query `params`."""
    query = [("runs", str(getattr(run, "uuid", run))) for run in runs] + list(params.items())
    return reverse("runs:compare") + "?" + urlencode(query)
