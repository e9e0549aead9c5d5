"""Real runs: the candidate best on the validation rows serves the Predictor and `finetune
predict`; the fine-tuned model stays what pipeline() loads, and serves when it is as good."""

import json

import pandas as pd
import pytest

from bench.ner_layouts import layout_frames
from finetune import candidates, rundir
from finetune.mapping import ColumnMapping
from finetune.predict import Predictor
from finetune.tasks import get_task
from finetune.train import train
from tests.finetune.conftest import fast_config, sentiment_rows
from tests.finetune.nerdata import NER_WORDS, ner_sentences
from tests.finetune.test_cli import cli
from tests.tinymodel import make_tiny_model

slow = pytest.mark.slow


@pytest.fixture(scope="module")
def weak_run(tmp_path_factory, tiny_model_dir):
    """One step of training: the tiny model has learned nothing, while TF-IDF separates the
    sentiment words perfectly."""
    out = tmp_path_factory.mktemp("weak-run")
    config = fast_config(tiny_model_dir, epochs=1, max_steps=1)
    train(sentiment_rows(), ColumnMapping(text="review", label="sentiment"), config, out)
    return out


def held_out(run_dir) -> pd.DataFrame:
    return rundir.read_test_predictions(run_dir)


@slow
def test_it_serves_the_tfidf_model_when_it_does_better_on_the_validation_rows(weak_run):
    metrics = rundir.read_json(weak_run, "metrics.json")
    assert metrics["served"] == "tfidf"
    assert rundir.read_info(weak_run)["served"] == "tfidf"
    model, tfidf, embeddings = metrics["candidates"]
    assert (model["name"], tfidf["name"], embeddings["name"]) == ("model", "tfidf", "embeddings")
    assert tfidf["validation"] > model["validation"]
    assert model["test"] == metrics["test_macro_f1"]  # test_* stay the fine-tuned model's
    assert metrics["served_test_accuracy"] == metrics["baseline_tfidf_accuracy"]
    assert metrics["served_test_accuracy"] > metrics["test_accuracy"]
    assert (weak_run / candidates.SPEC_FILE).is_file()
    assert (weak_run / candidates.ARRAYS_FILE).is_file()
    assert not list(weak_run.glob("*.pkl")) and not list(weak_run.glob("*.joblib"))
    card = (weak_run / "README.md").read_text(encoding="utf-8")
    # 12 validation rows: the pick is by cross-validation (finetune/crossval.py)
    assert metrics["picked_by"] == "cross_validation" and tfidf["cross_validated"] > 0.9
    cross_validated = candidates.table(get_task("single_label"), metrics)[1]["cross_validated"]
    said = f"(cross-validation): the simple word model scored macro-F1 {cross_validated} against"
    assert said in card and "so LabelTune uses the simple word model." in card
    assert "LabelTune answers with the simple word model" in card


@slow
def test_the_predictor_answers_with_it_as_it_answered_in_training(weak_run):
    predictor = Predictor.load(weak_run)
    assert predictor.served == "tfidf" and predictor.model is None
    rows = held_out(weak_run)
    answers = predictor.predict(rows["text"].tolist())
    assert answers == candidates.load(weak_run).predict(rows["text"].tolist())
    right = sum(a["label"] == t for a, t in zip(answers, rows["label"], strict=True))
    metrics = rundir.read_json(weak_run, "metrics.json")
    assert right / len(rows) == metrics["served_test_accuracy"]  # the figure training saw
    assert set(answers[0]) == {"label", "confidence", "scores"}
    assert list(answers[0]["scores"]) == ["negative", "positive"]


@slow
def test_pipeline_and_the_predictor_can_still_load_the_fine_tuned_model(weak_run):
    from transformers import pipeline

    model = Predictor.load(weak_run, int8=False, candidate=False)
    assert model.served == "model" and model.model is not None
    classify = pipeline("text-classification", model=str(weak_run))
    texts = ["the film was good", "awful plot"]
    theirs = [answer["label"] for answer in classify(texts)]
    assert theirs == [answer["label"] for answer in model.predict(texts)]


@slow
def test_finetune_predict_scores_a_file_with_it(tmp_path, weak_run):
    source = tmp_path / "new.csv"
    texts = ["the film was good", "awful plot", "really quite dull"]
    pd.DataFrame({"review": texts}).to_csv(source, index=False)
    done = cli("predict", weak_run, source, "--out", tmp_path / "scored.csv")
    assert done.returncode == 0, done.stderr
    scored = pd.read_csv(tmp_path / "scored.csv", encoding="utf-8-sig")
    served = candidates.load(weak_run).predict(texts)
    assert scored["prediction"].tolist() == [a["label"] for a in served]
    assert scored["confidence"].tolist() == [round(a["confidence"], 4) for a in served]


@slow
def test_the_fine_tuned_model_serves_when_it_does_as_well(trained_run):
    result, _ = trained_run  # its validation rows pick, as many rows would
    metrics = result.metrics
    model, tfidf, embeddings = metrics["candidates"]
    assert model["validation"] >= max(tfidf["validation"], embeddings["validation"])
    assert metrics["served"] == "model"
    assert metrics["served_test_accuracy"] == metrics["test_accuracy"]
    assert not (result.out_dir / candidates.SPEC_FILE).exists()
    predictor = Predictor.load(result.out_dir)
    assert predictor.served == "model" and predictor.model is not None
    card = (result.out_dir / "README.md").read_text(encoding="utf-8")
    assert "The fine-tuned model did best on your validation rows" in card


@slow
def test_the_names_seen_in_training_serve_an_entity_model_that_learned_nothing(tmp_path):
    base = make_tiny_model(NER_WORDS, tmp_path / "ner-bert")
    frame = layout_frames(ner_sentences(60))["entities"]
    mapping = ColumnMapping(text="text", entities="entities", entity_layout="entities")
    config = fast_config(base, task="ner", epochs=1, max_steps=1)
    train(frame, mapping, config, tmp_path / "run")
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["served"] == "dictionary"
    assert metrics["served_test_entity_f1"] == metrics["baseline_dictionary_entity_f1"]
    assert not (tmp_path / "run" / candidates.ARRAYS_FILE).exists()  # JSON alone
    predictor = Predictor.load(tmp_path / "run")
    assert predictor.served == "dictionary"
    [answer] = predictor.predict(["we met alice in new york ."])
    assert [(e["text"], e["type"]) for e in answer["entities"]] == [
        ("alice", "PER"),
        ("new york", "LOC"),
    ]
    assert set(answer["entities"][0]) == {"type", "text", "start", "end", "confidence"}
