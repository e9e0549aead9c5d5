"""Base models: the bundled default, hub ids, local folders, and the plain errors."""

from pathlib import Path

import pytest

from finetune import basemodels
from finetune.errors import FinetuneError


def test_it_resolves_the_bundled_model_to_its_folder():
    path = Path(basemodels.resolve(basemodels.DEFAULT_BASE_MODEL))
    assert (path / "model.safetensors").is_file()
    assert (
        basemodels.CATALOG[0].bundled and basemodels.CATALOG[0].id == basemodels.DEFAULT_BASE_MODEL
    )


def test_it_keeps_hub_ids_and_rejects_nonsense():
    assert basemodels.resolve("distilbert-base-uncased") == "distilbert-base-uncased"
    assert basemodels.resolve("org/model-name") == "org/model-name"
    with pytest.raises(FinetuneError, match="not a Hugging Face model id"):
        basemodels.resolve("../../etc/passwd")


def test_it_explains_when_the_hub_cannot_be_reached_or_has_no_such_model(monkeypatch, tmp_path):
    # Offline here (no route to the hub); online elsewhere the hub answers "no such model".
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(FinetuneError, match="Could not get the base model"):
        basemodels.load_tokenizer("someone/no-such-model")
    with pytest.raises(FinetuneError, match="Could not get the base model"):
        basemodels.load_model("someone/no-such-model", {"num_labels": 2})


def test_it_refuses_pickled_weights(tmp_path, tiny_model_dir):
    import shutil

    import torch
    from safetensors.torch import load_file

    folder = tmp_path / "pickled"
    shutil.copytree(tiny_model_dir, folder)
    torch.save(load_file(folder / "model.safetensors"), folder / "pytorch_model.bin")
    (folder / "model.safetensors").unlink()
    with pytest.raises(FinetuneError, match="safe weights format|could not be read"):
        basemodels.load_model(str(folder), {"num_labels": 2})


def test_it_lists_local_model_folders(tmp_path, tiny_model_dir):
    import shutil

    shutil.copytree(tiny_model_dir, tmp_path / "in-house-bert")
    (tmp_path / "not-a-model").mkdir()
    assert [m.name for m in basemodels.local_catalog(tmp_path)] == ["in-house-bert"]
