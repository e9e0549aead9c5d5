"""Multi-label classification: both spreadsheet layouts, hand-checked figures, thresholds, the
health section, and a real tiny model from training to a scored spreadsheet and pipeline()."""

import math

import numpy as np
import pandas as pd
import pytest

from finetune.health import check
from finetune.mapping import ColumnMapping
from finetune.predict import Predictor, score_file
from finetune.tasks import Examples, get_task
from finetune.tasks import multi_label as task_module
from finetune.train import train
from tests.finetune.conftest import fast_config
from tests.finetune.toydata import TAG_WORDS, tagged_rows

TASK = get_task("multi_label")
slow = pytest.mark.slow  # trains the tiny model: about 10 s on 2 cores


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def examples(targets: list[list[str]], texts: list[str] | None = None) -> Examples:
    texts = texts or [f"text {i}" for i in range(len(targets))]
    return Examples(rows=list(range(len(targets))), texts=texts, targets=targets)


@pytest.fixture(scope="module")
def tagged() -> pd.DataFrame:
    return tagged_rows(120)


@pytest.fixture(scope="module")
def tagged_run(tmp_path_factory, tagged, toy_model_dir):
    """One real training of the tiny model on tickets whose tags hang on keywords."""
    out = tmp_path_factory.mktemp("multi-label-run")
    config = fast_config(toy_model_dir, task="multi_label", epochs=20)
    return train(tagged, ColumnMapping(text="ticket", label="tags"), config, out)


# Parsing: one column with a separator


def test_it_reads_labels_joined_by_a_detected_separator():
    frame = pd.DataFrame(
        {"text": ["a", "b", "c", "d"], "tags": ["billing | bug", "bug", "", "refund|billing"]}
    )
    found = TASK.prepare(frame, ColumnMapping(text="text", label="tags"))
    assert found.targets == [["billing", "bug"], ["bug"], [], ["billing", "refund"]]
    assert found.rows == [0, 1, 2, 3], "a row with no label is kept: it means none of them"


def test_it_uses_the_separator_the_user_chose():
    frame = pd.DataFrame({"text": ["a", "b"], "tags": ["x;y, z", "w"]})
    detected = TASK.prepare(frame, ColumnMapping(text="text", label="tags"))
    assert detected.targets[0] == ["x", "y, z"]
    chosen = TASK.prepare(frame, ColumnMapping(text="text", label="tags", label_separator=","))
    assert chosen.targets == [["x;y", "z"], ["w"]]


# Parsing: one 0/1 column per label


def test_it_reads_one_yes_no_column_per_label():
    frame = pd.DataFrame(
        {
            "text": ["a", "b", "c", "d", "e", "f"],
            "billing": ["1", "yes", "x", "", "0", "TRUE"],
            "bug": ["0", "no", "X", "", "1", "false"],
        }
    )
    found = TASK.prepare(frame, ColumnMapping(text="text", labels=["billing", "bug"]))
    assert found.targets == [["billing"], ["billing"], ["billing", "bug"], [], ["bug"], ["billing"]]
    assert not any(found.skipped.values())


def test_it_skips_a_malformed_flag_cell_and_names_its_row():
    frame = pd.DataFrame(
        {
            "text": [f"ticket {i}" for i in range(12)],
            "billing": ["1", "0"] * 5 + ["maybe", "1"],
            "bug": ["0", "1"] * 6,
        }
    )
    mapping = ColumnMapping(text="text", labels=["billing", "bug"])
    found = TASK.prepare(frame, mapping)
    assert 10 not in found.rows and len(found) == 11
    report = check(frame, mapping, task="multi_label")
    assert report.skipped == [{"reason": "label cell that is not 0 or 1", "count": 1, "rows": [12]}]
    assert any("not 0 or 1" in w and "row 12" in w for w in report.warnings)


