"""The int8 copy as a download: safetensors only, loaded by Predictor, and giving the same
answers as the int8 copy Predictor makes from the full model when it loads it."""

import pytest
from safetensors import safe_open

from finetune import quantize
from finetune.errors import FinetuneError
from finetune.predict import Predictor


@pytest.fixture(scope="module")
def int8_folder(trained_run, tmp_path_factory):
    return quantize.write_int8_folder(
        trained_run[0].out_dir, tmp_path_factory.mktemp("download") / "reviews-int8", 0.995
    )


def test_it_holds_the_int8_weights_and_no_full_weights_or_pickles(int8_folder):
    names = {p.name for p in int8_folder.iterdir()}
    assert quantize.INT8_FILE in names and quantize.FULL_FILE not in names
    assert {"config.json", "labeltune.json", "tokenizer.json", "README.md"} <= names
    assert not [n for n in names if n.endswith((".bin", ".pt", ".pth", ".pkl", ".pickle"))]
    with safe_open(str(int8_folder / quantize.INT8_FILE), framework="pt") as handle:
        assert handle.metadata()["format"] == quantize.FORMAT
        int8_keys = [k for k in handle.keys() if k.endswith(".weight.int8")]
        assert int8_keys and all(str(handle.get_tensor(k).dtype) == "torch.int8" for k in int8_keys)


def test_the_download_answers_like_the_int8_copy_made_at_load(
    int8_folder, trained_run, sentiment_frame
):
    made = Predictor.load(trained_run[0].out_dir, device="cpu", int8=True)
    downloaded = Predictor.load(int8_folder)
    assert downloaded.precision == "int8"
    texts = sentiment_frame.review.tolist() + ["", "great product", "x " * 300]
    for a, b in zip(made.predict(texts), downloaded.predict(texts), strict=True):
        assert a["label"] == b["label"]
        for label, score in a["scores"].items():
            assert b["scores"][label] == pytest.approx(score, abs=1e-6)


def test_its_readme_says_how_to_load_it(int8_folder):
    card = (int8_folder / "README.md").read_text(encoding="utf-8")
    assert 'Predictor.load("path/to/this/folder")' in card
    assert "99.5% of rows" in card and quantize.INT8_FILE in card


def test_it_refuses_full_precision_from_an_int8_folder(int8_folder):
    with pytest.raises(FinetuneError, match="only the int8 copy"):
        Predictor.load(int8_folder, int8=False)


def test_it_refuses_a_file_it_did_not_write(int8_folder, tmp_path):
    import shutil

    import torch
    from safetensors.torch import save_file

    folder = tmp_path / "copy"
    shutil.copytree(int8_folder, folder)
    save_file({"x": torch.zeros(1)}, str(folder / quantize.INT8_FILE))
    with pytest.raises(FinetuneError, match="not an int8 copy"):
        Predictor.load(folder)


def test_loading_keeps_only_the_copy_that_serves(trained_run):
    predictor = Predictor.load(trained_run[0].out_dir, device="cpu", int8=True)
    layers = quantize._int8_layers(predictor.model)
    plain = [n for n, m in predictor.model.named_modules() if type(m).__name__ == "Linear"
             and n not in layers]  # fmt: skip
    assert layers and not plain


def test_its_weights_have_a_scale_per_row(int8_folder):
    with safe_open(str(int8_folder / quantize.INT8_FILE), framework="pt") as handle:
        layer = next(k for k in handle.keys() if k.endswith(".weight.int8"))[: -len(".int8")]
        rows = handle.get_tensor(f"{layer}.int8").shape[0]
        assert handle.get_tensor(f"{layer}.scale").shape == (rows,)
        assert f"{layer}.axis" in handle.keys()


def test_a_download_saved_with_one_scale_per_layer_still_loads(trained_run, tmp_path):
    """int8 downloads made before the weights had a scale per row keep working."""
    import shutil
    import warnings

    import torch

    from finetune.modeling import load_trained

    run = trained_run[0].out_dir
    folder = quantize.write_int8_folder(run, tmp_path / "old")
    model, _, _ = load_trained(run, "cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        old = torch.ao.quantization.quantize_dynamic(model.eval(), {torch.nn.Linear},
                                                     dtype=torch.qint8)  # fmt: skip
    quantize.save_int8(old, folder / quantize.INT8_FILE)
    assert "axis" not in str(list(quantize.int8_tensors(old)))
    texts = ["great product", "terrible service and rude staff"]
    encoded = Predictor.load(folder).tokenizer(texts, padding=True, return_tensors="pt")
    with torch.inference_mode():
        expected = old(**encoded).logits.argmax(-1).tolist()
    labels = Predictor.load(folder).head["labels"]
    assert [a["label"] for a in Predictor.load(folder).predict(texts)] == [
        labels[i] for i in expected
    ]
    shutil.rmtree(folder)
