"""Regression: predict a number (1-5 stars, a price, a grade, a similarity score).

Cells are read the way people write numbers (decimal commas, thousands separators); cells
that are not numbers are reported by row and skipped. Targets are scaled to mean 0 and
standard deviation 1 for training and scaled back for output. Scores: MAE, RMSE, R²,
Pearson and Spearman; baselines: always the training mean, and TF-IDF + ridge regression
(a candidate that serves when it does better on the validation rows).
Pages call MAE the "typical error" and name RMSE as itself (training picks the best epoch
and compares with the baselines by RMSE, where big misses weigh more).
"""

import numpy as np
import pandas as pd
from scipy.stats import pearsonr, spearmanr

from finetune.mapping import (
    CLASS_LIKE_VALUES,
    ColumnMapping,
    numbers_in_words,
    numbers_of,
    parse_number,
)
from finetune.tasks.base import Examples, Head, Suitability, Task, output_layer
from finetune.tasks.common import label_values, make_examples, pair_note, texts_of
from finetune.tfidf import TfidfCandidate

SCATTER_POINTS = 2000  # points kept for the predicted-against-true plot
OUTLIER_IQR = 3.0  # values beyond this many interquartile ranges are outliers
STRATA = 5  # splits keep each fifth of the value range in proportion
TYPICAL_ERROR = "Typical error (MAE)"  # the only figure called "typical error"; RMSE is "RMSE"


def _correlation(fn, a, b) -> float:
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        return 0.0
    return float(fn(a, b)[0])


