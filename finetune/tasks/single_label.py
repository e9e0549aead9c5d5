"""Single-label text classification: one label per row (sentiment is the same task), from one
text or a pair of texts (entailment, duplicate questions).

Labels are the sorted set of label texts; the model has one output per label and is
trained with cross-entropy. Scores: accuracy, macro and weighted F1, per-label precision,
recall and F1, a confusion matrix, and two baselines (majority label; TF-IDF + logistic
regression, a candidate that serves when it does better on the validation rows). On sheets
of up to 5,000 training rows the base model's sentence embeddings + logistic regression are
a candidate too (finetune/embeddings.py).
"""

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from finetune import contrastive, embeddings
from finetune.mapping import ColumnMapping
from finetune.tasks.base import Examples, Head, Suitability, Task, label_kwargs, percent
from finetune.tasks.common import (
    label_lines,
    label_section,
    label_values,
    make_examples,
    pair_note,
    per_label_rows,
    softmax,
    texts_of,
)
from finetune.tfidf import TfidfCandidate


class SingleLabelTask(Task):
    name = "single_label"
    title = "Text classification"
    description = "One label per row: a topic, a sentiment, an intent, or how two texts relate."
    primary_metric = "accuracy"
    compare_metric = "macro_f1"
    compare_title = "macro-F1"
    metric_title = "accuracy"
    health_template = "spreadsheets/health/single_label.html"
    evaluation_template = "runs/evaluation/single_label.html"
    try_template = "catalog/try/single_label.html"
    label_check = "one"  # finetune.label_issues checks its rows' labels
    contrastive_rows = contrastive.MAX_TRAIN_ROWS  # few rows: pairs of rows first
    contrastive_sentence = (
        "Few training rows: the model first learned which rows go together from {pairs:,} "
        "pairs of them (same label or not), then the labels."
    )

    def similarity_pairs(self, train: Examples, seed: int) -> list[tuple[str, str, float]]:
        """Each row with one of its label (alike: 1) and one of another (0), SetFit's way."""
        return contrastive.pairs(train.inputs(), train.targets, seed)

    def prepare(
        self, frame: pd.DataFrame, mapping: ColumnMapping, row_numbers: list[int] | None = None
    ) -> Examples:
        texts, pairs, empty_text = texts_of(frame, mapping)
        labels = frame[mapping.label].astype(str).str.strip()
        empty_label = ((labels == "") & ~empty_text).to_numpy()
        empty_text = empty_text.to_numpy()
        return make_examples(
            texts,
            pairs,
            labels.tolist(),
            ~(empty_text | empty_label),
            {"empty text": empty_text, "empty label": empty_label},
        )

    def suits(self, sample: pd.DataFrame, mapping: ColumnMapping) -> Suitability:
        """Any label column suits it, a little: the task of tables no other task claims."""
        if label_values(sample, mapping) is None:
            return Suitability(0.01)
        return Suitability(0.5, f'Each row has one label in "{mapping.label}".{pair_note(mapping)}')

    def stratify_keys(self, targets: list) -> list[str]:
        return [str(t) for t in targets]

    def make_head(self, train: Examples, everything: Examples) -> Head:
        return {"labels": sorted(set(everything.targets))}

    def model_kwargs(self, head: Head) -> dict:
        return label_kwargs(head["labels"]) | {"problem_type": "single_label_classification"}

    def encode_targets(self, targets: list, head: Head) -> list[int]:
        index = {label: i for i, label in enumerate(head["labels"])}
        return [index[t] for t in targets]

    def postprocess(self, logits: np.ndarray, head: Head) -> list[dict]:
        labels = head["labels"]
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

    def prediction_columns(
        self, predictions: list[dict], head: Head, texts: list[str] | None = None
    ) -> dict[str, list]:
        return {
            "prediction": [p["label"] for p in predictions],
            "confidence": [round(p["confidence"], 4) for p in predictions],
        }

    def is_correct(self, target, prediction: dict) -> bool:
        return str(target) == str(prediction["label"])

    @staticmethod
    def _scores(y_true: list[str], y_pred: list[str], labels: list[str]) -> dict:
        return {
            "accuracy": float(accuracy_score(y_true, y_pred)) if y_true else 0.0,
            "macro_f1": float(
                f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)
            ),
            "weighted_f1": float(
                f1_score(y_true, y_pred, labels=labels, average="weighted", zero_division=0)
            ),
        }

    def metrics(self, targets: list, predictions: list[dict], head: Head) -> dict:
        y_pred = [p["label"] for p in predictions]
        scores = self._scores(targets, y_pred, head["labels"])
        scores["rows"] = len(targets)
        scores["correct"] = int(sum(t == p for t, p in zip(targets, y_pred, strict=True)))
        return scores

    def evaluation(self, targets: list, predictions: list[dict], head: Head) -> dict:
        labels = head["labels"]
        y_pred = [p["label"] for p in predictions]
        precision, recall, f1, support = precision_recall_fscore_support(
            targets, y_pred, labels=labels, zero_division=0
        )
        return {
            "labels": labels,
            "per_label": per_label_rows(labels, precision, recall, f1, support),
            "confusion": confusion_matrix(targets, y_pred, labels=labels).tolist(),
        }

    def baselines(self, train: Examples, test: Examples, head: Head, fitted=None) -> dict:
        labels = head["labels"]
        # 1. Majority: always answer the most common training label.
        majority = pd.Series(train.targets).value_counts().index[0]
        out = {
            f"baseline_majority_{k}": v
            for k, v in self._scores(test.targets, [majority] * len(test), labels).items()
        }
        # 2. TF-IDF + logistic regression (the candidate of that name).
        found = {c.name: c for c in fitted or self.candidates(train, None, head)}
        y_pred = [p["label"] for p in found["tfidf"].answers(test)]
        out |= {
            f"baseline_tfidf_{k}": v for k, v in self._scores(test.targets, y_pred, labels).items()
        }
        return out

    def candidates(self, train: Examples, validation: Examples | None, head: Head) -> list:
        return [TfidfCandidate.fit(train, head, "label")]

    def base_model_candidates(
        self, base_model: str, train: Examples, validation: Examples, head: Head, tuned=None
    ) -> list:
        """Sentence embeddings + logistic regression (finetune/embeddings.py)."""
        return embeddings.candidates_for(self, base_model, train, validation, head, "label", tuned)

    def headline(self, metrics: dict) -> list[tuple[str, str]]:
        return [
            ("Accuracy", percent(metrics["test_accuracy"])),
            ("Macro F1", f"{metrics['test_macro_f1']:.3f}"),
        ]

    baseline_names = {
        "majority": "Always the most common label",
        "tfidf": "TF-IDF + logistic regression",
    }
    simplest_baseline = "majority"

    def baseline_headline(self, metrics: dict) -> list[tuple[str, str]]:
        return [
            (words, percent(metrics[f"baseline_{name}_accuracy"]))
            for name, words in self.baseline_names.items()
        ]

    def report_lines(self, report) -> list[str]:
        return label_lines(report)

    def health(self, report, examples: Examples, mapping: ColumnMapping, row_number) -> None:
        counts = pd.Series(examples.targets, dtype=object).value_counts()
        if len(counts) < 2:
            found = f'only "{counts.index[0]}"' if len(counts) else "none"
            report.problems.append(
                f'The column "{mapping.label}" needs at least two different labels, but has '
                f"{found}. Check that you picked the right label column."
            )
        label_section(report, counts)

    # 6. Its pages

    def evaluation_context(self, evaluation: dict, predictions: list[dict], params) -> dict:
        from finetune.tasks.pages import label_evaluation

        return label_evaluation(evaluation, predictions, params)

    def prediction_schema(self):
        from finetune.tasks.pages import label_prediction

        return label_prediction(self)  # with every label's score
