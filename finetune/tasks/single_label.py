"""Single-label text classification: one label per row (sentiment is the same task).

Labels are the sorted set of label texts; the model has one output per label and is
trained with cross-entropy. Scores: accuracy, macro and weighted F1, per-label precision,
recall and F1, a confusion matrix, and two baselines (majority label; TF-IDF + logistic
regression).
"""

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from finetune.columns import Columns
from finetune.errors import FinetuneError
from finetune.tasks.base import Examples, Task


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


class SingleLabelTask(Task):
    name = "single_label"
    title = "Text classification: one label per row"
    primary_metric = "accuracy"

    def prepare(self, frame: pd.DataFrame, columns: Columns) -> Examples:
        if not columns.label:
            raise FinetuneError("Pick the column that holds the labels.")
        texts = frame[columns.text].astype(str)
        labels = frame[columns.label].astype(str).str.strip()
        empty_text = texts.str.strip() == ""
        empty_label = (labels == "") & ~empty_text
        keep = ~(empty_text | empty_label)
        positions = np.flatnonzero(keep.to_numpy())
        return Examples(
            rows=positions.tolist(),
            texts=texts.to_numpy()[positions].tolist(),
            targets=labels.to_numpy()[positions].tolist(),
            skipped={
                "empty text": np.flatnonzero(empty_text.to_numpy()).tolist(),
                "empty label": np.flatnonzero(empty_label.to_numpy()).tolist(),
            },
        )

    def label_list(self, examples: Examples) -> list[str]:
        return sorted(set(examples.targets))

    def model_kwargs(self, labels: list[str]) -> dict:
        return {
            "num_labels": len(labels),
            "id2label": dict(enumerate(labels)),
            "label2id": {label: i for i, label in enumerate(labels)},
            "problem_type": "single_label_classification",
        }

    def encode_targets(self, targets: list, labels: list[str]) -> list[int]:
        index = {label: i for i, label in enumerate(labels)}
        return [index[t] for t in targets]

    def postprocess(self, logits: np.ndarray, labels: list[str]) -> list[dict]:
        probs = softmax(np.asarray(logits, dtype=np.float64))
        best = probs.argmax(axis=-1)
        return [
            {
                "label": labels[b],
                "confidence": float(p[b]),
                "scores": {label: float(x) for label, x in zip(labels, p, strict=True)},
            }
            for b, p in zip(best, probs, strict=True)
        ]

    def loss(self, logits: np.ndarray, encoded_targets: list) -> float:
        """Mean cross-entropy, as in training."""
        probs = softmax(np.asarray(logits, dtype=np.float64))
        picked = probs[np.arange(len(encoded_targets)), encoded_targets]
        return float(-np.log(np.clip(picked, 1e-12, None)).mean()) if len(picked) else 0.0

    def stratify_key(self, target) -> str:
        return str(target)

    @staticmethod
    def _scores(y_true: list[str], y_pred: list[str], labels: list[str]) -> dict:
        return {
            "accuracy": float(accuracy_score(y_true, y_pred)),
            "macro_f1": float(
                f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
            ),
            "weighted_f1": float(
                f1_score(y_true, y_pred, labels=labels, average="weighted", zero_division=0)
            ),
        }

    def metrics(self, targets: list, predictions: list[dict], labels: list[str]) -> dict:
        y_pred = [p["label"] for p in predictions]
        scores = self._scores(targets, y_pred, labels)
        scores["rows"] = len(targets)
        scores["correct"] = int(sum(t == p for t, p in zip(targets, y_pred, strict=True)))
        return scores

    def evaluation(self, targets: list, predictions: list[dict], labels: list[str]) -> dict:
        y_pred = [p["label"] for p in predictions]
        precision, recall, f1, support = precision_recall_fscore_support(
            targets, y_pred, labels=labels, zero_division=0
        )
        return {
            "labels": labels,
            "per_label": [
                {
                    "label": label,
                    "precision": float(precision[i]),
                    "recall": float(recall[i]),
                    "f1": float(f1[i]),
                    "support": int(support[i]),
                }
                for i, label in enumerate(labels)
            ],
            "confusion": confusion_matrix(targets, y_pred, labels=labels).tolist(),
        }

    def baselines(self, train: Examples, test: Examples, labels: list[str]) -> dict:
        # 1. Majority: always answer the most common training label.
        majority = pd.Series(train.targets).value_counts().index[0]
        out = {
            f"baseline_majority_{k}": v
            for k, v in self._scores(test.targets, [majority] * len(test), labels).items()
        }
        # 2. TF-IDF words and word pairs + logistic regression: the classic strong baseline.
        vectorizer = TfidfVectorizer(
            ngram_range=(1, 2), min_df=1, sublinear_tf=True, max_features=200_000
        )
        x_train = vectorizer.fit_transform(_joined(train))
        classifier = LogisticRegression(max_iter=1000, C=10.0)
        classifier.fit(x_train, train.targets)
        y_pred = classifier.predict(vectorizer.transform(_joined(test))).tolist()
        out.update(
            {
                f"baseline_tfidf_{k}": v
                for k, v in self._scores(test.targets, y_pred, labels).items()
            }
        )
        return out


def _joined(examples: Examples) -> list[str]:
    if examples.text_pairs is None:
        return examples.texts
    return [f"{a} [SEP] {b}" for a, b in zip(examples.texts, examples.text_pairs, strict=True)]