def test_it_says_which_ticked_label_column_never_marks_a_row():
    frame = pd.DataFrame(
        {
            "text": [f"ticket {i}" for i in range(12)],
            "billing": ["1", "0"] * 6,
            "bug": ["0", "1"] * 6,
            "refund": ["0"] * 12,
        }
    )
    report = check(frame, ColumnMapping(text="text", labels=["billing", "bug", "refund"]),
                   task="multi_label")  # fmt: skip
    assert report.ok
    assert [label["label"] for label in report.labels] == ["billing", "bug"]
    assert (
        'The label column "refund" never says 1 in a row, so the model cannot learn that label '
        "and leaves it out. Untick it, or mark the rows that have it."
    ) in report.warnings


# Figures worked out by hand

HAND_TARGETS = [["a"], ["a", "b"], ["c"], []]
HAND_PREDICTED = [["a"], ["a"], ["b", "c"], []]
HEAD = {"labels": ["a", "b", "c"], "thresholds": [0.5, 0.5, 0.5]}


def test_it_scores_micro_and_macro_f1_and_exact_match_as_worked_out_by_hand():
    # a: 2 right, no mistake (F1 1); b: one missed, one wrongly given (F1 0); c: 1 right (F1 1).
    # micro: 3 right, 1 wrongly given, 1 missed: precision = recall = 3/4, F1 0.75.
    # exact: rows 1 and 4 (no label, none predicted) of 4.
    predictions = [{"labels": p, "scores": {}} for p in HAND_PREDICTED]
    metrics = TASK.metrics(HAND_TARGETS, predictions, HEAD)
    assert metrics["micro_f1"] == pytest.approx(0.75)
    assert metrics["macro_f1"] == pytest.approx(2 / 3)
    assert metrics["exact_match"] == pytest.approx(0.5)
    assert (metrics["rows"], metrics["correct"]) == (4, 2)
    table = {r["label"]: r for r in TASK.evaluation(HAND_TARGETS, predictions, HEAD)["per_label"]}
    assert (table["b"]["precision"], table["b"]["recall"], table["b"]["support"]) == (0, 0, 1)
    assert (table["a"]["f1"], table["a"]["support"]) == (1, 2)


def test_it_turns_outputs_into_labels_above_each_labels_threshold():
    logits = np.array([[logit(0.7), logit(0.3), logit(0.9)]])
    head = {"labels": ["a", "b", "c"], "thresholds": [0.5, 0.25, 0.95]}
    [answer] = TASK.postprocess(logits, head)
    assert answer["labels"] == ["a", "b"]
    assert answer["scores"] == pytest.approx({"a": 0.7, "b": 0.3, "c": 0.9})


def test_it_tunes_the_micro_f1_best_threshold_per_label():
    # "a" is perfectly separated between 0.38 and 0.42: of the thresholds tried, only 0.40.
    # "b" between 0.81 and 0.87: 0.85. "c" is perfect anywhere from 0.15 to 0.90: the one
    # nearest 0.5. "d" has no validation row: it keeps the common threshold, the best one for
    # all labels at once, 0.85 (above d's 0.6 everywhere, so d is never wrongly said).
    probs = {
        "a": [0.9, 0.7, 0.42, 0.38, 0.2, 0.1],
        "b": [0.95, 0.87, 0.81, 0.75, 0.6, 0.3],
        "c": [0.95, 0.1, 0.1, 0.1, 0.1, 0.1],
        "d": [0.6, 0.6, 0.6, 0.6, 0.6, 0.6],
    }
    targets = [["a", "b", "c"], ["a", "b"], ["a"], [], [], []] * 5  # c: 5 rows, enough to tune
    logits = np.array([[logit(probs[k][i % 6]) for k in "abcd"] for i in range(30)])
    head = TASK.tune(logits, targets, {"labels": list("abcd"), "thresholds": [0.5] * 4})
    assert head["thresholds"] == pytest.approx([0.40, 0.85, 0.5, 0.85])
    predicted = [p["labels"] for p in TASK.postprocess(logits, head)]
    assert predicted == targets


