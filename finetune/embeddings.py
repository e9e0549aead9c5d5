"""Sentence embeddings of the run's frozen base model + logistic regression: the candidate
that does best when a sheet has few rows (bench/RESULTS.md, "Small sheets").

    model = EmbeddingsCandidate.fit("all-MiniLM-L6-v2", train, validation, head, score)
    model.predict(["great product"])               # answers as the single-label task does
    model.save(run_dir); candidates.load(run_dir)  # JSON + safetensors, same answers

1. Every text is read once by the base model as downloaded (not fine-tuned); the mean of its
   word-piece vectors over the attention mask, scaled to length 1, is the text's embedding,
   as sentence-transformers computes it for all-MiniLM-L6-v2. A pair of texts is read as
   both embeddings u and v side by side with |u - v| and u * v.
2. A logistic regression reads the embeddings; its C is the best of C_GRID on the
   validation rows.
The saved form is the regression's weights (safetensors) and a JSON naming the base model and
the pooling; loading it loads the base model again (the bundled one offline; a hub model from
the download cache or the hub), never pickle and never the model's own code.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
from sklearn.linear_model import LogisticRegression

from finetune import basemodels
from finetune.tfidf import TfidfCandidate

if TYPE_CHECKING:  # finetune.tasks imports this module
    from finetune.tasks.base import Examples, Head

# The cost is one pass of the encoder over the rows (no training). Measured with
# bench/small_sheets.py on 2 CPU cores shared with other jobs: the bundled MiniLM embeds about
# 18 SST-2 sentences a second there, so 5,000 training rows (with their validation and test
# rows) take about 6 minutes, a small share of fine-tuning on as many rows, which reads each
# row forwards and backwards every epoch. Bigger sheets skip this candidate: the fine-tuned
# model wins more often as rows grow (bench/RESULTS.md, "Small sheets").
MAX_TRAIN_ROWS = 5_000
C_GRID = (0.1, 1.0, 10.0, 100.0)  # inverse regularization tried, first wins ties
MAX_LENGTH = 128  # word pieces read per text, as training reads them by default
BATCH_SIZE = 32
SEED = 0
POOLING = "mean"  # the only pooling: mean over the attention mask, L2-normalised
PAIRS = "u,v,|u-v|,u*v"  # how the two embeddings of a pair are put side by side


class Encoder:
    """The frozen base model, loaded once (safetensors only, no remote code), on the CPU so
    training and serving compute the same numbers."""

    def __init__(self, base_model: str, max_length: int = MAX_LENGTH):
        import torch

        path = basemodels.resolve(base_model)
        self.tokenizer = basemodels.load_tokenizer(path)
        self.model = basemodels.load_model(path, {}, "AutoModel").to(torch.device("cpu")).eval()
        self.max_length = max_length

    def embed(self, texts: list[str]) -> np.ndarray:
        """One L2-normalised mean-pooled vector per text (rows sorted by length and batched,
        so a batch pads only to its own longest row)."""
        import torch

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(order), BATCH_SIZE):
                batch = order[start : start + BATCH_SIZE]
                encoded = self.tokenizer(
                    [texts[i] for i in batch],
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = self.model(**encoded).last_hidden_state
                mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out[batch] = torch.nn.functional.normalize(mean, p=2, dim=1).numpy()
        return out

    def features(self, texts: list[str], pairs: list[str] | None = None) -> np.ndarray:
        u = self.embed(texts)
        if pairs is None:
            return u
        v = self.embed(pairs)
        return np.concatenate([u, v, np.abs(u - v), u * v], axis=1)


class EmbeddingsCandidate(TfidfCandidate):
    """Answers one label per text, as TfidfCandidate's "label" output does (_labels)."""

    kind = "embeddings"

    def __init__(self, base_model: str, weights, bias, classes, head: "Head", encoder=None,
                 max_length: int = MAX_LENGTH):  # fmt: skip
        super(TfidfCandidate, self).__init__("embeddings", "the sentence-meaning model", head)
        self.base_model = base_model  # as the run names it: "all-MiniLM-L6-v2", a hub id...
        self.max_length = max_length
        self.weights = np.asarray(weights, dtype=np.float64)  # outputs x embedding size
        self.bias = np.asarray(bias, dtype=np.float64)
        self.classes = list(classes)
        self.output = "label"
        self._encoder = encoder  # loaded on first use

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            self._encoder = Encoder(self.base_model, self.max_length)
        return self._encoder

    @classmethod
    def fit(
        cls,
        base_model: str,
        train: "Examples",
        validation: "Examples | None",
        head: "Head",
        score: Callable[[list[dict]], float] | None = None,
    ) -> "EmbeddingsCandidate":
        """Fitted on `train`; C is the one whose answers on `validation` get the highest
        `score(answers)` (the task's compare metric); C = 1 without validation rows."""
        encoder = Encoder(base_model)
        x = encoder.features(train.texts, train.text_pairs)
        has_validation = validation is not None and len(validation) and score is not None
        x_val = (
            encoder.features(validation.texts, validation.text_pairs) if has_validation else None
        )
        best, best_score = None, -np.inf
        for c in C_GRID if has_validation else (1.0,):
            model = LogisticRegression(C=c, max_iter=2000, random_state=SEED)
            model.fit(x, train.targets)
            candidate = cls(base_model, model.coef_, model.intercept_, model.classes_.tolist(),
                            head, encoder)  # fmt: skip
            figure = score(candidate._labels(candidate.logits_of(x_val))) if has_validation else 0
            if best is None or figure > best_score:
                best, best_score = candidate, figure
        return best

    def logits_of(self, features: np.ndarray) -> np.ndarray:
        return features.astype(np.float64) @ self.weights.T + self.bias

    def predict(self, texts: list[str], pairs: list[str] | None = None) -> list[dict]:
        return self._labels(self.logits_of(self.encoder.features(texts, pairs)))

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        spec = {
            "output": self.output,
            "classes": self.classes,
            "base_model": self.base_model,
            "pooling": POOLING,
            "normalize": True,
            "max_length": self.max_length,
            "pairs": PAIRS,
        }
        return spec, {"weights": self.weights, "bias": self.bias}

    @classmethod
    def from_state(cls, spec: dict, arrays: dict[str, np.ndarray]) -> "EmbeddingsCandidate":
        if spec["output"] != "label" or spec["pooling"] != POOLING or spec["pairs"] != PAIRS:
            raise ValueError("not a sentence-meaning model LabelTune saved")
        weights, bias = arrays["weights"], arrays["bias"]
        if weights.ndim != 2 or weights.shape[0] != len(bias):
            raise ValueError("the weights do not match the labels")
        return cls(str(spec["base_model"]), weights, bias, spec["classes"], spec["head"],
                   max_length=int(spec["max_length"]))  # fmt: skip
