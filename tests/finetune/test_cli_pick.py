"""`python -m finetune pick`, run as a user runs it: the rows to label next, and exit codes."""

import pandas as pd

from finetune.to_label import GUESS, SURE
from tests.finetune.test_cli import cli

TEXTS = ["great film", "awful plot", "the film and the plot", "dull acting", "superb story"]


def test_it_writes_the_rows_to_label_next(tmp_path, trained_run):
    run_dir = trained_run[0].out_dir
    pd.DataFrame({"review": TEXTS, "id": range(len(TEXTS))}).to_csv(
        tmp_path / "new.csv", index=False
    )
    done = cli("pick", run_dir, tmp_path / "new.csv", "--rows", 2, "--out", tmp_path / "x.csv")
    assert done.returncode == 0, done.stderr
    assert "Wrote the 2 rows to label next, least sure first, to " in done.stdout
    picked = pd.read_csv(tmp_path / "x.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(picked.columns) == ["review", "id", "sentiment", GUESS, SURE]
    assert len(picked) == 2 and (picked["sentiment"] == "").all()


def test_it_exits_1_with_a_plain_sentence(tmp_path, trained_run):
    run_dir = trained_run[0].out_dir
    pd.DataFrame({"other": ["a"], "more": ["b"]}).to_csv(tmp_path / "new.csv", index=False)
    done = cli("pick", run_dir, tmp_path / "new.csv", "--out", tmp_path / "x.csv")
    assert done.returncode == 1
    assert done.stderr.startswith("Error: ") and "review" in done.stderr
    done = cli("pick", run_dir, tmp_path / "new.csv", "--rows", 0, "--out", tmp_path / "x.csv")
    assert (done.returncode, done.stderr) == (1, "Error: Ask for at least one row to label.\n")
