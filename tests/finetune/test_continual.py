"""Learning from new rows without forgetting (finetune/continual.py), on the tiny model: the
run starts from the old weights, new labels grow the head, the old rows are replayed by seed,
and metrics.json says how the old and the new model do on the old and the new test rows."""

import json
import random

import pandas as pd
import pytest
import torch

from bench.ner_layouts import layout_frames
from finetune import FinetuneError, basemodels
from finetune.continual import REPLAY_SHARE, Continuation, train_from
from finetune.data import Table
from finetune.mapping import ColumnMapping
from finetune.modeling import load_trained
from finetune.predict import Predictor
from finetune.tasks import Examples, get_task
from finetune.tasks.ner.align import bio_labels
from finetune.train import train
from tests.finetune.conftest import FILLER, NEGATIVE, POSITIVE, fast_config, sentiment_rows
from tests.finetune.nerdata import NER_WORDS, ner_sentences
from tests.finetune.test_cli import cli
from tests.finetune.toydata import scored_rows, tagged_rows
from tests.tinymodel import make_tiny_model

slow = pytest.mark.slow  # trains the tiny model: a few seconds each on 2 cores
MAPPING = ColumnMapping(text="review", label="sentiment")
NEUTRAL = ["average", "middling", "mediocre"]
# Training that cannot move the weights: what it answers is what the starting weights answer.
STILL = {"epochs": 1, "learning_rate": 1e-9}
LEARN = {"epochs": 15, "learning_rate": 3e-3}


def with_neutral(n: int, seed: int) -> pd.DataFrame:
    """sentiment_rows with every third review neutral: filler words and a word the old rows
    never had."""
    frame, rng = sentiment_rows(n, seed=seed), random.Random(seed)
    for i in range(0, n, 3):
        words = [*rng.sample(FILLER, 4), rng.choice(NEUTRAL)]
        rng.shuffle(words)
        frame.loc[i, ["review", "sentiment"]] = [" ".join(words), "neutral"]
    return frame


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    words = POSITIVE + NEGATIVE + FILLER + NEUTRAL
    return make_tiny_model(words, tmp_path_factory.mktemp("continual-bert"))


@pytest.fixture(scope="module")
def old(tmp_path_factory, tiny):
    """(the old rows, the folder of the model trained on them)."""
    frame = sentiment_rows(120)
    out = tmp_path_factory.mktemp("continual") / "old"
    train(Table(frame), MAPPING, fast_config(tiny, epochs=10), out)
    return frame, out


def metrics_of(folder) -> dict:
    return json.loads((folder / "metrics.json").read_text())


def improve(old, new_rows: pd.DataFrame, out, changes: dict) -> dict:
    """Train `new_rows` from the old model, replaying its rows; metrics.json's
    continued_from."""
    frame, folder = old
    result = train_from(folder, Table(new_rows), out, old_table=Table(frame), changes=changes)
    return result.metrics["continued_from"]


@slow
def test_it_starts_from_the_old_weights(tmp_path, old):
    folder = old[1]
    found = improve(old, sentiment_rows(40, seed=1), tmp_path / "new", STILL)
    assert found["run"] == "old" and found["added_labels"] == []
    # The old test rows are the old run's own: the old model scores on them what it scored.
    assert found["old_test"]["before"]["accuracy"] == metrics_of(folder)["test_accuracy"]
    assert found["old_test"]["rows"] == metrics_of(folder)["test_rows"]
    for part in ("old_test", "new_test"):
        assert found[part]["after"] == found[part]["before"]
    # Answer by answer, the new model says what the old one said (a fresh head would not).
    before = pd.read_csv(folder / "test_predictions.csv").set_index("text")
    after = pd.read_csv(tmp_path / "new" / "test_predictions.csv").set_index("text")
    shared = after.loc[before.index]
    assert (shared["prediction"] == before["prediction"]).all()
    assert (shared["confidence"] - before["confidence"]).abs().max() < 1e-3


