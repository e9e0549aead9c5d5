"""Few rows: after the pairs training (finetune/contrastive.py) the tuned encoder's own
logistic regression, SetFit's classifier, is a candidate too. Cross-validation cannot score it
(its encoder learned from the rows the folds hold out), so it stands in for the frozen
sentence-meaning model when that one wins the folds, unless the validation rows say it is
clearly worse; when it serves, its encoder is saved beside the model (safetensors) and the
Predictor, scored files and the int8 download answer with it."""

import json
import shutil

import pandas as pd
import pytest
from safetensors.numpy import load_file

from finetune import candidates, quantize, rundir
from finetune.embeddings import ENCODER_FOLDER
from finetune.errors import FinetuneError
from finetune.predict import Predictor
from finetune.tasks import get_task
from finetune.train import train
from tests.finetune.conftest import fast_config
from tests.finetune.test_embeddings_served import MAPPING, SEEN, UNSEEN, reviews, synonym_model

TASK = get_task("single_label")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    base = synonym_model(tmp_path_factory.mktemp("synonyms"))
    frame = pd.DataFrame(reviews(SEEN, 60, "train") + reviews(UNSEEN, 12, "validation")
                         + reviews(UNSEEN, 30, "test"), dtype=str)  # fmt: skip
    out = tmp_path_factory.mktemp("tuned-run")
    train(frame, MAPPING, fast_config(base, epochs=1, max_steps=1, contrastive="on"), out)
    return base, out


def test_the_tuned_candidate_is_scored_and_stands_in_for_the_sentence_meaning_model(run):
    _, out = run
    metrics = rundir.read_json(out, "metrics.json")
    rows = {row["name"]: row for row in metrics["candidates"]}
    assert set(rows) == {"model", "tfidf", "embeddings", "embeddings_tuned"}
    tuned = rows["embeddings_tuned"]
    assert tuned["words"] == "the sentence-meaning model tuned on pairs of your rows"
    assert "cross_validated" not in tuned  # its encoder saw the rows the folds hold out
    assert rows["embeddings"]["cross_validated"] > rows["tfidf"]["cross_validated"]
    assert metrics["picked_by"] == "cross_validation" and metrics["contrastive_pairs"] > 0
    assert metrics["served"] == "embeddings_tuned" and tuned["stands_in_for"] == "embeddings"
    assert rundir.read_info(out)["served"] == "embeddings_tuned"
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "the sentence-meaning model scored macro-F1" in card
    assert "so LabelTune uses the sentence-meaning model tuned on pairs of your rows." in card


def test_its_encoder_is_saved_tuned_in_safetensors_beside_the_model(run):
    base, out = run
    folder = out / ENCODER_FOLDER
    assert (folder / "config.json").is_file() and (folder / "model.safetensors").is_file()
    assert not [p for p in out.rglob("*") if p.suffix in (".bin", ".pkl", ".joblib", ".pt")]
    tuned, original = load_file(folder / "model.safetensors"), load_file(base / "model.safetensors")
    key = next(k for k in tuned if "attention.self.query.weight" in k)
    assert (tuned[key] != original[next(k for k in original if k.endswith(key))]).any()
    spec = json.loads((out / candidates.SPEC_FILE).read_text(encoding="utf-8"))
    assert spec["encoder"] == ENCODER_FOLDER and spec["base_model"] == str(base)


def test_the_predictor_answers_with_it_as_in_training(run):
    _, out = run
    predictor = Predictor.load(out)
    assert predictor.served == "embeddings_tuned" and predictor.model is None
    held_out = rundir.read_test_predictions(out)
    answers = predictor.predict(held_out["text"].tolist())
    right = sum(a["label"] == t for a, t in zip(answers, held_out["label"], strict=True))
    assert right / len(held_out) == rundir.read_json(out, "metrics.json")["served_test_accuracy"]
    [one] = predictor.predict(["the film was superb"])
    assert one["label"] == "positive"


def test_a_copy_of_the_folder_elsewhere_answers_the_same(run, tmp_path):
    _, out = run
    moved = shutil.copytree(out, tmp_path / "moved")
    texts = ["the film was superb", "the acting was horrible"]
    assert Predictor.load(moved).predict(texts) == Predictor.load(out).predict(texts)
    int8 = quantize.write_int8_folder(out, tmp_path / "int8")
    assert (int8 / ENCODER_FOLDER / "model.safetensors").is_file()  # the candidate's own weights
    assert Predictor.load(int8).predict(texts) == Predictor.load(out).predict(texts)


@pytest.mark.parametrize("name", ["../x", "/etc", "other"])
def test_an_encoder_folder_of_another_name_is_refused(run, tmp_path, name):
    _, out = run
    copy = shutil.copytree(out, tmp_path / "copy")
    spec = json.loads((copy / candidates.SPEC_FILE).read_text(encoding="utf-8"))
    (copy / candidates.SPEC_FILE).write_text(json.dumps(spec | {"encoder": name}), "utf-8")
    with pytest.raises(FinetuneError, match="could not be read"):
        candidates.load(copy)


def row(name: str, validation: float, **more) -> dict:
    return {"name": name, "words": name, "validation": validation, "test": 0.0} | more


class Fitted:
    def __init__(self, name: str, variant_of: str = ""):
        self.name, self.variant_of = name, variant_of


@pytest.mark.parametrize(
    ("tuned", "rows", "serves"),
    [
        (0.70, 40, "embeddings_tuned"),  # as good or a little worse: within one standard error
        (0.95, 40, "embeddings_tuned"),
        (0.40, 40, "embeddings"),  # clearly worse on 40 rows
        (0.60, 4, "embeddings_tuned"),  # 4 rows cannot tell 15 points apart
    ],
)
def test_a_variant_stands_in_unless_the_validation_rows_say_it_is_clearly_worse(
    tuned, rows, serves
):
    table = [row("model", 0.5), row("embeddings", 0.75, cross_validated=0.8),
             row("embeddings_tuned", tuned)]  # fmt: skip
    fitted = [Fitted("embeddings"), Fitted("embeddings_tuned", "embeddings")]
    assert candidates._variant(TASK, fitted, table, table[1], rows)["name"] == serves
    assert candidates._variant(TASK, fitted, table, table[0], rows)["name"] == "model"
