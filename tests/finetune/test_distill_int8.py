"""The student's int8 copy is judged as the student is, against the teacher
(finetune.distill.int8_check), and the CLI says when it answers."""

import pytest

from finetune import distill
from finetune.tasks import get_task

TASK = get_task("single_label")
HEAD = {"labels": ["neg", "pos"]}


def answers(labels: str) -> list[dict]:
    """One answer per letter: "p" positive, "n" negative."""
    return [{"label": "pos" if c == "p" else "neg", "confidence": 0.9, "scores": {}}
            for c in labels]  # fmt: skip


TARGETS = list("p" * 50 + "n" * 50)
TRUE = ["pos" if t == "p" else "neg" for t in TARGETS]
TEACHER = answers("p" * 45 + "n" * 5 + "n" * 45 + "p" * 5)  # 90% right


def student_and_copy(student_wrong: int, copy_wrong: int, copy_flips: int):
    """A student with `student_wrong` more mistakes than the teacher, and its int8 copy with
    `copy_wrong` more than the teacher, differing from the student on `copy_flips` rows."""
    student = list(TEACHER)
    for i in range(student_wrong):
        student[i] = answers("n")[0]  # rows 0.. are positive and right in the teacher
    copy = list(student)
    for i in range(copy_wrong):
        copy[i] = answers("n")[0]
    # Flips that leave the figure as it is: one wrong row made right, one right row wrong.
    for k in range(copy_flips // 2):
        copy[45 + k] = answers("p")[0]  # teacher wrong there (rows 45-49 positive, said "n")
        copy[20 + k] = answers("n")[0]
    return student, copy


def test_a_copy_as_accurate_as_the_teacher_passes_below_99_percent_of_the_students_answers():
    student, copy = student_and_copy(student_wrong=0, copy_wrong=0, copy_flips=4)
    found = distill.int8_check(TASK, HEAD, TEACHER, student, copy, TRUE)
    assert found["int8_agreement"] == 0.96 < 0.99
    assert found["int8_test_accuracy"] == pytest.approx(0.90)
    assert found["int8_ok"] is True
    assert found["int8_teacher_agreement"] == 0.96


def test_a_copy_more_than_the_allowed_points_below_the_teacher_fails():
    student, copy = student_and_copy(student_wrong=1, copy_wrong=2, copy_flips=0)
    found = distill.int8_check(TASK, HEAD, TEACHER, student, copy, TRUE)
    assert found["int8_test_accuracy"] == pytest.approx(0.88)  # 2 points below
    assert found["int8_ok"] is False


def test_a_copy_of_a_student_that_fails_fails_too():
    student, _ = student_and_copy(student_wrong=2, copy_wrong=0, copy_flips=0)
    copy = list(TEACHER)  # even a copy as good as the teacher
    found = distill.int8_check(TASK, HEAD, TEACHER, student, copy, TRUE)
    assert found["int8_ok"] is False


def test_the_summary_says_when_the_int8_copy_answers():
    metrics = {
        "test_accuracy": 0.9, "test_macro_f1": 0.9, "teacher_test_accuracy": 0.9,
        "teacher_test_macro_f1": 0.9, "student_layers": 3,
        "teacher_layers": 6, "student_ms_per_text": 3.1, "teacher_ms_per_text": 13.7,
        "distill_ok": True, "int8_ok": True, "int8_test_accuracy": 0.905,
        "int8_teacher_agreement": 0.9289,
    }  # fmt: skip
    lines = distill.summary(metrics, TASK)
    assert lines[-1] == (
        "On processors its compact int8 copy answers, at the speed above: accuracy 90.5%, "
        "the model's answer on 92.8% of the test rows."
    )
    assert len(distill.summary(metrics | {"int8_ok": False}, TASK)) == 2
