"""Distillation for every task: names learn the teacher's answer per token (through the
command line), numbers its numbers, several labels each label's yes/no; each student's
folder scores its teacher's test rows with the teacher's test_* keys."""

import json

import pytest

from bench.ner_layouts import layout_frames
from finetune.distill import DistillConfig, distill
from finetune.mapping import ColumnMapping
from finetune.predict import Predictor
from finetune.train import train
from tests.finetune.conftest import fast_config
from tests.finetune.nerdata import NER_WORDS, ner_sentences
from tests.finetune.test_cli import cli
from tests.finetune.test_ner_train import SETTINGS
from tests.finetune.toydata import scored_rows, tagged_rows
from tests.tinymodel import make_tiny_model

slow = pytest.mark.slow  # trains and distils tiny models: about 20 s each on 2 cores


def same_test_keys(teacher: dict, student: dict) -> None:
    assert {k for k in teacher if k.startswith("test_")} == {
        k for k in student if k.startswith("test_")
    }
    assert student["test_rows"] == teacher["test_rows"]


@slow
def test_a_names_model_learns_per_token_through_the_command_line(tmp_path):
    from transformers import pipeline

    base = make_tiny_model(NER_WORDS, tmp_path / "ner-bert")
    frame = layout_frames(ner_sentences(60))["entities"]
    frame.to_csv(tmp_path / "names.csv", index=False)
    frame.text.to_frame().to_csv(tmp_path / "more.csv", index=False)
    done = cli("train", tmp_path / "names.csv", "--text", "text", "--entities", "entities",
               "--out", tmp_path / "run", "--base-model", base, *SETTINGS)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = cli("distill", tmp_path / "run", "--data", tmp_path / "names.csv", "--unlabelled",
               tmp_path / "more.csv", "--out", tmp_path / "small", "--epochs", 12,
               "--learning-rate", 0.003)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "The smaller model (1 layers instead of 2)" in done.stdout
    teacher = json.loads((tmp_path / "run" / "metrics.json").read_text())
    student = json.loads((tmp_path / "small" / "metrics.json").read_text())
    same_test_keys(teacher, student)
    assert student["test_entity_f1"] >= 0.8 and student["distill_unlabelled_rows"] == 60
    names = pipeline("token-classification", model=str(tmp_path / "small"),
                     aggregation_strategy="first")("we met alice in new york .")  # fmt: skip
    assert {n["entity_group"] for n in names} <= {"PER", "LOC"}


@slow
@pytest.mark.parametrize(
    "task, rows, mapping, figure",
    [
        ("regression", scored_rows(100), ColumnMapping(text="review", label="score"), "test_r2"),
        ("multi_label", tagged_rows(120), ColumnMapping(text="ticket", label="tags"),
         "test_micro_f1"),
    ],
)  # fmt: skip
def test_numbers_and_several_labels_learn_their_teachers_answers(
    tmp_path, toy_model_dir, task, rows, mapping, figure
):
    teacher = train(rows, mapping, fast_config(toy_model_dir, task=task, epochs=15), tmp_path / "t")
    result = distill(tmp_path / "t", rows, tmp_path / "s",
                     config=DistillConfig(epochs=15, learning_rate=3e-3))  # fmt: skip
    same_test_keys(teacher.metrics, result.metrics)
    assert result.metrics[figure] >= teacher.metrics[figure] - 0.2
    assert Predictor.load(tmp_path / "s", device="cpu").predict(["the film was fine"])
