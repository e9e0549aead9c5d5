"""With few validation rows the pick is by cross-validation: the quick candidates are scored on
the training and validation rows together, each row by a fit that never saw it, and the best
of them serves unless the fine-tuned model beats it on the validation rows by more than so few
rows can tell apart (finetune/crossval.py)."""

import math

import pytest

from finetune import candidates, crossval
from finetune.splits import Splits
from finetune.tasks import get_task
from finetune.tasks.base import Examples

TASK = get_task("single_label")
HEAD = {"labels": ["neg", "pos"]}
FILLER = ["film", "plot", "story", "acting", "ending", "cast", "music", "script"]


def shared_words(n: int, start: int = 0) -> Examples:
    """Rows decided by one word every row of its label shares: TF-IDF learns them from any part."""
    texts = [f"{'good' if i % 2 else 'bad'} {FILLER[i % 8]} {FILLER[(i * 3) % 8]}"
             for i in range(start, start + n)]  # fmt: skip
    return Examples(list(range(start, start + n)), texts,
                    ["pos" if i % 2 else "neg" for i in range(start, start + n)])  # fmt: skip


def own_words(n: int, start: int = 0) -> Examples:
    """Each row has words of its own: a row held out shares nothing with the rest."""
    texts = [f"word{i}a word{i}b" for i in range(start, start + n)]
    return Examples(list(range(start, start + n)), texts,
                    ["pos" if i % 2 else "neg" for i in range(start, start + n)])  # fmt: skip


def answers(labels: list[str]) -> list[dict]:
    return [{"label": x, "confidence": 0.9, "scores": {x: 0.9}} for x in labels]


def test_a_perfect_score_on_four_validation_rows_does_not_beat_a_candidate_right_across_folds():
    train, validation, test = shared_words(36), shared_words(4, 36), shared_words(10, 40)
    right = answers(validation.targets)
    outcome = candidates.compare(TASK, Splits(train, validation, test), HEAD, right,
                                 answers(test.targets))  # fmt: skip
    metrics = outcome.metrics
    assert metrics["picked_by"] == "cross_validation" and metrics["cross_validation_rows"] == 40
    model, tfidf = metrics["candidates"]
    assert (model["validation"], tfidf["cross_validated"]) == (1.0, 1.0)
    assert "cross_validated" not in model  # too slow to train five times
    assert metrics["served"] == "tfidf" and outcome.served.name == "tfidf"
    sentence = candidates.served_sentence(TASK, metrics)
    assert sentence == (
        "Your sheet has only 4 validation rows, too few to choose by, so LabelTune also scored "
        "the simpler models on all 40 rows in turns (cross-validation): the simple word model "
        "scored macro-F1 100% against 100% for the fine-tuned model on the validation rows, so "
        "LabelTune uses the simple word model."
    )
    almost = metrics | {
        "candidates": [model | {"validation": 1.0}, tfidf | {"cross_validated": 0.9}]
    }
    assert candidates.served_sentence(TASK, almost).endswith(
        "the simple word model scored macro-F1 90%, and the fine-tuned model, with 100% on the "
        "validation rows, is not clearly better, so LabelTune uses the simple word model."
    )
    table = candidates.table(TASK, metrics)
    assert [(row["cross_validated"], row["folds"], row["serves"]) for row in table] == [
        ("", True, False), ("100%", True, True)
    ]  # fmt: skip


def test_with_enough_validation_rows_they_pick_as_before(monkeypatch):
    monkeypatch.setattr(crossval, "FEW_VALIDATION_ROWS", 4)
    train, validation, test = shared_words(36), shared_words(4, 36), shared_words(10, 40)
    outcome = candidates.compare(TASK, Splits(train, validation, test), HEAD,
                                 answers(validation.targets), answers(test.targets))  # fmt: skip
    assert outcome.served is None and "picked_by" not in outcome.metrics  # the model wins a tie
    assert "cross_validated" not in outcome.metrics["candidates"][1]
    assert candidates.table(TASK, outcome.metrics)[0]["folds"] is False


def test_the_fine_tuned_model_serves_when_it_is_clearly_better():
    train, validation, test = own_words(40), own_words(16, 40), own_words(10, 56)
    outcome = candidates.compare(TASK, Splits(train, validation, test), HEAD,
                                 answers(validation.targets), answers(test.targets))  # fmt: skip
    metrics = outcome.metrics
    model, tfidf = metrics["candidates"]
    assert model["validation"] - tfidf["cross_validated"] > 0.5 / math.sqrt(16)
    assert outcome.served is None and metrics["served"] == "model"
    sentence = candidates.served_sentence(TASK, metrics)
    assert sentence.startswith("Your sheet has only 16 validation rows, too few to choose by")
    assert sentence.endswith(
        "the fine-tuned model, with macro-F1 100% on the validation rows, is clearly better "
        f"than the best of them ({TASK.format_metric(tfidf['cross_validated'])} for the simple word "
        "model), so LabelTune uses it."
    )


def test_every_row_is_held_out_once_with_the_labels_in_proportion():
    rows = crossval.together(shared_words(36), shared_words(4, 36))
    assert rows.texts == shared_words(40).texts
    folds = crossval.folds(TASK, rows)
    assert len(folds) == crossval.FOLDS
    assert sorted(i for fold in folds for i in fold) == list(range(40))
    for fold in folds:
        assert sorted(rows.targets[i] for i in fold) == ["neg"] * 4 + ["pos"] * 4
    assert crossval.folds(TASK, rows) == folds  # seeded


def test_out_of_fold_answers_come_from_fits_that_never_saw_the_row():
    """Rows with words of their own: a fit that saw a row would answer it right; held out,
    TF-IDF has nothing to read and answers every row alike."""
    train, validation = own_words(36), own_words(4, 36)
    figures = crossval.cross_validated(TASK, train, validation, HEAD)
    assert set(figures) == {"tfidf"} and figures["tfidf"] <= 0.6


@pytest.mark.parametrize(
    ("task_name", "figure", "other", "rows", "clearly"),
    [
        ("single_label", 0.83, 0.72, 6, False),  # 5 of 6 right is within 0.20 of 72%
        ("single_label", 0.95, 0.72, 6, True),
        ("single_label", 0.80, 0.72, 100, True),  # 0.05 on 100 rows
        ("regression", 0.50, 0.60, 8, False),  # an error: lower is better, 0.125 on 8 rows
        ("regression", 0.40, 0.60, 8, True),
        ("single_label", float("nan"), 0.5, 6, False),
    ],
)
def test_clearly_better_means_by_more_than_one_standard_error(task_name, figure, other, rows,
                                                              clearly):  # fmt: skip
    assert crossval.clearly_better(get_task(task_name), figure, other, rows) is clearly
