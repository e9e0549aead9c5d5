"""Labels that look wrong: the rows whose label the rest of the data disagrees with, most
suspicious first, each with the label LabelTune would give and how sure it is.

    found = check_labels(examples, get_task(name), base_model="all-MiniLM-L6-v2",
                         row_number=table.row_number)
    found.issues[0]   # {"row": 57, "text": "...", "given": "negative", "suggested": "positive",
                      #  "confidence": 0.93, "score": 0.04, ...}
    write_issues(found, "label_issues.xlsx")   # or .csv, formula-safe

How (confident learning, through the cleanlab library; no training of the base model):
1. each text becomes the base model's mean-pooled sentence embedding (cut at 128 pieces);
2. logistic regression, cross-validated in 5 stratified folds (seeded), gives each row the
   probabilities of a model that never saw that row (out of fold); of a few strengths of
   regularisation, the one whose probabilities fit the given labels best is kept;
3. cleanlab.filter.find_label_issues keeps the rows whose given label is less likely than
   the per-label thresholds of confident learning allow ("prune by noise rate", its default
   cut), ranked by self-confidence: the probability of the given label, lowest first;
4. each kept row gets the label the model finds most likely, and that probability.
With several labels per row: one logistic regression per label and cleanlab's multi-label
filter; the suggestion is the set of labels above one half, sure as its least sure change.
A task says whether its labels can be checked (Task.label_check); others get a sentence.
"""

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from finetune.errors import FinetuneError

FOLDS = 5  # cross-validation folds; a label needs this many rows to be checked
MIN_ROWS = 20  # fewer rows than this: nothing worth checking
SEED = 0  # folds and logistic regression: the same list every time
EMBED_MAX_LENGTH = 128  # word pieces read per text for its embedding
EMBED_BATCH = 64  # texts per forward pass
# Inverse regularisation of the logistic regression, picked per check by the out-of-fold log
# loss: MiniLM on 2,000 SST-2 rows needs 0.01 (bench/label_issues.py), tiny data sets 1.
C_GRID = (0.01, 0.1, 1.0)
SUGGEST_AT = 0.5  # several labels per row: a label is suggested from this probability
TEXT_CHARS = 300  # characters of each text kept in the list
SHOWN = 500  # rows kept in the list at most (the most suspicious)
COLUMNS = ["spreadsheet row", "text", "given label", "suggested label", "confidence", "score"]


@dataclass
class LabelIssues:
    checked: bool = False  # False: `reason` says why the labels were not checked
    reason: str = ""
    several: bool = False  # labels are sets (multi-label)
    rows_checked: int = 0
    left_out: int = 0  # rows of labels with too few rows to check
    found: int = 0  # rows listed by cleanlab (before SHOWN)
    issues: list[dict] = field(default_factory=list)  # most suspicious first
    labels: list[str] = field(default_factory=list)  # the labels a row may be changed to
    base_model: str = ""  # in words
    seconds: float = 0.0  # embeddings + cross-validation

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "LabelIssues":
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in (data or {}).items() if k in names})


def not_checked_words(task) -> str:
    """The sentence for a task whose labels are not checked (regression, named entities)."""
    what = task.label_words[0].upper() + task.label_words[1:]
    return f"{what} are not checked for ones that look wrong: LabelTune does that for labels only."


def check_labels(examples, task, *, base_model: str, row_number=None, seed: int = SEED,
                 max_length: int = EMBED_MAX_LENGTH, device: str = "cpu") -> LabelIssues:  # fmt: skip
    """The rows of `examples` (finetune.tasks.Examples) whose label looks wrong; `row_number`
    turns a frame position into the spreadsheet row (default: position + 2)."""
    row_number = row_number or (lambda i: i + 2)
    if not task.label_check:
        return LabelIssues(reason=not_checked_words(task))
    several = task.label_check == "several"
    labels, keep = _checkable(examples.targets, several)
    left_out = len(examples) - len(keep)
    if len(keep) < MIN_ROWS or len(labels) < 2:
        return LabelIssues(
            several=several,
            left_out=left_out,
            reason=f"Labels are checked from {MIN_ROWS} rows with at least two labels of "
            f"{FOLDS} rows each; this data has too few.",
        )
    started = time.monotonic()
    sub = examples.subset(keep)

    # 1. Sentence embeddings of the base model.
    features = embed(sub.texts, sub.text_pairs, base_model=base_model, max_length=max_length,
                     device=device)  # fmt: skip

    # 2.-3. Out-of-fold probabilities, then confident learning.
    if several:
        given = [sorted(labels.index(x) for x in t if x in labels) for t in sub.targets]
        probs = best_out_of_fold(features, _multi_hot(given, len(labels)), several=True, seed=seed)
        ranked, scores = _cleanlab_several(given, probs)
    else:
        given = np.array([labels.index(t) for t in sub.targets])
        probs = best_out_of_fold(features, given, several=False, seed=seed)
        ranked, scores = _cleanlab_one(given, probs)

    # 4. The label the model would give, and how sure it is.
    issues = []
    for i in ranked:
        if several:
            suggested = [k for k in range(len(labels)) if probs[i, k] >= SUGGEST_AT]
            changed = sorted(set(suggested) ^ set(given[i]))
            if not changed:
                continue
            sure = min(max(probs[i, k], 1 - probs[i, k]) for k in changed)
            old = list(sub.targets[i])  # its labels too rare to check stay as they are
            new = [labels[k] for k in suggested] + [x for x in old if x not in labels]
        else:
            best = int(np.argmax(probs[i]))
            if best == given[i]:
                continue
            sure, old, new = probs[i, best], labels[given[i]], labels[best]
        issues.append({
            "row": int(row_number(sub.rows[i])),
            "text": _text(sub, i),
            "given": old,
            "suggested": new,
            "confidence": round(float(sure), 4),
            "score": round(float(scores[i]), 4),
        })  # fmt: skip
    from finetune.basemodels import display_name

    return LabelIssues(
        checked=True,
        several=several,
        rows_checked=len(keep),
        left_out=left_out,
        found=len(issues),
        issues=issues[:SHOWN],
        labels=labels,
        base_model=display_name(base_model),
        seconds=round(time.monotonic() - started, 1),
    )


