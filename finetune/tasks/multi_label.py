"""Multi-label classification: each row may have any number of labels (none included).

Two spreadsheet layouts: one column holding several labels joined by a separator
("billing; refund"), or one 0/1 column per label (1, yes, true, x; 0, no, false, blank).
The model has one independent output per label (sigmoid, binary cross-entropy). One decision
threshold per label is tuned on the validation rows. Scores: micro and macro F1, exact-match
ratio, per-label precision, recall, F1 and support; baselines: "the most frequent labels"
and TF-IDF + one logistic regression per label (a candidate that serves when it does better
on the validation rows, with thresholds of its own picked there).
"""

from collections import Counter
from itertools import combinations

import numpy as np
import pandas as pd
from sklearn.metrics import f1_score, precision_recall_fscore_support

from finetune.mapping import ColumnMapping, detect_separator, truthy
from finetune.roles import LABEL, LABEL_SEPARATOR, LABELS, SPLIT, TEXT, TEXT_PAIR
from finetune.tasks.base import Examples, Head, Suitability, Task, percent
from finetune.tasks.common import (
    label_lines,
    label_section,
    label_values,
    make_examples,
    pair_note,
    per_label_rows,
    texts_of,
)
from finetune.tfidf import TfidfCandidate

THRESHOLDS = np.round(np.arange(0.05, 0.96, 0.05), 2)  # tried per label on validation rows
DEFAULT_THRESHOLD = 0.5
# A label gets a threshold of its own only with this many validation rows that have it;
# with fewer, one lucky row would set it, so it keeps the threshold shared by all labels.
MIN_POSITIVES_TO_TUNE = 5
# No threshold may give a label to more than this share of the validation rows (or to more
# than its real share times SHARE_SLACK, when the label really is that common): a label the
# model barely separates must not be said of most texts (GoEmotions' "neutral" at 0.05).
MAX_SAID_SHARE = 0.5
SHARE_SLACK = 1.5
JOIN = "; "  # how predicted labels are written in one cell
COOCCURRENCE_SHOWN = 10


def sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(logits, dtype=np.float64)))


def multi_hot(targets: list, labels: list[str]) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    out = np.zeros((len(targets), len(labels)), dtype=np.float32)
    for row, names in enumerate(targets):
        for name in names:
            if name in index:
                out[row, index[name]] = 1.0
    return out