def test_it_keeps_the_shared_threshold_for_a_label_with_few_validation_rows():
    # "r" is on 4 validation rows, scored 0.3 there and 0.2 elsewhere: 0.30 alone would get
    # those 4 right, but four rows are too few to trust; it keeps the shared threshold, which
    # "x" (on no row, scored 0.35 everywhere) keeps above 0.35.
    targets = [["f"] if i % 2 else [] for i in range(40)]
    for i in (0, 2, 4, 6):
        targets[i] = ["r"]
    probs = np.c_[[0.9 if t == ["f"] else 0.1 for t in targets],
                  [0.3 if t == ["r"] else 0.2 for t in targets], [0.35] * 40]  # fmt: skip
    head = TASK.tune(np.log(probs / (1 - probs)), targets, {"labels": ["f", "r", "x"],
                                                            "thresholds": [0.5] * 3})  # fmt: skip
    assert head["thresholds"][1] == head["thresholds"][2] > 0.35
    assert task_module.MIN_POSITIVES_TO_TUNE == 5


def test_it_never_sets_a_threshold_that_gives_a_label_to_most_texts():
    # "n" (neutral) is on 30% of the rows and the model can hardly tell it apart (scores
    # 0.03-0.20 where it is right, 0.02-0.17 elsewhere): micro-F1 alone picks 0.05 and says
    # "n" of 176 of the 200 texts. No threshold may say it of more than half the rows.
    rng = np.random.default_rng(2)
    targets = [["n"] if rng.random() < 0.3 else [] for _ in range(200)]
    probs = np.c_[
        [0.03 + rng.random() * 0.17 if t == ["n"] else 0.02 + rng.random() * 0.15 for t in targets],
        [0.1] * 200,
    ]
    logits = np.log(probs / (1 - probs))
    head = TASK.tune(logits, targets, {"labels": ["n", "z"], "thresholds": [0.5, 0.5]})
    said = [p["labels"] for p in TASK.postprocess(logits, head)]
    assert 0 < sum("n" in labels for labels in said) <= 100


def test_it_reports_both_baselines_with_stable_keys():
    train_part = examples([["a"], ["a", "b"], ["a"], ["c"]], ["x y", "x z", "x", "w"])
    test_part = examples([["a"], ["b"]], ["x", "z"])
    figures = TASK.baselines(train_part, test_part, HEAD)
    assert set(figures) == {
        f"baseline_{name}_{key}"
        for name in ("frequent", "tfidf")
        for key in ("micro_f1", "macro_f1", "exact_match")
    }
    # 1.25 labels per row: the one most frequent label, "a", for every row.
    assert figures["baseline_frequent_micro_f1"] == pytest.approx(0.5)
    assert figures["baseline_frequent_exact_match"] == pytest.approx(0.5)


# The health report


def test_it_reports_rows_per_label_rare_labels_and_co_occurrence():
    tags = ["billing; bug"] * 6 + ["billing"] * 4 + ["bug; rare"] * 2 + [""] * 3
    frame = pd.DataFrame({"text": [f"ticket number {i}" for i in range(15)], "tags": tags})
    report = check(frame, ColumnMapping(text="text", label="tags"), task="multi_label")
    assert report.labels == [
        {"label": "billing", "count": 10},
        {"label": "bug", "count": 8},
        {"label": "rare", "count": 2},
    ]
    assert report.rare_labels == ["rare"]
    assert any('"rare"' in m for m in report.problems + report.warnings)
    assert report.cooccurrence == [
        {"labels": ["billing", "bug"], "count": 6},
        {"labels": ["bug", "rare"], "count": 2},
    ]
    assert any("3 rows have no label at all" in w for w in report.warnings)
    assert report.labels_per_row == pytest.approx(20 / 15, abs=0.01)


# A real tiny model


@slow
def test_it_learns_the_toy_task_well_above_the_frequent_labels_baseline(tagged_run):
    metrics = tagged_run.metrics
    assert metrics["test_micro_f1"] >= 0.75
    assert metrics["test_micro_f1"] >= metrics["baseline_frequent_micro_f1"] + 0.25
    assert {"test_macro_f1", "test_exact_match", "baseline_tfidf_micro_f1"} <= set(metrics)


