"""Labels that look wrong: rows given a wrong label on purpose come first, each with the
right label suggested; tasks whose labels are not checked say so."""

import pytest

from finetune.health import check
from finetune.label_issues import check_labels
from finetune.mapping import ColumnMapping
from finetune.tasks import get_task
from tests.finetune.labelnoise import noisy_topic_sets, noisy_topics, topic_model


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return topic_model(tmp_path_factory.mktemp("topic-bert"))


def test_it_lists_the_flipped_rows_first_with_the_right_label(model_dir):
    frame, truth = noisy_topics()
    task = get_task("single_label")
    examples = task.prepare(frame, ColumnMapping(text="text", label="topic"))
    found = check_labels(examples, task, base_model=str(model_dir))
    assert found.checked and found.rows_checked == len(frame)
    wrong = {i + 2: label for i, label in truth.items()}  # spreadsheet rows: header is row 1
    first = found.issues[: len(wrong)]
    assert {x["row"]: x["suggested"] for x in first} == wrong
    assert all(x["given"] == frame.topic[x["row"] - 2] for x in first)
    assert all(0.5 < x["confidence"] <= 1 and x["score"] < 0.5 for x in first)
    scores = [x["score"] for x in found.issues]
    assert scores == sorted(scores)  # most suspicious (least likely given label) first


def test_it_checks_several_labels_per_row(model_dir):
    frame, truth = noisy_topic_sets()
    task = get_task("multi_label")
    examples = task.prepare(frame, ColumnMapping(text="text", label="topics"))
    found = check_labels(examples, task, base_model=str(model_dir))
    assert found.checked and found.several
    wrong = {i + 2: labels for i, labels in truth.items()}
    assert {x["row"]: x["suggested"] for x in found.issues[: len(wrong)]} == wrong
    assert all(len(x["given"]) == 2 for x in found.issues[: len(wrong)])


def test_it_says_when_labels_are_not_checked(model_dir):
    numbers = noisy_topics()[0].assign(score=[str(i % 5) for i in range(150)])
    mapping = ColumnMapping(text="text", label="score")
    task = get_task("regression")
    found = check_labels(task.prepare(numbers, mapping), task, base_model=str(model_dir))
    sentence = (
        "The numbers to predict are not checked for ones that look wrong: LabelTune does that "
        "for labels only."
    )
    assert (found.checked, found.reason, found.issues) == (False, sentence, [])
    assert check(numbers, mapping, task="regression").label_check == sentence
    labels = check(noisy_topics()[0], ColumnMapping(text="text", label="topic"))
    assert labels.label_check == ""  # checked on request: the report has no sentence


def test_it_leaves_out_labels_with_too_few_rows(model_dir):
    frame, _ = noisy_topics()
    frame.loc[[0, 3], "topic"] = "rare"
    task = get_task("single_label")
    examples = task.prepare(frame, ColumnMapping(text="text", label="topic"))
    found = check_labels(examples, task, base_model=str(model_dir))
    assert (found.left_out, found.rows_checked) == (2, len(frame) - 2)
    assert "rare" not in found.labels
    assert all(x["row"] not in (2, 5) for x in found.issues)
