"""Sentence embeddings of the run's frozen base model + a linear model: the candidate that
does best when a sheet has few rows (bench/RESULTS.md, "Small sheets"), for every task whose
TF-IDF candidate answers labels or numbers.

    model = EmbeddingsCandidate.fit("all-MiniLM-L6-v2", train, validation, head, task, "label")
    model.predict(["great product"])               # answers as the task does
    model.save(run_dir); candidates.load(run_dir)  # JSON + safetensors, same answers

1. Every text is read once by the base model as downloaded (not fine-tuned); the mean of its
   word-piece vectors over the attention mask, scaled to length 1, is the text's embedding,
   as sentence-transformers computes it for all-MiniLM-L6-v2. A pair of texts is read as
   both embeddings u and v side by side with |u - v| and u * v.
2. A linear model reads the embeddings (finetune.tfidf.fit_linear): logistic regression for
   one label, one logistic regression per label for several (thresholds picked on the
   validation rows by the task's own rule), ridge regression for a number; its
   regularization is the best of C_GRID on the validation rows.
The saved form is the linear model's weights (safetensors) and a JSON naming the base model
and the pooling; loading it loads the base model again (the bundled one offline; a hub model
from the download cache or the hub), never pickle and never the model's own code.

When the run first taught the base model which of its rows go together (few rows:
finetune/contrastive.py, SetFit's method), a second candidate reads that tuned encoder the
same way: SetFit's own classifier. Its encoder is part of it, so when it serves it is saved
beside the model as a standard transformers folder (ENCODER_FOLDER: safetensors, config,
tokenizer). It is a variant of the sentence-meaning model (`variant_of`): where the pick is
by cross-validation it cannot be scored that way (its encoder learned from the rows the folds
hold out), so it stands in for the sentence-meaning model when that one wins, unless it is
clearly worse on the validation rows (finetune/candidates.py).
"""

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from finetune.encoder import MAX_LENGTH, Encoder, encoder_for
from finetune.tfidf import OUTPUTS, TfidfCandidate, fit_linear

if TYPE_CHECKING:  # finetune.tasks imports this module
    from finetune.tasks.base import Examples, Head

# The cost is one pass of the encoder over the rows (no training). Measured with
# bench/small_sheets.py on 2 CPU cores shared with other jobs: the bundled MiniLM embeds about
# 18 SST-2 sentences a second there, so 5,000 training rows (with their validation and test
# rows) take about 6 minutes, a small share of fine-tuning on as many rows, which reads each
# row forwards and backwards every epoch. Bigger sheets skip this candidate: the fine-tuned
# model wins more often as rows grow (bench/RESULTS.md, "Small sheets").
MAX_TRAIN_ROWS = 5_000
C_GRID = (0.1, 1.0, 10.0, 100.0)  # inverse regularization tried (ridge: alpha = 1 / C)
POOLING = "mean"  # the only pooling: mean over the attention mask, L2-normalised
PAIRS = "u,v,|u-v|,u*v"  # how the two embeddings of a pair are put side by side
ENCODER_FOLDER = "candidate_encoder"  # the tuned encoder of a tuned candidate that serves
TUNED_NAME = "embeddings_tuned"  # the tuned candidate's name in metrics.json ("served")
TUNED = (TUNED_NAME, "the sentence-meaning model tuned on pairs of your rows")


def candidates_for(task, base_model: str, train: "Examples", validation: "Examples | None",
                   head: "Head", output: str, tuned: "Encoder | None" = None) -> list:  # fmt: skip
    """Task.base_model_candidates for a task whose TF-IDF candidate answers `output` ("label",
    "labels" or "value"): the sentence-meaning model, up to MAX_TRAIN_ROWS training rows (the
    encoder's pass over more rows costs more than it is likely to win); with `tuned` (the
    base model after the run's pairs training), the same over that encoder too."""
    if len(train) > MAX_TRAIN_ROWS:
        return []
    made = [EmbeddingsCandidate.fit(base_model, train, validation, head, task, output)]
    if tuned is not None:
        made.append(EmbeddingsCandidate.fit(base_model, train, validation, head, task, output,
                                            encoder=tuned))  # fmt: skip
    return made