class RegressionTask(Task):
    name = "regression"
    title = "Regression: predict a number"
    description = "A number per row: stars, a price, a grade, how similar two texts are."
    primary_metric = "rmse"
    metric_title = "error (RMSE)"
    compare_title = "RMSE"
    greater_is_better = False
    metric_range = None
    int8_safe = False  # a number is never exactly the same: keep full precision
    label_words = "the numbers to predict"
    target_dtype = "float32"
    pipeline_options = ('function_to_apply="none"',)  # the number itself, not a probability
    health_template = "spreadsheets/health/regression.html"
    evaluation_template = "runs/evaluation/regression.html"
    try_template = "catalog/try/regression.html"
    cannot_pick_rows = (
        "A model that predicts numbers does not say how sure it is of each one, so it cannot "
        "pick the rows to label next."
    )

    def standard_error(self, figure: float, rows: int) -> float:
        """An error such as RMSE: the figure times 1 / sqrt(2 rows), the spread of a root mean
        square."""
        return abs(figure) / np.sqrt(2 * rows)

    def suits(self, sample: pd.DataFrame, mapping: ColumnMapping) -> Suitability:
        """A label column of numbers with more than a few different values (fewer look like
        classes); below several labels per row, which say otherwise."""
        values = label_values(sample, mapping)
        numeric = numbers_of(values) if values is not None else []
        if not numeric or len(set(numeric)) <= CLASS_LIKE_VALUES:
            return Suitability(0.0)
        reason = (
            f'"{mapping.label}" holds numbers ({len(set(numeric))} different values), so the '
            f"model learns to predict a number.{pair_note(mapping)}"
        )
        label = f"It holds the numbers to predict ({numbers_in_words(numeric)})."
        return Suitability(0.8, reason, reasons={"label": label})

    def prepare(
        self, frame: pd.DataFrame, mapping: ColumnMapping, row_numbers: list[int] | None = None
    ) -> Examples:
        texts, pairs, empty_text = texts_of(frame, mapping)
        empty_text = empty_text.to_numpy()
        cells = frame[mapping.label].astype(str).str.strip()
        values = [parse_number(c) for c in cells]
        empty_value = (cells == "").to_numpy() & ~empty_text
        not_number = np.array([v is None for v in values]) & ~empty_value & ~empty_text
        return make_examples(
            texts,
            pairs,
            values,
            ~(empty_text | empty_value | not_number),
            {
                "empty text": empty_text,
                "empty value": empty_value,
                "value that is not a number": not_number,
            },
        )

    def stratify_keys(self, targets: list) -> list[str]:
        if len(targets) < STRATA:
            return [""] * len(targets)
        edges = np.quantile(np.asarray(targets, dtype=float), np.linspace(0, 1, STRATA + 1)[1:-1])
        return [str(int(np.searchsorted(edges, t, side="right"))) for t in targets]

    def make_head(self, train: Examples, everything: Examples) -> Head:
        values = np.asarray(train.targets, dtype=np.float64)
        std = float(values.std()) if len(values) else 1.0
        return {
            "labels": ["value"],
            "mean": float(values.mean()) if len(values) else 0.0,
            "std": std if std > 0 else 1.0,
            "min": float(values.min()) if len(values) else 0.0,
            "max": float(values.max()) if len(values) else 0.0,
        }

    def model_kwargs(self, head: Head) -> dict:
        return {
            "num_labels": 1,
            "id2label": {0: "value"},
            "label2id": {"value": 0},
            "problem_type": "regression",
        }

    def encode_targets(self, targets: list, head: Head) -> list[float]:
        return [(float(t) - head["mean"]) / head["std"] for t in targets]

    def postprocess(self, logits: np.ndarray, head: Head) -> list[dict]:
        values = np.asarray(logits, dtype=np.float64).reshape(-1) * head["std"] + head["mean"]
        return [{"value": float(v)} for v in values]

    def export(self, model, head: Head) -> Head:
        """Fold the scale into the output layer, so the saved model (and so pipeline())
        answers in the user's units; the head then scales by nothing."""
        import torch

        layers = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
        out = layers[-1] if layers else None
        if out is None or out.out_features != 1 or out.bias is None:
            return head  # an unusual head: postprocess keeps scaling
        with torch.no_grad():
            out.weight.mul_(head["std"])
            out.bias.mul_(head["std"]).add_(head["mean"])
        return head | {"mean": 0.0, "std": 1.0, "trained_mean": head["mean"],
                       "trained_std": head["std"]}  # fmt: skip

    def reopen(self, head: Head, model=None) -> Head:
        """Undo `export`: the output layer back in scaled units, the head with its scale."""
        if "trained_mean" not in head:
            return head  # never folded (an unusual head)
        mean, std = head["trained_mean"], head["trained_std"]
        if model is not None:
            import torch

            out = output_layer(model)[1]
            with torch.no_grad():
                out.weight.div_(std)
                out.bias.sub_(mean).div_(std)
        kept = {k: v for k, v in head.items() if k not in ("trained_mean", "trained_std")}
        return kept | {"mean": mean, "std": std}

    def soft_loss(self, student, teacher, mask, temperature: float):
        """The teacher's numbers themselves: mean squared error (finetune/distill.py)."""
        import torch.nn.functional as F

        return F.mse_loss(student, teacher)

    def loss(self, logits: np.ndarray, encoded_targets: list) -> float:
        """Mean squared error in scaled units, as in training."""
        if not len(encoded_targets):
            return 0.0
        diff = np.asarray(logits, dtype=np.float64).reshape(-1) - np.asarray(encoded_targets)
        return float((diff**2).mean())

    def prediction_columns(
        self, predictions: list[dict], head: Head, texts: list[str] | None = None
    ) -> dict[str, list]:
        return {"prediction": [round(p["value"], 4) for p in predictions]}

    def _scores(self, y_true, y_pred) -> dict:
        y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
        if not len(y_true):
            return {"mae": 0.0, "rmse": 0.0, "r2": 0.0, "pearson": 0.0, "spearman": 0.0}
        error = y_pred - y_true
        total = float(((y_true - y_true.mean()) ** 2).sum())
        return {
            "mae": float(np.abs(error).mean()),
            "rmse": float(np.sqrt((error**2).mean())),
            "r2": float(1 - (error**2).sum() / total) if total > 0 else 0.0,
            "pearson": _correlation(pearsonr, y_true, y_pred),
            "spearman": _correlation(spearmanr, y_true, y_pred),
        }

    def metrics(self, targets: list, predictions: list[dict], head: Head) -> dict:
        scores = self._scores(targets, [p["value"] for p in predictions])
        return scores | {"rows": len(targets)}

    def evaluation(self, targets: list, predictions: list[dict], head: Head) -> dict:
        y_pred = [p["value"] for p in predictions]
        step = max(1, len(targets) // SCATTER_POINTS)
        errors = np.abs(np.asarray(y_pred) - np.asarray(targets, dtype=float))
        worst = np.argsort(-errors, kind="stable")[:20] if len(errors) else []
        return {
            "scatter": [
                [round(float(t), 4), round(float(p), 4)]
                for t, p in list(zip(targets, y_pred, strict=True))[::step]
            ],
            "largest_errors": [int(i) for i in worst],  # positions in the test rows
            "range": [head.get("min", 0.0), head.get("max", 0.0)],
        }

    def baselines(self, train: Examples, test: Examples, head: Head, fitted=None) -> dict:
        # 1. Always the training mean.
        mean = float(np.mean(train.targets))
        out = {
            f"baseline_mean_{k}": v
            for k, v in self._scores(test.targets, [mean] * len(test)).items()
        }
        # 2. TF-IDF + ridge regression (the candidate of that name).
        found = {c.name: c for c in fitted or self.candidates(train, None, head)}
        y_pred = [p["value"] for p in found["tfidf"].answers(test)]
        out |= {f"baseline_tfidf_{k}": v for k, v in self._scores(test.targets, y_pred).items()}
        return out

    def candidates(self, train: Examples, validation: Examples | None, head: Head) -> list:
        return [TfidfCandidate.fit(train, head, "value")]

    def base_model_candidates(
        self, base_model: str, train: Examples, validation: Examples, head: Head, tuned=None
    ) -> list:
        """Sentence embeddings + ridge regression (finetune/embeddings.py)."""
        from finetune import embeddings

        return embeddings.candidates_for(self, base_model, train, validation, head, "value", tuned)

    def headline(self, metrics: dict) -> list[tuple[str, str]]:
        return [
            (TYPICAL_ERROR, f"{metrics['test_mae']:.3g}"),
            ("RMSE", f"{metrics['test_rmse']:.3g}"),
            ("R²", f"{metrics['test_r2']:.3f}"),
            ("Pearson", f"{metrics['test_pearson']:.3f}"),
            ("Spearman", f"{metrics['test_spearman']:.3f}"),
        ]

    baseline_names = {"mean": "Always the average", "tfidf": "TF-IDF + ridge regression"}
    simplest_baseline = "mean"

    def baseline_headline(self, metrics: dict) -> list[tuple[str, str]]:
        return [
            (f"{words} (RMSE)", f"{metrics[f'baseline_{name}_rmse']:.3g}")
            for name, words in self.baseline_names.items()
        ]

    def report_lines(self, report) -> list[str]:
        if not (n := report.section.get("numbers")):
            return []
        return [
            f"Values: from {n['min']:g} to {n['max']:g}, average {n['mean']:g}, "
            f"{n['distinct']} different."
        ]

    def health(self, report, examples: Examples, mapping: ColumnMapping, row_number) -> None:
        values = np.asarray(examples.targets, dtype=float)
        report.numbers = None  # its section: min, max, mean, median, distinct, outliers
        if not len(values):
            report.problems.append(
                f'The column "{mapping.label}" has no numbers. Pick the column that holds the '
                "values to predict."
            )
            return
        q1, q3 = np.quantile(values, [0.25, 0.75])
        spread = OUTLIER_IQR * (q3 - q1)
        outliers = [
            i for i, v in enumerate(values) if spread > 0 and (v < q1 - spread or v > q3 + spread)
        ]
        distinct = len(np.unique(values))
        report.numbers = {
            "min": float(values.min()),
            "max": float(values.max()),
            "mean": round(float(values.mean()), 4),
            "median": float(np.median(values)),
            "distinct": distinct,
            "outliers": len(outliers),
            "outlier_rows": [row_number(examples.rows[i]) for i in outliers[:20]],
        }
        if distinct < 2:
            report.problems.append(
                f'Every row of "{mapping.label}" holds the same number; there is nothing to '
                "learn. Check that you picked the right column."
            )
        elif distinct <= CLASS_LIKE_VALUES:
            report.warnings.append(
                f'"{mapping.label}" has only {distinct} different values; they look like classes. '
                "Consider text classification instead."
            )
        if outliers:
            rows = ", ".join(str(r) for r in report.numbers["outlier_rows"][:10])
            report.warnings.append(
                f"{len(outliers)} value{'s are' if len(outliers) != 1 else ' is'} far from the "
                f"others (spreadsheet rows {rows}); check they are not typing mistakes."
            )

    # 6. Its pages

    def evaluation_context(self, evaluation: dict, predictions: list[dict], params) -> dict:
        """The predicted-against-true plot and the test rows with the largest errors."""
        rows = predictions or []
        largest = [rows[i] for i in evaluation.get("largest_errors", []) if i < len(rows)]
        return {"scatter": evaluation.get("scatter"), "largest_errors": largest}

    def try_context(self, result: dict, head: Head) -> dict:
        return {}  # the number alone: no confidence, no labels

    def prediction_schema(self):
        from pydantic import Field, create_model

        from finetune.tasks.pages import schema_name

        return create_model(
            schema_name(self),
            __doc__=f"One answer of a model that does this: {self.description}",
            value=(float, Field(description="The number predicted.")),
        )
