"""Which candidate serves: the best on the validation rows by the task's compare metric when it
beats the fine-tuned model by more than one standard error of the gap between the two on those
rows, otherwise the fine-tuned model serves (ties too); metrics.json gets candidates, served
and served_test_<metric>."""

import pytest

from finetune import candidates, crossval
from finetune.splits import Splits
from finetune.tasks import get_task
from finetune.tasks.base import Examples

TASK = get_task("single_label")
TRAIN = Examples(list(range(8)), ["good film", "bad film", "great plot", "awful plot"] * 2,
                 ["pos", "neg", "pos", "neg"] * 2)  # fmt: skip
# Words the training rows never had: the TF-IDF model can only guess.
VALIDATION = Examples([0, 1, 2, 3], ["lovely", "dull", "superb", "boring"], ["pos", "neg"] * 2)
TEST = Examples([0, 1], ["excellent", "terrible"], ["pos", "neg"])
HEAD = {"labels": ["neg", "pos"]}


@pytest.fixture(autouse=True)
def validation_rows_pick(monkeypatch):
    """These 4 validation rows pick as many rows would (few rows: test_candidates_crossval.py)."""
    monkeypatch.setattr(crossval, "FEW_VALIDATION_ROWS", len(VALIDATION))


def answers(labels: list[str]) -> list[dict]:
    """Answers in the task's format, as the fine-tuned model gives them."""
    return [{"label": x, "confidence": 0.9, "scores": {x: 0.9}} for x in labels]


def splits() -> Splits:
    return Splits(train=TRAIN, validation=VALIDATION, test=TEST)


def test_it_keeps_the_model_when_it_does_better_on_the_validation_rows():
    outcome = candidates.compare(
        TASK, splits(), HEAD, answers(VALIDATION.targets), answers(TEST.targets)
    )
    assert outcome.served is None
    metrics = outcome.metrics
    assert metrics["served"] == "model" and metrics["served_test_accuracy"] == 1.0
    assert [row["name"] for row in metrics["candidates"]] == ["model", "tfidf"]
    model, tfidf = metrics["candidates"]
    assert model == {"name": "model", "words": "the fine-tuned model", "validation": 1.0,
                     "test": 1.0}  # fmt: skip
    assert tfidf["validation"] < 1.0
    assert "baseline_tfidf_accuracy" in metrics and "baseline_majority_accuracy" in metrics
    sentence = candidates.served_sentence(TASK, metrics)
    assert sentence.startswith(
        "The fine-tuned model did best on your validation rows (macro-F1 100%"
    )
    assert sentence.endswith("for the simple word model), so LabelTune uses it.")
    assert candidates.served_words(metrics) == ""


def test_it_serves_the_candidate_that_does_better_and_says_why():
    wrong = {"pos": "neg", "neg": "pos"}
    outcome = candidates.compare(
        TASK,
        splits(),
        HEAD,
        answers([wrong[x] for x in VALIDATION.targets]),
        answers([wrong[x] for x in TEST.targets]),
    )
    assert outcome.served is not None and outcome.served.name == "tfidf"
    metrics = outcome.metrics
    assert metrics["served"] == "tfidf"
    tfidf = metrics["candidates"][1]
    served = [p["label"] for p in outcome.served.answers(TEST)]
    assert (
        metrics["served_test_accuracy"]
        == TASK.metrics(TEST.targets, answers(served), HEAD)["accuracy"]
    )
    assert metrics["served_test_accuracy"] == metrics["baseline_tfidf_accuracy"]
    assert candidates.served_sentence(TASK, metrics) == (
        f"The simple word model did better on your validation rows (macro-F1 "
        f"{TASK.format_metric(tfidf['validation'])} against 0% for the fine-tuned model), so "
        "LabelTune uses it."
    )
    assert candidates.served_words(metrics) == "the simple word model"
    assert [row["serves"] for row in candidates.table(TASK, metrics)] == [False, True]


def test_the_model_wins_a_tie():
    # The model answers exactly as the TF-IDF model does: the same figures, the model serves.
    tfidf = TASK.candidates(TRAIN, VALIDATION, HEAD)[0]
    outcome = candidates.compare(
        TASK, splits(), HEAD, tfidf.answers(VALIDATION), tfidf.answers(TEST)
    )
    model, other = outcome.metrics["candidates"]
    assert model["validation"] == other["validation"]
    assert outcome.served is None and outcome.metrics["served"] == "model"


def test_a_candidate_ahead_by_less_than_the_rows_can_tell_leaves_the_model_serving(monkeypatch):
    wrong = {"pos": "neg", "neg": "pos"}
    model_validation = answers([wrong[x] for x in VALIDATION.targets])
    model_test = answers([wrong[x] for x in TEST.targets])
    # The TF-IDF model's lead (above) is more than one standard error of the gap on 4 rows.
    outcome = candidates.compare(TASK, splits(), HEAD, model_validation, model_test)
    assert outcome.metrics["served"] == "tfidf"
    # Where one standard error is wider than that lead, the model serves and the page says why.
    monkeypatch.setattr(crossval, "paired_margin", lambda *args: 2.0)
    outcome = candidates.compare(TASK, splits(), HEAD, model_validation, model_test)
    assert outcome.served is None and outcome.metrics["served"] == "model"
    tfidf = outcome.metrics["candidates"][1]
    assert candidates.served_sentence(TASK, outcome.metrics) == (
        f"The simple word model did about as well on your validation rows (macro-F1 "
        f"{TASK.format_metric(tfidf['validation'])} against 0% for the fine-tuned model), too "
        "close to tell apart on that many rows, so LabelTune uses the fine-tuned model."
    )


def right_on(rows: set[int], targets: list[str]) -> list[dict]:
    """Answers right on `rows` and wrong elsewhere."""
    other = {"pos": "neg", "neg": "pos"}
    return answers([t if i in rows else other[t] for i, t in enumerate(targets)])


def test_a_lead_kept_on_the_same_rows_is_told_apart_sooner_than_two_figures_errors():
    targets = ["pos", "neg"] * 100
    model = right_on(set(range(140)), targets)  # 70% right
    ahead = right_on(set(range(145)), targets)  # the same rows and 5 more: 2.5 points ahead
    apart = right_on(set(range(55, 200)), targets)  # 2.5 points ahead on other rows
    assert crossval.margin(TASK, 0.725, 200) > 0.025  # each figure's own error
    assert crossval.clearly_better_on_rows(TASK, targets, ahead, HEAD, model, HEAD)
    assert not crossval.clearly_better_on_rows(TASK, targets, apart, HEAD, model, HEAD)
    assert not crossval.clearly_better_on_rows(TASK, targets, model, HEAD, ahead, HEAD)
    margin = crossval.paired_margin(TASK, targets, ahead, HEAD, model, HEAD)
    assert margin == crossval.paired_margin(TASK, targets, ahead, HEAD, model, HEAD)  # seeded
