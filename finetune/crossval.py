"""A pick that few validation rows can trust (finetune.candidates.compare uses it).

With a few validation rows one row more or less right moves a figure by many points: on 64
SST-2 rows the 6 validation rows picked the fine-tuned model (5 of 6 right) although the
sentence-meaning model read the 872 test rows 6.5 points better (bench/RESULTS.md, "Small
sheets"). So, below FEW_VALIDATION_ROWS validation rows:
1. each candidate that is quick to fit again (Task.candidates, Task.base_model_candidates) is
   scored by FOLDS-fold cross-validation over the training and validation rows together:
   fitted on four fifths, it answers the fifth it never saw, and the answers of all the folds
   are scored at once with the task's compare metric (folds keep what Task.stratify_keys
   keeps in proportion; seeded);
2. the best of them serves, unless the fine-tuned model (too slow to train five times) beats
   that figure on the validation rows by more than those rows can tell apart: more than one
   standard error of a figure on n rows (`margin`).

    figures = cross_validated(task, splits.train, splits.validation, head, base_model)
    figures["tfidf"]                      # its out-of-fold figure over every row
"""

import math
import random
from typing import TYPE_CHECKING

from finetune import encoder

if TYPE_CHECKING:  # finetune.tasks imports finetune.candidates, which imports this module
    from finetune.tasks.base import Examples

# Below this many validation rows the pick is by cross-validation. One standard error of an
# accuracy near 75% is 6 points on 50 rows (and 18 on 6): a gap of a few points on fewer rows
# is luck. Above it the validation rows pick, as before.
FEW_VALIDATION_ROWS = 50
FOLDS = 5
SEED = 0
BOOTSTRAP = 200  # resamples of the validation rows for a paired standard error


def few(validation: "Examples") -> bool:
    return len(validation) < FEW_VALIDATION_ROWS


def together(train: "Examples", validation: "Examples") -> "Examples":
    """The training rows, then the validation rows, as one set of examples."""
    pairs = None
    if train.text_pairs is not None or validation.text_pairs is not None:
        pairs = [*(train.text_pairs or [""] * len(train)),
                 *(validation.text_pairs or [""] * len(validation))]  # fmt: skip
    return type(train)(
        rows=[*train.rows, *validation.rows],
        texts=[*train.texts, *validation.texts],
        targets=[*train.targets, *validation.targets],
        text_pairs=pairs,
    )


def folds(task, examples: "Examples", k: int = FOLDS, seed: int = SEED) -> list[list[int]]:
    """`k` lists of row positions; the rows of each stratify key are shuffled and dealt in
    turn, so each fold holds about as many of them as the others."""
    by_key: dict[str, list[int]] = {}
    for i, key in enumerate(task.stratify_keys(examples.targets)):
        by_key.setdefault(key, []).append(i)
    rng = random.Random(seed)
    out: list[list[int]] = [[] for _ in range(k)]
    dealt = 0
    for key in sorted(by_key):
        rows = by_key[key]
        rng.shuffle(rows)
        for i in rows:
            out[dealt % k].append(i)
            dealt += 1
    return [sorted(fold) for fold in out if fold]


def cross_validated(task, train: "Examples", validation: "Examples", head: dict,
                    base_model: str | None = None) -> dict[str, float]:  # fmt: skip
    """Each quick candidate's figure (the task's compare metric) over its out-of-fold answers
    on the training and validation rows together, by candidate name."""
    everything = together(train, validation)
    answers: dict[str, list] = {}
    with encoder.reused():  # each text read by the base model once, for every fold
        for fold in folds(task, everything):
            held = set(fold)
            rest = everything.subset(i for i in range(len(everything)) if i not in held)
            part = everything.subset(fold)
            fitted = task.candidates(rest, None, head)
            if base_model:
                fitted += task.base_model_candidates(base_model, rest, None, head)
            for candidate in fitted:
                slots = answers.setdefault(candidate.name, [None] * len(everything))
                for i, answer in zip(fold, candidate.answers(part), strict=True):
                    slots[i] = answer
    name = task.compare_metric or task.primary_metric
    return {
        candidate: float(task.metrics(everything.targets, given, head)[name])
        for candidate, given in answers.items()
        if all(answer is not None for answer in given)
    }


def margin(task, figure: float, rows: int) -> float:
    """One standard error of a figure measured on `rows` rows, as the task says of its metric
    (Task.standard_error); no rows: no figure can be told apart."""
    if rows <= 0:
        return math.inf
    return float(task.standard_error(figure, rows))


def paired_margin(task, targets: list, answers: list, head: dict, other: list,
                  other_head: dict) -> float:  # fmt: skip
    """One standard error of the gap between two sets of answers' figures (the task's compare
    metric) on the same rows: the gap's spread over BOOTSTRAP resamples of those rows, seeded.
    Two models that answer many rows alike keep their gap from resample to resample, so a
    lead is told apart sooner than by each figure's own error (`margin`)."""
    import numpy as np

    if not targets:
        return math.inf
    name = task.compare_metric or task.primary_metric
    rng = np.random.default_rng(SEED)
    gaps = []
    for _ in range(BOOTSTRAP):
        pick = rng.integers(0, len(targets), len(targets))
        drawn = [targets[i] for i in pick]
        mine = task.metrics(drawn, [answers[i] for i in pick], head)[name]
        theirs = task.metrics(drawn, [other[i] for i in pick], other_head)[name]
        gaps.append(float(mine) - float(theirs))
    gaps = np.asarray(gaps)
    gaps = gaps[~np.isnan(gaps)]
    return float(np.std(gaps, ddof=1)) if len(gaps) > 1 else math.inf


def clearly_better_on_rows(task, targets: list, answers: list, head: dict, other: list,
                           other_head: dict) -> bool:  # fmt: skip
    """True when `answers` beat `other` on the same rows (`targets`) by more than one paired
    standard error (`paired_margin`), in the task's direction."""
    name = task.compare_metric or task.primary_metric
    figure = float(task.metrics(targets, answers, head)[name])
    theirs = float(task.metrics(targets, other, other_head)[name])
    return _ahead(task, figure, theirs,
                  lambda: paired_margin(task, targets, answers, head, other, other_head))  # fmt: skip


def clearly_better(task, figure: float, other: float, rows: int) -> bool:
    """True when `figure`, measured on `rows` validation rows, beats `other` by more than
    one standard error, in the task's direction."""
    return _ahead(task, figure, other, lambda: margin(task, figure, rows))


def _ahead(task, figure: float, other: float, margin_of) -> bool:
    """True when `figure` beats `other` in the task's direction by more than `margin_of()`,
    which is asked only when it leads (a paired margin takes a few seconds); a missing figure
    (NaN) beats nothing, and anything beats a missing one."""
    if math.isnan(figure):
        return False
    if math.isnan(other):
        return True
    gap = figure - other if task.greater_is_better else other - figure
    return gap > 0 and gap > margin_of()
