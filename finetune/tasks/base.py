"""The shape every task shares, so the trainer never needs to know which task it runs.

A task turns the user's table into `Examples` (prepare), tells the model how many outputs
it needs (model_kwargs), turns targets into tensors (encode_targets), turns raw model
outputs into readable predictions (postprocess), and scores predictions (metrics,
evaluation, baselines). Add a task: subclass `Task`, fill these in, register it in
`finetune/tasks/__init__.py`.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from finetune.columns import Columns


@dataclass
class Examples:
    """Usable rows of one table, already mapped from the user's columns to internal names."""

    rows: list[int]  # positions in the original frame, to point back at spreadsheet rows
    texts: list[str]
    targets: list  # raw target per row (label text for classification)
    text_pairs: list[str] | None = None
    skipped: dict[str, list[int]] = field(default_factory=dict)  # reason -> frame positions

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, positions) -> "Examples":
        pick = list(positions)
        return Examples(
            rows=[self.rows[i] for i in pick],
            texts=[self.texts[i] for i in pick],
            targets=[self.targets[i] for i in pick],
            text_pairs=[self.text_pairs[i] for i in pick] if self.text_pairs else None,
        )


class Task:
    name = ""
    title = ""  # plain words for the web and the CLI
    primary_metric = ""  # the validation metric that picks the best checkpoint
    pipeline_tag = "text-classification"
    needs_label = True

    def prepare(self, frame: pd.DataFrame, columns: Columns) -> Examples:
        raise NotImplementedError

    def label_list(self, examples: Examples) -> list[str]:
        """The sorted label names the model will output."""
        raise NotImplementedError

    def model_kwargs(self, labels: list[str]) -> dict:
        raise NotImplementedError

    def encode_targets(self, targets: list, labels: list[str]) -> list:
        raise NotImplementedError

    def postprocess(self, logits: np.ndarray, labels: list[str]) -> list[dict]:
        raise NotImplementedError

    def loss(self, logits: np.ndarray, encoded_targets: list) -> float:
        """The training loss on held-out rows: breaks ties between equally scored epochs."""
        raise NotImplementedError

    def metrics(self, targets: list, predictions: list[dict], labels: list[str]) -> dict:
        """A flat dict with stable keys; `self.primary_metric` among them."""
        raise NotImplementedError

    def evaluation(self, targets: list, predictions: list[dict], labels: list[str]) -> dict:
        """Detail for the evaluation page (per-label table, confusion matrix)."""
        raise NotImplementedError

    def baselines(self, train: Examples, test: Examples, labels: list[str]) -> dict:
        """Flat dict of simple baselines' figures on the same test rows."""
        raise NotImplementedError

    def stratify_key(self, target) -> str:
        """What splits keep in proportion (the label, for classification)."""
        return ""
