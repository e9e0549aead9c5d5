"""The int8 copy for CPU serving: checked against the full model after training, served only
when it agrees, and giving the same answers as the full model on the test rows."""

import json

from finetune import quantize
from finetune.predict import Predictor
from finetune.tasks import get_task


def test_it_checks_the_int8_copy_after_training(trained_run):
    metrics = trained_run[0].metrics
    assert {"int8_ok", "int8_agreement", "int8_test_accuracy"} <= set(metrics)
    assert 0.0 <= metrics["int8_agreement"] <= 1.0


def test_the_int8_copy_answers_like_the_full_model(trained_run, sentiment_frame):
    run_dir = trained_run[0].out_dir
    full = Predictor.load(run_dir, device="cpu", int8=False)
    int8 = Predictor.load(run_dir, device="cpu", int8=True)
    assert (full.precision, int8.precision) == ("full", "int8")
    texts = sentiment_frame.review.tolist()
    same = [
        a["label"] == b["label"]
        for a, b in zip(full.predict(texts), int8.predict(texts), strict=True)
    ]
    assert sum(same) / len(same) >= quantize.AGREEMENT


def test_it_serves_the_int8_copy_only_when_approved(trained_run, tmp_path):
    import shutil

    run_dir = tmp_path / "run"
    shutil.copytree(trained_run[0].out_dir, run_dir)
    metrics = json.loads((run_dir / "metrics.json").read_text())
    for approved, expected in ((True, "int8"), (False, "full")):
        (run_dir / "metrics.json").write_text(json.dumps(metrics | {"int8_ok": approved}))
        assert Predictor.load(run_dir, device="cpu").precision == expected


def test_it_refuses_a_copy_that_changes_answers():
    task = get_task("single_label")
    head = {"labels": ["a", "b"]}
    full = [{"label": "a"}] * 100
    changed = [{"label": "a"}] * 98 + [{"label": "b"}] * 2
    figures = quantize.compare(task, head, full, changed, ["a"] * 100)
    assert figures["int8_agreement"] == 0.98 and figures["int8_ok"] is False
    assert quantize.compare(task, head, full, full, ["a"] * 100)["int8_ok"] is True


def test_numbers_keep_full_precision():
    assert get_task("regression").int8_safe is False