@slow
def test_new_labels_grow_the_head_and_are_learnt_without_forgetting(tmp_path, old):
    found = improve(old, with_neutral(60, seed=1), tmp_path / "new", LEARN)
    assert found["added_labels"] == ["neutral"]
    info = json.loads((tmp_path / "new" / "labeltune.json").read_text())
    assert info["labels"] == ["negative", "positive", "neutral"]  # old rows kept in place
    config = json.loads((tmp_path / "new" / "config.json").read_text())
    assert config["id2label"] == {"0": "negative", "1": "positive", "2": "neutral"}
    new = found["new_test"]
    assert new["after"]["accuracy"] > new["before"]["accuracy"]
    assert new["after"]["accuracy"] == 1.0
    assert found["old_test"]["after"]["accuracy"] >= found["old_test"]["before"]["accuracy"] - 0.1
    new_training_rows = metrics_of(tmp_path / "new")["train_rows"] - found["replayed_rows"]
    assert found["replay_share"] == REPLAY_SHARE
    assert found["replayed_rows"] == round(REPLAY_SHARE * new_training_rows)


@slow
def test_the_start_keeps_each_old_output_row_and_every_other_weight(old):
    frame, folder = old
    continuation = Continuation(folder, Table(frame))
    task = continuation.task
    prepared = continuation.prepare(Table(with_neutral(30, 2)), continuation.mapping,
                                    continuation.settings({}))  # fmt: skip
    model = basemodels.load_model(prepared.base, task.model_kwargs(prepared.head), task.auto_model)
    prepared.start(model)
    was = load_trained(folder, "cpu")[0].state_dict()
    now = model.state_dict()
    for name, weights in was.items():
        if name.startswith("classifier"):
            assert now[name].shape[0] == 3
            assert torch.equal(now[name][:2], weights)
        else:
            assert torch.equal(now[name], weights), name


@slow
def test_the_replayed_rows_are_a_seeded_share_of_the_old_training_rows(old):
    frame, folder = old
    rows = Examples(rows=list(range(90)), texts=[str(i) for i in range(90)], targets=[0] * 90)
    half = Continuation(folder, Table(frame), share=0.5)
    first, again = half.replayed(rows, 40, seed=1), half.replayed(rows, 40, seed=1)
    assert len(first) == 20 and first.rows == again.rows
    assert half.replayed(rows, 40, seed=2).rows != first.rows
    assert len(Continuation(folder, share=5).replayed(rows, 40, seed=1)) == 90  # all, at most
    assert len(Continuation(folder, share=0).replayed(rows, 40, seed=1)) == 0


@slow
def test_the_new_rows_need_the_old_columns(tmp_path, old):
    frame, folder = old
    renamed = sentiment_rows(30, seed=3).rename(columns={"review": "text"})
    with pytest.raises(FinetuneError, match='The new rows have no column "review"'):
        train_from(folder, Table(renamed), tmp_path / "new", old_table=Table(frame))
    (tmp_path / "copy").mkdir()
    (tmp_path / "copy" / "labeltune.json").write_bytes((folder / "labeltune.json").read_bytes())
    with pytest.raises(FinetuneError, match="holds no full model"):
        Continuation(tmp_path / "copy")


@slow
def test_a_number_model_continues_in_its_own_scale(tmp_path, toy_model_dir):
    mapping = ColumnMapping(text="review", label="score")
    frame = scored_rows(100)
    config = fast_config(toy_model_dir, task="regression", epochs=10)
    train(Table(frame), mapping, config, tmp_path / "old")
    result = train_from(tmp_path / "old", Table(scored_rows(40, seed=1)), tmp_path / "new",
                        old_table=Table(frame), changes=STILL)  # fmt: skip
    was = json.loads((tmp_path / "old" / "labeltune.json").read_text())["head"]
    now = json.loads((tmp_path / "new" / "labeltune.json").read_text())["head"]
    assert (now["trained_mean"], now["trained_std"]) == (was["trained_mean"], was["trained_std"])
    old_test = result.metrics["continued_from"]["old_test"]
    assert old_test["after"]["mae"] == pytest.approx(old_test["before"]["mae"], abs=1e-3)


