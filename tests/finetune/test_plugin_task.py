"""A new task plugs in from outside finetune/: defined here, registered, and driven through the
command line (check, train on the tiny model, predict) with no other file changed.

The task: does the text mention a number above 100? Its answers are in a yes/no column of
its own role ("answer", flag --answer), which no built-in task knows. The web app's proof
(tests/webapp/) imports `AboveHundredTask` from here; another process (the worker) loads it
with LABELTUNE_TASKS="tests.finetune.test_plugin_task:AboveHundredTask".
"""

import contextlib
import io
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from finetune import cli
from finetune.mapping import ColumnMapping, truthy
from finetune.roles import TEXT, Role
from finetune.suggest import suggest
from finetune.tasks import TASKS, Suitability, Task, registered
from finetune.tasks.base import Examples, label_kwargs, percent

ROOT = Path(__file__).resolve().parents[2]
SMALL = [str(n) for n in range(3, 99, 6)]  # 16 numbers of 100 or less
LARGE = [str(n) for n in range(150, 999, 53)]  # 17 above 100
WORDS = ["the", "box", "weighs", "kilos", "we", "sold", "units", "about", "almost"]
ANSWER = Role(
    "answer", "Answer column", "Yes or no: does the text mention a number above 100?",
    flag="--answer", required=True, answer=True,
)  # fmt: skip


def _softmax(logits) -> np.ndarray:
    shifted = np.asarray(logits, dtype=np.float64)
    exp = np.exp(shifted - shifted.max(axis=-1, keepdims=True))
    return exp / exp.sum(axis=-1, keepdims=True)


class AboveHundredTask(Task):
    name = "above_100"
    title = "Mentions a number above 100"
    description = "Yes or no per row: does the text mention a number above 100?"
    primary_metric = "accuracy"
    metric_title = "accuracy"
    compare_title = "accuracy"
    label_words = "the yes/no answers"
    roles = (TEXT, ANSWER)

    def suits(self, sample, mapping):
        if not mapping.role("answer"):
            return Suitability(0.0)
        return Suitability(1.0, f'"{mapping.answer}" says yes or no for each text.')

    def prepare(self, frame, mapping, row_numbers=None):
        texts = frame[mapping.text].astype(str).tolist()
        answers = [truthy(cell) for cell in frame[mapping.answer].tolist()]
        keep = [i for i, a in enumerate(answers) if a is not None and texts[i].strip()]
        return Examples(
            rows=keep,
            texts=[texts[i] for i in keep],
            targets=["yes" if answers[i] else "no" for i in keep],
            skipped={
                "answer that is not yes or no": [i for i, a in enumerate(answers) if a is None]
            },
        )

    def stratify_keys(self, targets):
        return list(targets)

    def make_head(self, train, everything):
        return {"labels": ["no", "yes"]}

    def model_kwargs(self, head):
        return label_kwargs(head["labels"])

    def encode_targets(self, targets, head):
        return [head["labels"].index(t) for t in targets]

    def postprocess(self, logits, head):
        probs = _softmax(logits)
        return [
            {"label": head["labels"][int(p.argmax())], "confidence": float(p.max())} for p in probs
        ]

    def loss(self, logits, encoded_targets):
        probs = _softmax(logits)
        picked = probs[np.arange(len(encoded_targets)), encoded_targets]
        return float(-np.log(np.clip(picked, 1e-12, None)).mean()) if len(picked) else 0.0

    def prediction_columns(self, predictions, head, texts=None):
        return {"above_100": [p["label"] for p in predictions]}

    def is_correct(self, target, prediction):
        return target == prediction["label"]

    def metrics(self, targets, predictions, head):
        right = sum(self.is_correct(t, p) for t, p in zip(targets, predictions, strict=True))
        return {"accuracy": right / len(targets) if targets else 0.0, "rows": len(targets)}

    def evaluation(self, targets, predictions, head):
        return self.metrics(targets, predictions, head)

    def baselines(self, train, test, head, fitted=None):
        common = max(set(train.targets), key=train.targets.count)
        right = sum(t == common for t in test.targets)
        return {"baseline_majority_accuracy": right / len(test) if len(test) else 0.0}

    baseline_names = {"majority": "Always the most common answer"}

    def headline(self, metrics):
        return [("Accuracy", percent(metrics["test_accuracy"]))]

    def baseline_headline(self, metrics):
        return [("Always the most common answer", percent(metrics["baseline_majority_accuracy"]))]

    def health(self, report, examples, mapping, row_number):
        report.answers = {a: examples.targets.count(a) for a in ("yes", "no")}
        if min(report.answers.values()) == 0:
            report.problems.append('The answer column needs both "yes" and "no" rows.')

    def report_lines(self, report):
        return [f"Answers: {report.answers['yes']} yes, {report.answers['no']} no."]