def _checkable(targets: list, several: bool) -> tuple[list[str], list[int]]:
    """(the labels that can be checked, sorted; the positions of the rows to check): labels
    with at least FOLDS rows (and, with several per row, FOLDS rows without them)."""
    counts: dict[str, int] = {}
    for t in targets:
        for label in t if several else [t]:
            counts[label] = counts.get(label, 0) + 1
    n = len(targets)
    labels = sorted(k for k, c in counts.items() if c >= FOLDS and (not several or n - c >= FOLDS))
    if several:  # a row keeps its checkable labels; its others are not judged
        return labels, list(range(n))
    known = set(labels)
    return labels, [i for i, t in enumerate(targets) if t in known]


def _text(examples, i: int) -> str:
    text = examples.texts[i]
    if examples.text_pairs:
        text = f"{text} / {examples.text_pairs[i]}"
    return text if len(text) <= TEXT_CHARS else text[: TEXT_CHARS - 1] + "…"


def _multi_hot(given: list[list[int]], width: int) -> np.ndarray:
    out = np.zeros((len(given), width), dtype=int)
    for row, ks in enumerate(given):
        out[row, ks] = 1
    return out


def embed(texts: list[str], pairs: list[str] | None = None, *, base_model: str,
          max_length: int = EMBED_MAX_LENGTH, batch_size: int = EMBED_BATCH,
          device: str = "cpu") -> np.ndarray:  # fmt: skip
    """The base model's mean-pooled sentence embedding of each text (and its pair)."""
    import torch

    from finetune import basemodels
    from finetune.modeling import pad_batch

    path = basemodels.resolve(base_model)
    tokenizer = basemodels.load_tokenizer(path)
    model = basemodels.load_model(path, {}, "AutoModel").to(device).eval()
    encoded = tokenizer(texts, pairs, truncation=True, max_length=max_length)
    lengths = [len(ids) for ids in encoded["input_ids"]]
    order = np.argsort(lengths, kind="stable")  # batches of similar lengths pad little
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            batch = {k: v.to(device) for k, v in
                     pad_batch(encoded, chunk, lengths, tokenizer.pad_token_id).items()}  # fmt: skip
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1)
            out[chunk] = pooled.float().cpu().numpy()
    return out


def best_out_of_fold(features: np.ndarray, targets: np.ndarray, *, several: bool,
                     seed: int = SEED) -> np.ndarray:  # fmt: skip
    """`out_of_fold` with the C of C_GRID whose probabilities have the lowest log loss on
    the given labels (per label with `several`)."""
    from sklearn.metrics import log_loss

    best, best_loss = None, np.inf
    for c in C_GRID:
        probs = out_of_fold(features, targets, several=several, seed=seed, c=c)
        if several:
            loss = np.mean([log_loss(targets[:, k], probs[:, k], labels=[0, 1])
                            for k in range(targets.shape[1])])  # fmt: skip
        else:
            loss = log_loss(targets, probs, labels=list(range(probs.shape[1])))
        if loss < best_loss:
            best, best_loss = probs, loss
    return best


def out_of_fold(features: np.ndarray, targets: np.ndarray, *, several: bool,
                seed: int = SEED, folds: int = FOLDS, c: float = 1.0) -> np.ndarray:  # fmt: skip
    """Each row's probabilities from logistic regression fitted on the other folds: per label
    (rows x labels) with `several`, else over the labels (rows sum to 1)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    regression = LogisticRegression(C=c, max_iter=2000, random_state=seed)
    if several:  # stratifying on sets of labels is not defined; plain shuffled folds
        model = make_pipeline(StandardScaler(), OneVsRestClassifier(regression))
        splits = KFold(n_splits=folds, shuffle=True, random_state=seed)
    else:
        model = make_pipeline(StandardScaler(), regression)
        splits = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return cross_val_predict(model, features, targets, cv=splits, method="predict_proba")


def _cleanlab_one(given: np.ndarray, probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    ranked = find_label_issues(given, probs, return_indices_ranked_by="self_confidence", n_jobs=1)
    return ranked, get_label_quality_scores(given, probs, method="self_confidence")


def _cleanlab_several(given: list[list[int]], probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from cleanlab.multilabel_classification.filter import find_label_issues
    from cleanlab.multilabel_classification.rank import get_label_quality_scores

    ranked = find_label_issues(given, probs, return_indices_ranked_by="self_confidence", n_jobs=1)
    return ranked, get_label_quality_scores(given, probs, method="self_confidence")


def in_words(value) -> str:
    """A label, or a row's set of labels ("billing; refund", "(no label)")."""
    if isinstance(value, list | tuple):
        return "; ".join(value) or "(no label)"
    return str(value)


def issues_frame(found: LabelIssues):
    """The list as a table with COLUMNS, most suspicious first."""
    import pandas as pd

    rows = [
        [x["row"], x["text"], in_words(x["given"]), in_words(x["suggested"]),
         x["confidence"], x["score"]]
        for x in found.issues
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def write_issues(found: LabelIssues, path) -> Path:
    """Write the list as .csv or .xlsx through the formula-safe writer every export uses."""
    from finetune.writer import write_table

    if not found.checked:
        raise FinetuneError(found.reason)
    return write_table(issues_frame(found), path)
