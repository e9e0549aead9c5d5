"""Prediction from a run directory: the Predictor, transformers.pipeline, scoring a spreadsheet."""

import openpyxl
import pytest

from finetune.errors import FinetuneError
from finetune.predict import Predictor, score_file


@pytest.fixture(scope="module")
def predictor(trained_run):
    return Predictor.load(trained_run[0].out_dir)


def test_it_predicts_labels_with_probabilities(predictor):
    texts = ["the film was great", "the plot was awful and boring", "", "x " * 500]
    predictions = predictor.predict(texts)
    assert [p["label"] for p in predictions[:2]] == ["positive", "negative"]
    for p in predictions:
        assert set(p["scores"]) == {"negative", "positive"}
        assert abs(sum(p["scores"].values()) - 1) < 1e-5
        assert p["confidence"] == max(p["scores"].values())


def test_it_gives_the_same_answer_alone_or_in_a_batch(predictor):
    texts = ["great", "the film was really boring and the acting was poor", "nice story"]
    batch = predictor.predict(texts, batch_size=2)
    alone = [predictor.predict([t])[0] for t in texts]
    for a, b in zip(batch, alone, strict=True):
        assert a["label"] == b["label"]
        assert abs(a["confidence"] - b["confidence"]) < 1e-4


def test_it_loads_in_a_transformers_pipeline(trained_run):
    from transformers import pipeline

    classify = pipeline("text-classification", model=str(trained_run[0].out_dir))
    assert classify("the acting was superb")[0]["label"] in {"positive", "negative"}


def test_it_scores_a_spreadsheet_keeping_the_users_columns(tmp_path, trained_run):
    source = tmp_path / "new.csv"
    source.write_text(
        "id,review,prediction\n007,=great film,mine\n008,awful plot,mine\n", encoding="utf-8"
    )
    out = score_file(trained_run[0].out_dir, source, tmp_path / "scored.xlsx")
    sheet = openpyxl.load_workbook(out).active
    header = [c.value for c in sheet[1]]
    assert header == ["id", "review", "prediction", "prediction (2)", "confidence"]
    assert sheet["A2"].value == "007"
    assert sheet["B2"].value == "'=great film"  # formula-safe
    assert sheet["D3"].value == "negative"


def test_it_refuses_a_folder_that_is_not_a_model(tmp_path):
    with pytest.raises(FinetuneError, match="not a LabelTune model folder"):
        Predictor.load(tmp_path)


def test_the_fast_padding_gives_what_the_tokenizer_gives(trained_run):
    import numpy as np
    import torch

    from finetune.modeling import load_trained, predict_logits

    model, tokenizer, _ = load_trained(trained_run[0].out_dir, "cpu")
    texts = ["the acting was superb", "awful", "the plot and the ending were really quite dull"]
    plain = tokenizer(texts, padding=True, truncation=True, max_length=32, return_tensors="pt")
    with torch.inference_mode():
        expected = model(**plain).logits.numpy()
    got = predict_logits(model, tokenizer, texts, max_length=32, device=torch.device("cpu"))
    assert np.allclose(got, expected, atol=1e-5)
    one = predict_logits(model, tokenizer, texts[:1], max_length=32, device=torch.device("cpu"))
    assert np.allclose(one, expected[:1], atol=1e-5)
