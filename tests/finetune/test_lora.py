"""LoRA on the tiny model: the run folder keeps only the adapter and the head, the Predictor
(base + adapter) answers as the merged model does in pipeline(), and several models of one
base share its weights in one process."""

import json

import pytest
from safetensors import safe_open

from finetune import FinetuneError, lora, quantize
from finetune.mapping import ColumnMapping
from finetune.modeling import load_trained
from finetune.predict import Predictor
from finetune.rundir import base_model_name, read_test_predictions
from finetune.train import TrainConfig, train
from tests.finetune.conftest import fast_config, sentiment_rows
from tests.finetune.toydata import scored_rows

slow = pytest.mark.slow  # trains the tiny model: a few seconds each on 2 cores
MAPPING = ColumnMapping(text="review", label="sentiment")
LORA = {"method": "lora", "learning_rate": 1e-2, "lora_rank": 4}


@pytest.fixture(scope="module")
def lora_run(tmp_path_factory, sentiment_frame, tiny_model_dir):
    out = tmp_path_factory.mktemp("lora-run")
    return train(sentiment_frame, MAPPING, fast_config(tiny_model_dir, **LORA), out)


def merged_folder(run_dir, dest):
    model, _, info = load_trained(run_dir, "cpu")
    return lora.write_merged_folder(run_dir, dest, model, base_model_name(info["base_model"]))


def test_settings_are_checked_in_sentences():
    for settings, words in (
        ({"method": "adapters"}, '"full" or "lora"'),
        ({"lora_rank": 0}, "rank must be between 1 and 256"),
        ({"lora_layers": "some"}, '"all" or "attention"'),
        ({"method": "lora", "extend_vocabulary": "on"}, "needs full fine-tuning"),
    ):
        with pytest.raises(FinetuneError, match=words):
            TrainConfig(**settings)
    assert TrainConfig().method == "full"  # LoRA only when asked for


@slow
def test_it_stores_the_adapter_and_head_not_the_base(lora_run, trained_run):
    run = lora_run.out_dir
    assert not (run / "model.safetensors").exists()
    assert (run / "config.json").is_file() and (run / "tokenizer.json").is_file()
    with safe_open(str(run / lora.ADAPTER_FILE), framework="pt") as saved:
        names = list(saved.keys())
    head = [name for name in names if "lora_" not in name]  # the head, trained in full
    assert sorted(head) == [
        "base_model.model.classifier.bias",
        "base_model.model.classifier.weight",
    ]
    stored = (run / lora.ADAPTER_FILE).stat().st_size
    assert stored < 0.5 * (trained_run[0].out_dir / "model.safetensors").stat().st_size
    info = json.loads((run / "labeltune.json").read_text())
    assert info["config"]["method"] == "lora" and info["config"]["lora_rank"] == 4
    assert 0 < lora_run.metrics["lora_trained_share"] < 0.5
    assert "LoRA adapter" in (run / "README.md").read_text()


@slow
def test_the_predictor_answers_as_the_merged_model_in_pipeline(lora_run, tmp_path):
    from transformers import pipeline

    texts = sentiment_rows(30, seed=3).review.tolist()
    ours = Predictor.load(lora_run.out_dir, device="cpu", int8=False, candidate=False)
    answers = ours.predict(texts)
    folder = merged_folder(lora_run.out_dir, tmp_path / "merged")
    assert (folder / "model.safetensors").is_file()
    assert not any((folder / name).exists() for name in lora.ADAPTER_FILES)
    card = (folder / "README.md").read_text()
    assert "merged model" in card and "LoRA adapter and the task's head" not in card
    theirs = pipeline("text-classification", model=str(folder), top_k=None)(texts)
    for answer, scores in zip(answers, theirs, strict=True):
        assert answer["label"] == max(scores, key=lambda s: s["score"])["label"]
        for score in scores:
            assert answer["scores"][score["label"]] == pytest.approx(score["score"], abs=1e-5)
    # The test rows' answers saved by training are the ones base + adapter give again.
    saved = read_test_predictions(lora_run.out_dir)
    again = ours.predict(saved["text"].tolist())
    assert [a["label"] for a in again] == saved["prediction"].tolist()


