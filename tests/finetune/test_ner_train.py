"""Real training of a tiny model on entity spreadsheets in each layout, through the command
line; the run folder in transformers' pipeline, the Predictor and scoring a spreadsheet."""

import json

import pandas as pd
import pytest

from bench.ner_layouts import layout_frames
from tests.finetune.nerdata import NER_WORDS, ner_sentences
from tests.finetune.test_cli import cli
from tests.tinymodel import make_tiny_model

slow = pytest.mark.slow  # trains the tiny model: about 30 s per layout on 2 cores
LAYOUTS = {
    "entities": ["--text", "text", "--entities", "entities"],
    "token_rows": ["--token", "token", "--tag", "tag", "--sentence", "sentence"],
    "token_lists": ["--tokens", "tokens", "--tags", "tags"],
}
SETTINGS = ["--epochs", 12, "--learning-rate", 0.003, "--max-length", 32, "--warmup-ratio", 0,
            "--patience", 0]  # fmt: skip
LONG = " ".join(["we went near the friend of"] * 12) + " and met alice in new york ."


@pytest.fixture(scope="module")
def ner_model_dir(tmp_path_factory):
    return make_tiny_model(NER_WORDS, tmp_path_factory.mktemp("ner-bert"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory, ner_model_dir):
    """One `train` per layout, each from a CSV file of the same 60 sentences."""
    folder = tmp_path_factory.mktemp("ner-runs")
    frames = layout_frames(ner_sentences(60))
    out = {}
    for layout, columns in LAYOUTS.items():
        frames[layout].to_csv(folder / f"{layout}.csv", index=False)
        done = cli(
            "train", folder / f"{layout}.csv", *columns, "--out", folder / layout,
            "--base-model", ner_model_dir, *SETTINGS,
        )  # fmt: skip
        out[layout] = (done, folder / layout)
    return out


@slow
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_it_trains_from_each_layout_and_finds_the_names(runs, layout):
    done, run = runs[layout]
    assert done.returncode == 0, done.stderr
    assert "Task: ner." in done.stderr and "Entity F1" in done.stdout
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["test_entity_f1"] >= 0.9
    assert {"test_entity_precision", "test_entity_recall", "test_token_accuracy"} <= set(metrics)
    assert "baseline_dictionary_entity_f1" in metrics and "test_f1_LOC" in metrics
    config = json.loads((run / "config.json").read_text())
    assert config["id2label"]["0"] == "B-LOC" and "BertForTokenClassification" in str(config)
    evaluation = json.loads((run / "evaluation.json").read_text())
    assert sorted(row["type"] for row in evaluation["types"]) == ["LOC", "PER"]
    test_rows = pd.read_csv(run / "test_predictions.csv", encoding="utf-8-sig")
    assert list(test_rows.columns) == ["row", "text", "label", "entities", "correct"]


@slow
def test_the_three_layouts_train_the_same_model(runs):
    figures = [json.loads((run / "metrics.json").read_text()) for _, run in runs.values()]
    assert len({f["test_entity_f1"] for f in figures}) == 1
    assert len({f["train_rows"] for f in figures}) == 1


@slow
def test_pipeline_finds_the_same_names_in_the_run_folder(runs):
    from transformers import pipeline

    from finetune.predict import Predictor

    run = runs["entities"][1]
    texts = ["we met alice in new york today .", "frank and grace went to oslo", "nothing"]
    found = pipeline("token-classification", model=str(run), aggregation_strategy="first")
    theirs = [
        [(e["entity_group"], e["start"], e["end"], round(float(e["score"]), 4)) for e in answer]
        for answer in found(texts)
    ]
    ours = [
        [(e["type"], e["start"], e["end"], round(e["confidence"], 4)) for e in answer["entities"]]
        for answer in Predictor.load(run, int8=False, candidate=False).predict(texts)
    ]
    assert ours == theirs
    assert ("LOC", 16, 24) in [e[:3] for e in ours[0]]  # "new york": two tokens, one name


@slow
def test_a_name_past_the_length_the_model_reads_is_found(runs):
    from finetune.predict import Predictor

    predictor = Predictor.load(runs["entities"][1], int8=False, candidate=False)  # the model
    assert len(predictor.tokenizer(LONG)["input_ids"]) > 2 * predictor.max_length
    [answer] = predictor.predict([LONG])
    found = [(e["type"], e["text"]) for e in answer["entities"]]
    assert found == [("PER", "alice"), ("LOC", "new york")]
    start = LONG.index("new york")
    assert (answer["entities"][1]["start"], answer["entities"][1]["end"]) == (start, start + 8)


@slow
def test_predict_writes_the_entities_column_that_trains_again(tmp_path, runs, ner_model_dir):
    run = runs["token_lists"][1]
    new = pd.DataFrame({"sentence": ["alice met bob in rome .", LONG], "id": ["1", "2"]})
    new.to_csv(tmp_path / "new.csv", index=False)
    done = cli("predict", run, tmp_path / "new.csv", "--text", "sentence", "--out",
               tmp_path / "scored.csv")  # fmt: skip
    assert done.returncode == 0, done.stderr
    scored = pd.read_csv(tmp_path / "scored.csv", encoding="utf-8-sig")
    assert list(scored.columns) == ["sentence", "id", "entities"]
    assert scored["entities"][0] == "alice = PER; bob = PER; rome = LOC"
    assert scored["entities"][1] == "alice = PER; new york = LOC"
    done = cli("check", tmp_path / "scored.csv", "--text", "sentence", "--entities", "entities")
    assert "Entity types: PER (3), LOC (2)" in done.stdout  # read back as training data


@slow
def test_score_file_gives_the_entities_column(tmp_path, runs):
    from finetune.predict import score_file

    path = tmp_path / "in.csv"
    pd.DataFrame({"text": ["grace saw paris ."]}).to_csv(path, index=False)
    out = score_file(runs["entities"][1], path, tmp_path / "out.csv")
    scored = pd.read_csv(out, encoding="utf-8-sig")
    assert scored["entities"].tolist() == ["grace = PER; paris = LOC"]
