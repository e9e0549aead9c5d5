"""The fast path of one short prediction gives the plain path's answers: a model left in
training mode still predicts without dropout, and one thread answers like several."""

import numpy as np
import pytest
import torch

from finetune.modeling import predict_logits
from finetune.predict import Predictor, use_threads

TEXTS = ["great", "the film was really boring and the acting was poor", "nice story", ""]


@pytest.fixture(scope="module")
def predictor(trained_run):
    return Predictor.load(trained_run[0].out_dir, device="cpu", int8=False)


def test_a_model_left_in_training_mode_predicts_without_dropout(predictor):
    model, tokenizer = predictor.model, predictor.tokenizer
    plain = predict_logits(model, tokenizer, TEXTS, max_length=32)
    model.train()
    again = predict_logits(model, tokenizer, TEXTS, max_length=32)
    assert not model.training
    np.testing.assert_allclose(plain, again, atol=1e-6)


def test_one_thread_answers_like_several(predictor):
    before = torch.get_num_threads()
    try:
        use_threads(2)
        several = predictor.predict(TEXTS)
        use_threads(1)
        assert torch.get_num_threads() == 1
        one = [predictor.predict([text])[0] for text in TEXTS]
    finally:
        torch.set_num_threads(before)
    for a, b in zip(several, one, strict=True):
        assert a["label"] == b["label"]
        for label, score in a["scores"].items():
            assert b["scores"][label] == pytest.approx(score, abs=1e-5)