class MultiLabelTask(Task):
    name = "multi_label"
    title = "Multi-label classification"
    description = "Any number of labels per row, like the tags of a support ticket."
    primary_metric = "micro_f1"
    metric_title = "micro F1"
    compare_title = "micro-F1"
    target_dtype = "float32"
    pipeline_options = ("top_k=None",)  # every label's own score, not only the best one
    # The text, and either `label` (with a separator) or `labels`.
    roles = (TEXT, LABEL, LABEL_SEPARATOR, LABELS, TEXT_PAIR, SPLIT)
    health_template = "spreadsheets/health/multi_label.html"
    evaluation_template = "runs/evaluation/multi_label.html"
    try_template = "catalog/try/multi_label.html"
    label_check = "several"  # finetune.label_issues checks its rows' labels

    def check_mapping(self, mapping: ColumnMapping) -> None:
        from finetune.errors import FinetuneError

        super().check_mapping(mapping)
        if not mapping.label and len(mapping.labels) < 2:
            raise FinetuneError(
                "Pick the column that lists each row's labels, or at least two 0/1 columns, "
                "one per label."
            )

    def suits(self, sample: pd.DataFrame, mapping: ColumnMapping) -> Suitability:
        """Several 0/1 label columns, or label cells that join several labels."""
        if len(mapping.labels) >= 2:
            flags = mapping.labels
            shown = ", ".join(f'"{c}"' for c in flags[:5]) + (" and more" if len(flags) > 5 else "")
            return Suitability(0.9, (
                f"{len(flags)} columns hold only 0/1 values ({shown}), so each row can have "
                f"several labels.{pair_note(mapping)}"
            ))  # fmt: skip
        values = label_values(sample, mapping)
        separator = None if values is None else mapping.label_separator or detect_separator(values)
        if not separator:
            return Suitability(0.0)
        return Suitability(0.9, (
            f'Cells of "{mapping.label}" list several labels separated by "{separator}", so '
            f"each row can have several labels.{pair_note(mapping)}"
        ))  # fmt: skip

    def prepare(
        self, frame: pd.DataFrame, mapping: ColumnMapping, row_numbers: list[int] | None = None
    ) -> Examples:
        texts, pairs, empty_text = texts_of(frame, mapping)
        empty_text = empty_text.to_numpy()
        bad = np.zeros(len(frame), dtype=bool)
        if mapping.labels:
            flags = np.zeros((len(frame), len(mapping.labels)), dtype=bool)
            for j, column in enumerate(mapping.labels):
                values = [truthy(v) for v in frame[column].tolist()]
                flags[:, j] = [v is True for v in values]
                bad |= np.array([v is None for v in values], dtype=bool)
            targets = [[mapping.labels[j] for j in np.flatnonzero(row)] for row in flags]
        else:
            cells = frame[mapping.label].astype(str).tolist()
            separator = mapping.label_separator or detect_separator(cells) or ";"
            targets = [
                sorted({part.strip() for part in cell.split(separator) if part.strip()})
                for cell in cells
            ]
        bad &= ~empty_text
        return make_examples(
            texts,
            pairs,
            [sorted(t) for t in targets],
            ~(empty_text | bad),
            {"empty text": empty_text, "label cell that is not 0 or 1": bad},
        )

    def stratify_keys(self, targets: list) -> list[str]:
        # Keep each row's rarest label in proportion: rare labels reach every part.
        counts = Counter(label for names in targets for label in names)
        return [min(names, key=lambda n: (counts[n], n)) if names else "" for names in targets]

    def make_head(self, train: Examples, everything: Examples) -> Head:
        labels = sorted({label for names in everything.targets for label in names})
        return {"labels": labels, "thresholds": [DEFAULT_THRESHOLD] * len(labels)}

    def init_head(self, model, head: Head, train_targets: list) -> None:
        """Start each label's output at its share of the training rows (the log-odds of its
        frequency), so training spends its steps on what the text says instead of on
        learning how common each label is; with many rare labels a zero start stalls there."""
        import torch

        layers = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
        out = layers[-1] if layers else None
        if out is None or out.bias is None or out.out_features != len(head["labels"]):
            return
        share = multi_hot(train_targets, head["labels"]).mean(axis=0) if train_targets else None
        if share is None:
            return
        share = np.clip(share, 1e-3, 1 - 1e-3)
        with torch.no_grad():
            out.bias.copy_(torch.as_tensor(np.log(share / (1 - share)), dtype=out.bias.dtype))

    def grow_head(self, old: Head, fresh: Head) -> Head:
        grown = super().grow_head(old, fresh)
        added = len(grown["labels"]) - len(old["labels"])
        return grown | {"thresholds": [*old["thresholds"], *[DEFAULT_THRESHOLD] * added]}

    def model_kwargs(self, head: Head) -> dict:
        labels = head["labels"]
        return {
            "num_labels": len(labels),
            "id2label": dict(enumerate(labels)),
            "label2id": {label: i for i, label in enumerate(labels)},
            "problem_type": "multi_label_classification",
        }

    def encode_targets(self, targets: list, head: Head) -> list:
        return multi_hot(targets, head["labels"]).tolist()

    def postprocess(self, logits: np.ndarray, head: Head) -> list[dict]:
        labels, thresholds = head["labels"], head["thresholds"]
        probs = sigmoid(logits).reshape(-1, len(labels))
        return [
            {
                "labels": [n for n, p, t in zip(labels, row, thresholds, strict=True) if p >= t],
                "scores": {label: float(p) for label, p in zip(labels, row, strict=True)},
            }
            for row in probs
        ]

    def tune(self, logits: np.ndarray, targets: list, head: Head) -> Head:
        """Decision thresholds that give the best micro-F1 on the validation rows:
        1. one threshold for every label, the best of THRESHOLDS (ties: nearest 0.5);
        2. then, label by label, the threshold that makes the micro-F1 of all labels best
           with the others fixed. A label's own F1 alone would switch a label the model
           cannot tell apart on for every row (its F1 beats 0); micro-F1 counts the
           wrong answers that costs. A label with fewer than MIN_POSITIVES_TO_TUNE
           validation rows keeps the common one.
        Only thresholds that say a label of at most MAX_SAID_SHARE of the rows (or its real
        share times SHARE_SLACK, if larger) are tried, for the common one against every
        label's share; when none is allowed, the highest one tried."""
        probs = sigmoid(logits).reshape(-1, len(head["labels"]))
        truth = multi_hot(targets, head["labels"]).astype(bool)
        if not len(truth):
            return head

        def counts(columns, t) -> np.ndarray:  # per label: true pos., false pos., false neg.
            said, real = probs[:, columns] >= t, truth[:, columns]
            return np.stack([(said & real).sum(0), (said & ~real).sum(0), (~said & real).sum(0)])

        def micro(tp, fp, fn) -> float:
            return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

        limit = np.maximum(MAX_SAID_SHARE, truth.mean(0) * SHARE_SLACK)  # per label

        def allowed(columns) -> list[float]:
            said = [(probs[:, columns] >= t).mean(0) for t in THRESHOLDS]
            ok = [
                t
                for t, share in zip(THRESHOLDS, said, strict=True)
                if (share <= limit[columns]).all()
            ]
            return ok or [float(THRESHOLDS[-1])]

        def best_of(score, candidates) -> float:
            return float(max(candidates, key=lambda t: (score(t), -abs(t - 0.5))))

        every = slice(None)
        common = best_of(lambda t: micro(*counts(every, t).sum(1)), allowed(every))
        table = counts(every, common)  # 3 x labels, kept up to date label by label
        thresholds = [common] * truth.shape[1]
        for j in np.flatnonzero(truth.sum(axis=0) >= MIN_POSITIVES_TO_TUNE):
            rest = table.sum(1) - table[:, j]
            thresholds[j] = best_of(
                lambda t, j=j, rest=rest: micro(*(rest + counts([j], t)[:, 0])), allowed([j])
            )
            table[:, j] = counts([j], thresholds[j])[:, 0]
        return head | {"thresholds": thresholds}

    def soft_loss(self, student, teacher, mask, temperature: float):
        """Each label's yes/no softened by `temperature`: binary cross-entropy of the
        student's against the teacher's (finetune/distill.py)."""
        import torch.nn.functional as F

        soft = (teacher / temperature).sigmoid()
        loss = F.binary_cross_entropy_with_logits(student / temperature, soft)
        return loss * temperature**2

    def loss(self, logits: np.ndarray, encoded_targets: list) -> float:
        """Mean binary cross-entropy, as in training."""
        if not len(encoded_targets):
            return 0.0
        p = np.clip(sigmoid(logits), 1e-12, 1 - 1e-12)
        y = np.asarray(encoded_targets, dtype=np.float64).reshape(p.shape)
        return float(-(y * np.log(p) + (1 - y) * np.log(1 - p)).mean())

    def prediction_columns(
        self, predictions: list[dict], head: Head, texts: list[str] | None = None
    ) -> dict[str, list]:
        columns = {"prediction": [JOIN.join(p["labels"]) for p in predictions]}
        for label in head["labels"]:
            columns[f"score {label}"] = [round(p["scores"][label], 4) for p in predictions]
        return columns

    def uncertainty(self, predictions: list[dict], head: Head) -> list[float]:
        """How close the label nearest its threshold is to it: 1 on the threshold, 0 at 0 or
        1 (each side measured against the room it has)."""
        labels = head["labels"]
        thresholds = head.get("thresholds") or [DEFAULT_THRESHOLD] * len(labels)
        out = []
        for p in predictions:
            near = 0.0
            for label, t in zip(labels, thresholds, strict=True):
                score = p["scores"][label]
                room = t if score < t else 1.0 - t
                near = max(near, 1.0 - abs(score - t) / room if room > 0 else 0.0)
            out.append(near)
        return out

    def target_column(self, targets: list) -> list:
        return [JOIN.join(t) for t in targets]

    def is_correct(self, target, prediction: dict) -> bool:
        return sorted(target) == sorted(prediction["labels"])

    def _scores(self, targets: list, predicted: list, labels: list[str]) -> dict:
        truth, guess = multi_hot(targets, labels), multi_hot(predicted, labels)
        exact = [sorted(t) == sorted(p) for t, p in zip(targets, predicted, strict=True)]
        return {
            "micro_f1": float(f1_score(truth, guess, average="micro", zero_division=0)),
            "macro_f1": float(f1_score(truth, guess, average="macro", zero_division=0)),
            "exact_match": float(np.mean(exact)) if exact else 0.0,
        }

    def metrics(self, targets: list, predictions: list[dict], head: Head) -> dict:
        predicted = [p["labels"] for p in predictions]
        scores = self._scores(targets, predicted, head["labels"])
        scores["rows"] = len(targets)
        scores["correct"] = int(
            sum(self.is_correct(t, p) for t, p in zip(targets, predictions, strict=True))
        )
        return scores

    def evaluation(self, targets: list, predictions: list[dict], head: Head) -> dict:
        labels = head["labels"]
        truth = multi_hot(targets, labels)
        guess = multi_hot([p["labels"] for p in predictions], labels)
        precision, recall, f1, support = precision_recall_fscore_support(
            truth, guess, average=None, zero_division=0
        )
        return {
            "labels": labels,
            "per_label": [
                row | {"threshold": float(threshold)}
                for row, threshold in zip(
                    per_label_rows(labels, precision, recall, f1, support),
                    head["thresholds"],
                    strict=True,
                )
            ],
        }

    def baselines(self, train: Examples, test: Examples, head: Head, fitted=None) -> dict:
        labels = head["labels"]
        # 1. The most frequent labels: the k commonest, k = labels per row on average.
        counts = Counter(label for names in train.targets for label in names)
        k = max(1, round(sum(counts.values()) / max(1, len(train))))
        common = sorted(label for label, _ in counts.most_common(k))
        out = {
            f"baseline_frequent_{key}": value
            for key, value in self._scores(test.targets, [common] * len(test), labels).items()
        }
        # 2. TF-IDF + one logistic regression per label (the candidate of that name).
        found = {c.name: c for c in fitted or self.candidates(train, None, head)}
        predicted = [p["labels"] for p in found["tfidf"].answers(test)]
        out |= {
            f"baseline_tfidf_{key}": value
            for key, value in self._scores(test.targets, predicted, labels).items()
        }
        return out

    def candidates(self, train: Examples, validation: Examples | None, head: Head) -> list:
        """TF-IDF + one logistic regression per label, its thresholds picked on the
        validation rows as the model's are (tune)."""
        return [TfidfCandidate.fit(train, head, "labels", validation, self.tune)]

    def base_model_candidates(
        self, base_model: str, train: Examples, validation: Examples, head: Head, tuned=None
    ) -> list:
        """Sentence embeddings + one logistic regression per label, thresholds picked as the
        model's are (finetune/embeddings.py)."""
        from finetune import embeddings

        return embeddings.candidates_for(self, base_model, train, validation, head, "labels", tuned)

    def headline(self, metrics: dict) -> list[tuple[str, str]]:
        return [
            ("Micro F1", f"{metrics['test_micro_f1']:.3f}"),
            ("Macro F1", f"{metrics['test_macro_f1']:.3f}"),
            ("Rows with exactly the right labels", percent(metrics["test_exact_match"])),
        ]

    baseline_names = {
        "frequent": "Always the most frequent labels",
        "tfidf": "TF-IDF + logistic regression",
    }
    simplest_baseline = "frequent"

    def baseline_headline(self, metrics: dict) -> list[tuple[str, str]]:
        return [
            (words, f"{metrics[f'baseline_{name}_micro_f1']:.3f}")
            for name, words in self.baseline_names.items()
        ]

    def report_lines(self, report) -> list[str]:
        return label_lines(report)

    def health(self, report, examples: Examples, mapping: ColumnMapping, row_number) -> None:
        counts = pd.Series(Counter(n for names in examples.targets for n in names), dtype=int)
        counts = counts.sort_values(ascending=False, kind="stable")
        if len(counts) < 2:
            where = f'"{mapping.label}"' if mapping.label else "the label columns"
            report.problems.append(
                f"{where[0].upper()}{where[1:]} need at least two different labels in use. "
                "Check that you picked the right columns."
            )
        label_section(report, counts, rare_blocks=False)
        if unused := [c for c in mapping.labels if c not in counts.index]:
            shown = ", ".join(f'"{c}"' for c in unused[:5]) + (
                " and more" if len(unused) > 5 else ""
            )
            if len(unused) > 1:
                columns, says, labels, them = "columns", "say", "those labels", "them"
            else:
                columns, says, labels, them = "column", "says", "that label", "it"
            report.warnings.append(
                f"The label {columns} {shown} never {says} 1 in a row, so the model cannot learn "
                f"{labels} and leaves {them} out. Untick {them}, or mark the rows that have {them}."
            )
        none = sum(1 for names in examples.targets if not names)
        if none:
            report.warnings.append(
                f"{none} row{'s have' if none != 1 else ' has'} no label at all; the model "
                "learns that such texts get none of the labels."
            )
        pairs = Counter(p for names in examples.targets for p in combinations(sorted(names), 2))
        report.cooccurrence = [
            {"labels": list(p), "count": n} for p, n in pairs.most_common(COOCCURRENCE_SHOWN)
        ]
        report.labels_per_row = round(
            sum(len(t) for t in examples.targets) / max(1, len(examples)), 2
        )

    # 6. Its pages

    def evaluation_context(self, evaluation: dict, predictions: list[dict], params) -> dict:
        return {"per_label": evaluation.get("per_label", [])}  # with each label's threshold

    def prediction_schema(self):
        from pydantic import Field, create_model

        from finetune.tasks.pages import schema_name

        return create_model(
            schema_name(self),
            __doc__=f"One answer of a model that does this: {self.description}",
            labels=(
                list[str],
                Field(description="The labels given: those whose score reaches its threshold."),
            ),
            scores=(dict[str, float], Field(description="Each label's score, from 0 to 1.")),
        )