@slow
def test_a_multi_label_model_continues_from_its_own_scores(tmp_path, toy_model_dir):
    mapping, frame = ColumnMapping(text="ticket", label="tags"), tagged_rows(100)
    train(Table(frame), mapping, fast_config(toy_model_dir, task="multi_label"), tmp_path / "old")
    train_from(tmp_path / "old", Table(tagged_rows(40, seed=1)), tmp_path / "new",
               old_table=Table(frame), changes=STILL)  # fmt: skip
    texts = frame["ticket"].tolist()[:20]
    was, now = (Predictor.load(tmp_path / name, candidate=False).predict(texts)
                for name in ("old", "new"))  # fmt: skip
    for before, after in zip(was, now, strict=True):
        assert after["scores"] == pytest.approx(before["scores"], abs=1e-3)


@slow
def test_a_names_model_learns_a_new_type_from_the_new_rows(tmp_path):
    base = make_tiny_model(NER_WORDS, tmp_path / "ner-bert")
    mapping = ColumnMapping(text="text", entities="entities", entity_layout="entities")
    sentences = ner_sentences(80)
    only_people = [[(w, t) for w, t in s if not t.endswith("LOC")] for s in sentences[:50]]
    old = layout_frames(only_people)["entities"]
    train(Table(old), mapping, fast_config(base, task="ner", epochs=12), tmp_path / "old")
    new = layout_frames(sentences[50:])["entities"]
    result = train_from(tmp_path / "old", Table(new), tmp_path / "new", old_table=Table(old),
                        changes={"epochs": 12})  # fmt: skip
    found = result.metrics["continued_from"]
    assert found["added_labels"] == ["B-LOC", "I-LOC"]
    head = json.loads((tmp_path / "new" / "labeltune.json").read_text())["head"]
    assert head["types"] == ["PER", "LOC"] and head["labels"][:3] == ["B-PER", "I-PER", "O"]
    assert found["new_test"]["after"]["f1_LOC"] > found["new_test"]["before"]["f1_LOC"]


def test_heads_grow_by_the_labels_the_new_rows_bring():
    multi = get_task("multi_label").grow_head(
        {"labels": ["billing", "bug"], "thresholds": [0.3, 0.6]},
        {"labels": ["billing", "outage"], "thresholds": [0.5, 0.5]},
    )
    assert multi == {"labels": ["billing", "bug", "outage"], "thresholds": [0.3, 0.6, 0.5]}
    names = get_task("ner").grow_head(
        {"labels": bio_labels(["PER"]), "types": ["PER"]},
        {"labels": bio_labels(["LOC", "PER"]), "types": ["LOC", "PER"]},
    )
    assert names == {"labels": ["B-PER", "I-PER", "O", "B-LOC", "I-LOC"], "types": ["PER", "LOC"]}
    scale = {"labels": ["value"], "mean": 3.0, "std": 1.5}
    assert get_task("regression").grow_head(scale, {"labels": ["value"], "mean": 9.0}) == scale


@slow
def test_the_command_line_improves_a_model(tmp_path, old):
    frame, folder = old
    frame.to_csv(tmp_path / "old.csv", index=False)
    with_neutral(60, seed=1).to_csv(tmp_path / "new.csv", index=False)
    done = cli("train", tmp_path / "new.csv", "--from", folder, "--replay", tmp_path / "old.csv",
               "--replay-share", 1, "--out", tmp_path / "new", "--epochs", 3)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "New labels: neutral." in done.stdout
    assert "old test rows: Accuracy" in done.stdout and "new test rows: Accuracy" in done.stdout
    found = metrics_of(tmp_path / "new")["continued_from"]
    assert found["replay_share"] == 1 and found["old_test"]["rows"] == 12
    settings = json.loads((tmp_path / "new" / "labeltune.json").read_text())["config"]
    assert settings["epochs"] == 3 and settings["learning_rate"] == 3e-3  # the old run's
    refused = cli("train", tmp_path / "new.csv", "--from", folder, "--text", "review",
                  "--out", tmp_path / "other")  # fmt: skip
    assert refused.returncode == 1
    assert "--from uses the columns and task of the model it improves" in refused.stderr
