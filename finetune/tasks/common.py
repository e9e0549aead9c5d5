"""What several tasks share: reading texts and pairs, per-label tables, the labels' section
of the data report, and how a label column suits a task (the pair sentence).

Each task module imports from here; nothing here knows which task asks.
"""

import re
from collections import defaultdict

import numpy as np
import pandas as pd

from finetune.mapping import ColumnMapping
from finetune.tasks.base import Examples

MIN_EXAMPLES_PER_LABEL = 5  # below this a label cannot be trained, validated and tested
IMBALANCE_WARNING = 10.0  # largest label / smallest label


def pair_note(mapping: ColumnMapping) -> str:
    """The sentence a task's reason ends with when the rows are pairs of texts ("" if not)."""
    pair = mapping.text_pair
    return f' Its second text is "{pair}", so it learns from pairs of texts.' if pair else ""


def label_lines(report) -> list[str]:
    """The labels' section of the data report as lines for the command line."""
    lines = []
    if report.section.get("labels"):
        counts = ", ".join(f"{x['label']} ({x['count']})" for x in report.labels)
        lines.append(f"Labels: {counts}")
    if report.section.get("imbalance_ratio"):
        lines.append(f"Largest label / smallest label: {report.imbalance_ratio:g}")
    return lines


def label_values(sample: pd.DataFrame, mapping: ColumnMapping) -> pd.Series | None:
    """The cells of the mapping's one label column in `sample`; None without one."""
    label = mapping.label
    if label is None or label not in sample.columns:
        return None
    return sample[label]


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def texts_of(frame: pd.DataFrame, mapping: ColumnMapping):
    """(texts, pairs or None, rows with an empty text or pair) as strings."""
    texts = frame[mapping.text].astype(str)
    empty = texts.str.strip() == ""
    pairs = None
    if mapping.text_pair:
        pairs = frame[mapping.text_pair].astype(str)
        empty |= pairs.str.strip() == ""
    return texts, pairs, empty


def make_examples(texts, pairs, targets, keep: np.ndarray, skipped: dict) -> Examples:
    positions = np.flatnonzero(keep)
    return Examples(
        rows=positions.tolist(),
        texts=texts.to_numpy()[positions].tolist(),
        targets=[targets[i] for i in positions],
        text_pairs=None if pairs is None else pairs.to_numpy()[positions].tolist(),
        skipped={reason: np.flatnonzero(mask).tolist() for reason, mask in skipped.items()},
    )


def per_label_rows(labels, precision, recall, f1, support) -> list[dict]:
    """The per-label table of the evaluation page, from sklearn's per-label arrays."""
    return [
        {
            "label": label,
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(labels)
    ]


def label_section(report, counts: pd.Series, rare_blocks: bool = True) -> None:
    """Labels and their counts, labels too rare to learn (blocking, or only a warning where
    a row may have other labels too), imbalance, look-alike spellings."""
    report.labels = [{"label": str(k), "count": int(v)} for k, v in counts.items()]
    report.imbalance_ratio = None
    report.rare_labels = [str(k) for k, v in counts.items() if v < MIN_EXAMPLES_PER_LABEL]
    for label in report.rare_labels:
        n = int(counts[label])
        rows = f"{n} row{'s' if n != 1 else ''}"
        if rare_blocks:
            report.problems.append(
                f'The label "{label}" has only {rows}; each label needs at least '
                f"{MIN_EXAMPLES_PER_LABEL}. Add rows for it, merge it into another label, or "
                "drop it."
            )
        else:
            report.warnings.append(
                f'The label "{label}" has only {rows}; the model will hardly learn it. Add '
                f"at least {MIN_EXAMPLES_PER_LABEL} rows with it, or remove it."
            )
    if len(counts) >= 2:
        ordered = counts.sort_values(ascending=False)
        report.imbalance_ratio = round(float(ordered.iloc[0] / ordered.iloc[-1]), 2)
        if report.imbalance_ratio >= IMBALANCE_WARNING:
            report.warnings.append(
                f'"{ordered.index[0]}" has {report.imbalance_ratio:g} times more rows than '
                f'"{ordered.index[-1]}"; the model may rarely predict the smaller labels.'
            )
    spellings = defaultdict(set)
    for label in counts.index:
        spellings[re.sub(r"[\W_]+", "", str(label).casefold())].add(str(label))
    report.similar_labels = [sorted(v) for v in spellings.values() if len(v) > 1]
    for group in report.similar_labels:
        names = ", ".join(f'"{x}"' for x in group)
        report.warnings.append(
            f"These labels look like the same label spelled differently: {names}. "
            "If they mean the same, make them identical."
        )