@slow
def test_models_of_one_base_share_its_weights(lora_run, tmp_path, sentiment_frame, tiny_model_dir):
    second = train(sentiment_frame, MAPPING, fast_config(tiny_model_dir, **LORA, seed=7),
                   tmp_path / "second")  # fmt: skip
    texts = sentiment_rows(20, seed=4).review.tolist()
    shared = [
        Predictor.load(run, device="cpu", candidate=False, shared_base=True)
        for run in (lora_run.out_dir, second.out_dir)
    ]
    alone = [
        Predictor.load(run, device="cpu", candidate=False, int8=False)
        for run in (lora_run.out_dir, second.out_dir)
    ]

    def base_tensors(predictor) -> dict:
        return {
            name: param.data_ptr()
            for name, param in predictor.model.named_parameters()
            if "lora_" not in name and "classifier" not in name
        }

    first, other = base_tensors(shared[0]), base_tensors(shared[1])
    assert first and first == other  # the very same memory
    assert shared[0].tokenizer is shared[1].tokenizer  # the same files: one tokenizer
    assert alone[0].tokenizer is not alone[1].tokenizer
    assert set(first.values()).isdisjoint(base_tensors(alone[0]).values())
    for together, apart in zip(shared, alone, strict=True):
        assert together.precision == "full"  # an int8 copy would copy the base
        for a, b in zip(together.predict(texts), apart.predict(texts), strict=True):
            assert a["label"] == b["label"]
            assert a["confidence"] == pytest.approx(b["confidence"], abs=1e-5)
    assert shared[0].predict(texts) != shared[1].predict(texts)  # each its own adapter


@slow
def test_a_number_model_answers_in_the_users_units_merged(tmp_path, toy_model_dir):
    from transformers import pipeline

    config = fast_config(toy_model_dir, task="regression", epochs=15, **LORA)
    run = train(scored_rows(100), ColumnMapping(text="review", label="score"), config,
                tmp_path / "run").out_dir  # fmt: skip
    texts = scored_rows(10).review.tolist()
    ours = [p["value"] for p in Predictor.load(run, candidate=False).predict(texts)]
    folder = merged_folder(run, tmp_path / "merged")
    theirs = pipeline("text-classification", model=str(folder), function_to_apply="none")(texts)
    assert ours == pytest.approx([t["score"] for t in theirs], abs=1e-4)


@slow
def test_the_int8_copy_is_made_from_the_merged_model(lora_run, tmp_path):
    folder = quantize.write_int8_folder(lora_run.out_dir, tmp_path / "int8")
    assert not any((folder / name).exists() for name in lora.ADAPTER_FILES)
    assert "LoRA adapter and the task's head" not in (folder / "README.md").read_text()
    downloaded = Predictor.load(folder, candidate=False)
    served = Predictor.load(lora_run.out_dir, device="cpu", int8=True, candidate=False)
    assert downloaded.precision == served.precision == "int8"
    texts = sentiment_rows(20, seed=6).review.tolist()
    assert downloaded.predict(texts) == served.predict(texts)


@slow
def test_a_stopped_lora_run_resumes_where_an_uninterrupted_one_ends(tmp_path, tiny_model_dir):
    from finetune.errors import Canceled

    frame, config = sentiment_rows(60), fast_config(tiny_model_dir, **LORA, epochs=4)
    whole = train(frame, MAPPING, config, tmp_path / "whole").metrics
    seen = []

    def past_epoch_two() -> bool:
        return any(p.phase == "training" and p.epoch > 2 for p in seen)

    with pytest.raises(Canceled):
        train(frame, MAPPING, config, tmp_path / "stopped", on_progress=seen.append,
              should_cancel=past_epoch_two)  # fmt: skip
    resumed = train(frame, MAPPING, config, tmp_path / "stopped").metrics
    assert resumed["resumed_after_epoch"] == 2
    timing = {"train_seconds", "total_seconds", "resumed_after_epoch"}
    assert {k: v for k, v in resumed.items() if k not in timing} == {
        k: v for k, v in whole.items() if k not in timing
    }
    assert not (tmp_path / "stopped" / "model.safetensors").exists()