class EmbeddingsCandidate(TfidfCandidate):
    """Answers as TfidfCandidate does for the same `output` (`_answers`): one label per text,
    the labels above their thresholds, or a number."""

    kind = "embeddings"

    def __init__(self, base_model: str, weights, bias, classes, head: "Head", encoder=None,
                 max_length: int = MAX_LENGTH, output: str = "label",
                 tuned_folder: Path | None = None, tuned: bool = False):  # fmt: skip
        name, words = (
            TUNED if tuned or tuned_folder else ("embeddings", "the sentence-meaning model")
        )
        super(TfidfCandidate, self).__init__(name, words, head)
        self.base_model = base_model  # as the run names it: "all-MiniLM-L6-v2", a hub id...
        self.max_length = max_length
        self.weights = np.asarray(weights, dtype=np.float64)  # outputs x embedding size
        self.bias = np.asarray(bias, dtype=np.float64)
        self.classes = list(classes)
        self.output = output
        self.tuned = bool(tuned or tuned_folder)  # reads the encoder tuned on the run's pairs
        self.variant_of = "embeddings" if self.tuned else ""
        self._tuned_folder = tuned_folder  # where a saved tuned encoder is read from
        self._encoder = encoder  # loaded on first use

    @property
    def encoder(self) -> Encoder:
        if self._encoder is None:
            if self._tuned_folder is not None:
                self._encoder = Encoder(str(self._tuned_folder), self.max_length)
            else:
                self._encoder = encoder_for(self.base_model, self.max_length)
        return self._encoder

    @classmethod
    def fit(
        cls,
        base_model: str,
        train: "Examples",
        validation: "Examples | None",
        head: "Head",
        task=None,
        output: str = "label",
        encoder: Encoder | None = None,
    ) -> "EmbeddingsCandidate":
        """Fitted on `train`; the regularization (C, or alpha for a number) is the one whose
        answers on `validation` score best by the `task`'s compare metric, thresholds (for
        "labels") picked there by `task.tune`; the middle setting without validation rows.
        `encoder`: the run's encoder tuned on pairs (the tuned candidate) instead of the base
        model as downloaded."""
        tuned = encoder is not None
        encoder = encoder or encoder_for(base_model)
        x = encoder.features(train.texts, train.text_pairs)
        has_validation = validation is not None and len(validation) and task is not None
        x_val = (
            encoder.features(validation.texts, validation.text_pairs) if has_validation else None
        )
        best, best_score = None, -np.inf
        for c in C_GRID if has_validation else (1.0,):
            weights, bias, classes = fit_linear(x, train.targets, output, head, c=c, alpha=1 / c)
            own = head | {"thresholds": [0.5] * len(classes)} if output == "labels" else head
            candidate = cls(base_model, weights, bias, classes, own, encoder, output=output,
                            tuned=tuned)  # fmt: skip
            if not has_validation:
                return candidate
            logits = candidate.logits_of(x_val)
            if output == "labels":
                candidate.head = task.tune(logits, validation.targets, own)
            figure = task.metrics(validation.targets, candidate._answers(logits),
                                  candidate.head)[task.compare_metric or task.primary_metric]  # fmt: skip
            figure = figure if task.greater_is_better else -figure
            if best is None or figure > best_score:
                best, best_score = candidate, figure
        return best

    def logits_of(self, features: np.ndarray) -> np.ndarray:
        return features.astype(np.float64) @ self.weights.T + self.bias

    def predict(self, texts: list[str], pairs: list[str] | None = None) -> list[dict]:
        return self._answers(self.logits_of(self.encoder.features(texts, pairs)))

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
        if self.tuned:
            spec["encoder"] = ENCODER_FOLDER
        return spec, {"weights": self.weights, "bias": self.bias}

    def save(self, folder) -> list[str]:
        """The candidate's files; a tuned one's encoder too (ENCODER_FOLDER)."""
        written = super().save(folder)
        if not self.tuned:
            return written
        self.encoder.save(Path(folder) / ENCODER_FOLDER)
        return [*written, ENCODER_FOLDER]

    @classmethod
    def from_state(cls, spec: dict, arrays: dict[str, np.ndarray],
                   folder=None) -> "EmbeddingsCandidate":  # fmt: skip
        if spec["output"] not in OUTPUTS or spec["pooling"] != POOLING or spec["pairs"] != PAIRS:
            raise ValueError("not a sentence-meaning model LabelTune saved")
        weights, bias = arrays["weights"], arrays["bias"]
        if weights.ndim != 2 or weights.shape[0] != len(bias):
            raise ValueError("the weights do not match the labels")
        tuned_folder = None
        if "encoder" in spec:  # only the one name: the folder is read from nowhere else
            if spec["encoder"] != ENCODER_FOLDER or folder is None:
                raise ValueError("not a sentence-meaning model LabelTune saved")
            tuned_folder = Path(folder) / ENCODER_FOLDER
            if not (tuned_folder / "config.json").is_file():
                raise ValueError("the tuned encoder's folder is missing")
        return cls(str(spec["base_model"]), weights, bias, spec["classes"], spec["head"],
                   max_length=int(spec["max_length"]), output=spec["output"],
                   tuned_folder=tuned_folder)  # fmt: skip
