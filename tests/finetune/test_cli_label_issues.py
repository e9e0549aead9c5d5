"""`python -m finetune check --label-issues FILE`: the rows whose label looks wrong, written as
CSV or XLSX through the formula-safe writer, most suspicious first."""

import csv
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from finetune.label_issues import COLUMNS
from tests.finetune.labelnoise import noisy_topics, topic_model

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-labels")
    frame, truth = noisy_topics()
    frame["text"] = "=" + frame.text  # each a formula, if not made safe
    frame.to_csv(folder / "topics.csv", index=False)
    return folder, topic_model(folder / "model"), truth


def check(folder, model, out):
    return subprocess.run(
        [sys.executable, "-m", "finetune", "check", folder / "topics.csv", "--text", "text",
         "--label", "topic", "--label-issues", folder / out, "--base-model", model],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_it_writes_a_csv(setup):
    folder, model, truth = setup
    done = check(folder, model, "issues.csv")
    assert done.returncode == 0, done.stderr
    assert "Labels that look wrong: 3 of 150 rows" in done.stdout
    with open(folder / "issues.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == COLUMNS
    listed = {int(r[0]): r for r in rows[1:]}
    assert {row: r[3] for row, r in listed.items()} == {i + 2: t for i, t in truth.items()}
    assert all(r[1].startswith("'=") for r in listed.values())  # shown as text, never run


def test_it_writes_a_workbook(setup):
    folder, model, truth = setup
    done = check(folder, model, "issues.xlsx")
    assert done.returncode == 0, done.stderr
    sheet = openpyxl.load_workbook(folder / "issues.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == COLUMNS
    assert {r[0]: r[3] for r in rows[1:]} == {i + 2: t for i, t in truth.items()}
    assert all(r[1].startswith("'=") for r in rows[1:])


def test_it_says_why_a_task_is_not_checked(setup):
    folder, model, _ = setup
    done = subprocess.run(
        [sys.executable, "-m", "finetune", "check", folder / "topics.csv", "--text", "text",
         "--label", "topic", "--task", "regression", "--label-issues", folder / "n.csv"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 1
    assert "are not checked for ones that look wrong" in done.stderr
    assert not (folder / "n.csv").exists()
