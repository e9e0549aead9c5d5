"""An int8 copy of a trained model for fast prediction on CPUs, used only when it agrees.

    model8 = int8_copy(model)                        # dynamic int8 quantization of the Linear layers
    figures = compare(task, head, full_preds, int8_preds, targets)
    figures["int8_ok"], figures["int8_agreement"], figures["int8_test_<metric>"]

Dynamic quantization stores each Linear layer's weights as int8 and quantizes activations on
the fly: no calibration data, deterministic from the saved full-precision weights, so the copy
is made again whenever a CPU process loads the model (nothing extra is stored or downloaded).
After training it is checked on the test rows: it is served only when it gives the same answer
on at least AGREEMENT of them and its headline metric is within METRIC_POINTS of the full model.
Tasks whose answers are numbers (Task.int8_safe = False) keep full precision.
"""

import warnings

AGREEMENT = 0.99  # share of test rows that must get the same answer
METRIC_POINTS = 0.005  # the headline metric may drop by at most half a point


def int8_copy(model):
    """A copy of `model` (on the CPU) with int8 Linear layers; the original is untouched."""
    import copy

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch marks the eager quantization API as legacy
        return torch.ao.quantization.quantize_dynamic(
            copy.deepcopy(model).to("cpu").eval(), {torch.nn.Linear}, dtype=torch.qint8
        )


def compare(task, head, full: list[dict], int8: list[dict], targets: list) -> dict:
    """How the int8 copy does against the full model on the same rows (flat, JSON-able)."""
    same = [task.answer_key(a) == task.answer_key(b) for a, b in zip(full, int8, strict=True)]
    agreement = sum(same) / len(same) if same else 1.0
    name = task.primary_metric
    full_metric = task.metrics(targets, full, head)[name]
    int8_metric = task.metrics(targets, int8, head)[name]
    drop = (full_metric - int8_metric) if task.greater_is_better else (int8_metric - full_metric)
    return {
        "int8_ok": bool(agreement >= AGREEMENT and drop <= METRIC_POINTS),
        "int8_agreement": round(agreement, 4),
        f"int8_test_{name}": int8_metric,
    }
