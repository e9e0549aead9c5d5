"""Distillation: a student with fewer layers learns a trained model's answers, is checked on
the teacher's test rows, and its folder loads like any run's (finetune/distill.py)."""

import json

import pytest

from finetune import distill as distilling
from finetune.errors import FinetuneError
from finetune.predict import Predictor
from tests.finetune.conftest import sentiment_rows

pytestmark = pytest.mark.slow  # distils the tiny model: about 10 s on 2 cores


@pytest.fixture(scope="module")
def student(trained_run, sentiment_frame, tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    unlabelled = sentiment_rows(40, seed=7).review.tolist()
    config = distilling.DistillConfig(epochs=15, learning_rate=3e-3)
    return distilling.distill(
        trained_run[0].out_dir, sentiment_frame, out, unlabelled=unlabelled, config=config
    )


def test_the_student_has_fewer_layers_and_loads_in_pipeline(student, trained_run):
    from transformers import pipeline

    config = json.loads((student.out_dir / "config.json").read_text())
    teacher = json.loads((trained_run[0].out_dir / "config.json").read_text())
    assert config["num_hidden_layers"] == 1 < teacher["num_hidden_layers"] == 2
    answers = pipeline("text-classification", model=str(student.out_dir))(["the film was great"])
    assert answers[0]["label"] in {"positive", "negative"}


def test_its_metrics_keep_the_teachers_test_keys_on_the_same_rows(student, trained_run):
    teacher = trained_run[0].metrics
    test_keys = {k for k in teacher if k.startswith("test_")}
    assert test_keys == {k for k in student.metrics if k.startswith("test_")}
    assert student.metrics["test_rows"] == teacher["test_rows"]
    # The teacher's figures, scored again on the same rows, are the ones its run wrote.
    assert student.metrics["teacher_test_accuracy"] == pytest.approx(teacher["test_accuracy"])
    assert 0.0 <= student.metrics["distill_agreement"] <= 1.0
    assert student.metrics["distill_unlabelled_rows"] == 40
    assert {"int8_ok", "teacher_ms_per_text", "student_ms_per_text"} <= set(student.metrics)
    saved = json.loads((student.out_dir / "metrics.json").read_text())
    assert saved["distill_ok"] == student.metrics["distill_ok"]


def test_the_student_learned_the_teachers_answers(student, trained_run, sentiment_frame):
    texts = sentiment_frame.review.tolist()
    teacher = Predictor.load(trained_run[0].out_dir, device="cpu", int8=False, candidate=False)
    small = Predictor.load(student.out_dir, device="cpu", int8=False)
    same = [a["label"] == b["label"] for a, b in
            zip(teacher.predict(texts), small.predict(texts), strict=True)]  # fmt: skip
    assert sum(same) / len(same) >= 0.9
    drop = student.metrics["teacher_test_accuracy"] - student.metrics["test_accuracy"]
    assert student.metrics["distill_ok"] is (drop <= distilling.METRIC_POINTS)


def test_a_student_needs_fewer_layers_than_its_teacher(trained_run):
    from finetune.modeling import load_trained

    teacher = load_trained(trained_run[0].out_dir, "cpu")[0]
    with pytest.raises(FinetuneError, match="pick 1 to 1"):
        distilling.student_of(teacher, layers=2)


def test_every_other_layer_is_copied_from_the_teacher(trained_run):
    import torch

    from finetune.modeling import load_trained

    teacher = load_trained(trained_run[0].out_dir, "cpu")[0]
    small = distilling.student_of(teacher)
    assert torch.equal(
        small.state_dict()["bert.encoder.layer.0.output.dense.weight"],
        teacher.state_dict()["bert.encoder.layer.0.output.dense.weight"],
    )
    assert torch.equal(small.classifier.weight, teacher.classifier.weight)