def plugin_rows(n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Texts with one number among filler words; "yes" when it is above 100."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        big = i % 2 == 0
        words = rng.sample(WORDS, 4) + [rng.choice(LARGE if big else SMALL)]
        rng.shuffle(words)
        rows.append({"sentence": " ".join(words), "over": "yes" if big else "no"})
    return pd.DataFrame(rows, dtype=str)


@pytest.fixture
def task():
    with registered(AboveHundredTask()) as task:
        yield task


@pytest.fixture
def sheet(tmp_path) -> Path:
    path = tmp_path / "numbers.csv"
    plugin_rows().to_csv(path, index=False)
    return path


def test_registering_adds_the_task_its_role_and_flag_and_unregistering_removes_them():
    from finetune.roles import ROLE_NAMES

    assert "above_100" not in TASKS and "answer" not in ROLE_NAMES
    with registered(AboveHundredTask()):
        assert TASKS["above_100"].name == "above_100" and ROLE_NAMES["answer"] == "answer"
        mapping = ColumnMapping.from_dict({"text": "sentence", "answer": "over"})
        assert mapping.answer == "over" and mapping.used() == ["sentence", "over"]
        assert mapping.answer_columns() == ["over"]
        assert mapping.in_words() == 'text "sentence", answer "over"'
        assert "--answer" in _train_help()
    assert "above_100" not in TASKS and "answer" not in ROLE_NAMES
    assert "--answer" not in _train_help()


def _train_help() -> str:
    with pytest.raises(SystemExit), contextlib.redirect_stdout(io.StringIO()) as printed:
        cli.main(["train", "--help"])
    return printed.getvalue()


def test_the_suggestion_asks_the_registered_task(task, sheet):
    from finetune.data import read_table

    table = read_table(sheet)
    assert suggest(table).task != "above_100", "its role is its own: the guess cannot map it"
    from finetune.suggest import task_for

    name, reason = task_for(table, ColumnMapping(text="sentence", answer="over"))
    assert (name, reason) == ("above_100", '"over" says yes or no for each text.')


def test_check_reads_its_role_from_its_own_flag_and_prints_its_section(task, sheet, capsys):
    code = cli.main(["check", str(sheet), "--text", "sentence", "--answer", "over"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Task: above_100." in err
    assert "Answers: 60 yes, 60 no." in out and "Ready to train." in out


def test_another_process_loads_it_from_the_environment(sheet):
    env = dict(os.environ, LABELTUNE_TASKS="tests.finetune.test_plugin_task:AboveHundredTask")
    done = subprocess.run(
        [sys.executable, "-m", "finetune", "check", str(sheet), "--text", "sentence",
         "--answer", "over", "--task", "above_100", "--json"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert '"answers": {' in done.stdout and '"task": "above_100"' in done.stdout


def test_a_task_named_in_the_environment_that_cannot_load_is_said_plainly(sheet):
    env = dict(os.environ, LABELTUNE_TASKS="tests.finetune.no_such_module:Task")
    done = subprocess.run([sys.executable, "-m", "finetune", "check", str(sheet)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert 'LABELTUNE_TASKS names "tests.finetune.no_such_module:Task"' in done.stderr


@pytest.mark.slow
def test_it_trains_and_predicts_through_the_command_line(task, sheet, tmp_path, capsys):
    from tests.tinymodel import make_tiny_model

    texts = [" ".join(WORDS + SMALL + LARGE)]
    base = make_tiny_model(texts, tmp_path / "tiny")
    out = tmp_path / "run"
    code = cli.main([
        "train", str(sheet), "--text", "sentence", "--answer", "over", "--out", str(out),
        "--base-model", str(base), "--epochs", "15", "--learning-rate", "0.003",
        "--max-length", "16", "--warmup-ratio", "0", "--patience", "0",
    ])  # fmt: skip
    printed, err = capsys.readouterr()
    assert code == 0, err
    assert "Accuracy" in printed and (out / "model.safetensors").is_file()
    assert '"over"' in (out / "README.md").read_text(), "the model card names its answer column"
    scored_rows = pd.read_csv(out / "test_predictions.csv", encoding="utf-8-sig")
    assert set(scored_rows["above_100"]) <= {"yes", "no"}
    right = (scored_rows["above_100"] == scored_rows["label"]).mean()
    assert right >= 0.75, "the tiny model learns which numbers are above 100"

    new = tmp_path / "new.csv"
    pd.DataFrame(
        {"sentence": [f"we sold {LARGE[7]} units", f"the box weighs {SMALL[1]} kilos"]}
    ).to_csv(new, index=False)
    code = cli.main(["predict", str(out), str(new), "--out", str(tmp_path / "scored.csv")])
    assert code == 0, capsys.readouterr().err
    scored = pd.read_csv(tmp_path / "scored.csv", encoding="utf-8-sig")
    assert list(scored["above_100"]) == ["yes", "no"]