NEW_TICKETS = ["the parcel was late and expensive", "the story", "broken refund"]


@slow
def test_it_predicts_labels_with_one_score_per_label(tagged_run):
    predictor = Predictor.load(tagged_run.out_dir)
    thresholds = dict(zip(predictor.labels, predictor.head["thresholds"], strict=True))
    answers = predictor.predict(NEW_TICKETS)
    for answer in answers:
        assert set(answer) == {"labels", "scores"}
        assert list(answer["scores"]) == sorted(TAG_WORDS)
        assert all(0 <= v <= 1 for v in answer["scores"].values())
        assert answer["labels"] == [k for k, v in answer["scores"].items() if v >= thresholds[k]]
    assert answers[0]["scores"]["delivery"] > answers[1]["scores"]["delivery"]


@slow
def test_it_scores_a_spreadsheet_with_joined_labels_and_a_score_per_label(tmp_path, tagged_run):
    source = tmp_path / "new.csv"
    pd.DataFrame({"ticket": NEW_TICKETS}).to_csv(source, index=False)
    out = score_file(tagged_run.out_dir, source, tmp_path / "scored.csv")
    scored = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert list(scored.columns) == [
        "ticket",
        "prediction",
        "score delivery",
        "score price",
        "score quality",
    ]
    answers = Predictor.load(tagged_run.out_dir).predict(NEW_TICKETS)
    assert scored["prediction"].tolist() == ["; ".join(a["labels"]) for a in answers]
    assert any(len(a["labels"]) > 1 for a in answers), "the example needs a joined cell"
    assert scored["score price"].tolist() == [round(a["scores"]["price"], 4) for a in answers]


@slow
def test_it_loads_in_a_pipeline_with_independent_scores(tagged_run):
    import json

    from transformers import pipeline

    config = json.loads((tagged_run.out_dir / "config.json").read_text())
    assert config["problem_type"] == "multi_label_classification"
    classify = pipeline("text-classification", model=str(tagged_run.out_dir), top_k=None)
    # The full-precision model, as pipeline() loads it (not the int8 copy served on CPUs, nor
    # a simpler candidate that did better on the validation rows).
    ours = Predictor.load(tagged_run.out_dir, int8=False, candidate=False).predict(NEW_TICKETS)
    for theirs, mine in zip(classify(NEW_TICKETS), ours, strict=True):
        scores = {x["label"]: x["score"] for x in theirs}
        assert scores == pytest.approx(mine["scores"], abs=1e-5)
        assert sum(scores.values()) != pytest.approx(1.0), "sigmoid per label, not a softmax"


def test_it_never_switches_on_a_label_it_cannot_tell_apart():
    # "w" is on 30% of rows but its scores carry no signal: saying it everywhere would give it
    # an F1 of 0.46 on its own, and cost micro-F1 (0.74 instead of 0.82). It is never said.
    rng = np.random.default_rng(0)
    targets = [["w"] if rng.random() < 0.3 else ["s"] for _ in range(200)]
    probs = np.c_[[0.9 if t == ["s"] else 0.1 for t in targets], rng.random(200) * 0.6]
    head = TASK.tune(np.log(probs / (1 - probs)), targets, {"labels": ["s", "w"],
                                                            "thresholds": [0.5, 0.5]})  # fmt: skip
    assert head["thresholds"][1] >= 0.6  # its scores stay below 0.6


def test_it_starts_each_label_at_its_share_of_the_rows(toy_model_dir):
    from finetune.basemodels import load_model

    head = TASK.make_head(examples([["a"], ["a", "b"], ["a"], []]), examples([["a", "b"]]))
    model = load_model(str(toy_model_dir), TASK.model_kwargs(head))
    TASK.init_head(model, head, [["a"], ["a", "b"], ["a"], []])
    shares = 1 / (1 + np.exp(-model.classifier.bias.detach().numpy()))
    assert shares == pytest.approx([0.75, 0.25], abs=1e-6)
