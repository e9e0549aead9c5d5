"""An int8 copy of a trained model for fast prediction on CPUs, used only when it agrees.

    model8 = int8_copy(model)                        # dynamic int8 quantization of the Linear layers
    figures = compare(task, head, full_preds, int8_preds, targets)
    figures["int8_ok"], figures["int8_agreement"], figures["int8_test_<metric>"]
    write_int8_folder(run_dir, "reviews-int8")      # the run folder with the int8 copy instead
    model8 = load_int8(folder, model_class)          # what Predictor.load does with such a folder

Dynamic quantization stores each Linear layer's weights as int8, with a scale per output row
(per channel), and quantizes activations on the fly: no calibration data, deterministic from
the saved full-precision weights, so the copy is made again whenever a CPU process loads the
model (nothing extra is stored or downloaded).
After training it is checked on the test rows: it is served only when it gives the same answer
on at least AGREEMENT of them and its headline metric is within METRIC_POINTS of the full model.
Tasks whose answers are numbers (Task.int8_safe = False) keep full precision.

The download offers the int8 copy too: a folder like the run's, with INT8_FILE (safetensors,
no pickles) instead of model.safetensors. Each int8 Linear layer is stored as its int8
weights, scale, zero point and bias; every other tensor as it is. load_int8 rebuilds exactly
the copy int8_copy makes, so both give the same answers.
"""

import math
import shutil
import warnings
from pathlib import Path

from finetune import lora
from finetune.errors import FinetuneError

AGREEMENT = 0.99  # share of test rows that must get the same answer
METRIC_POINTS = 0.005  # the headline metric may drop by at most half a point


INT8_FILE = "model.int8.safetensors"
FULL_FILE = "model.safetensors"
FORMAT = "labeltune-int8-dynamic-v1"  # in the file's metadata
INT8_README = """
## This folder holds the int8 copy

Its weights are `{file}`: the model's Linear layers in int8 (dynamic quantization), for
fast answers on CPUs; on this model's test rows it gave the same answer as the full model on
{agreement} of rows. `transformers.pipeline` cannot load it; LabelTune can:

```python
from finetune.predict import Predictor
Predictor.load("path/to/this/folder").predict(["your text here"])
```

The full-precision download of the same model loads with `transformers.pipeline` as well.
"""


def int8_copy(model, inplace: bool = False):
    """A copy of `model` (on the CPU) with int8 Linear layers; the original is untouched
    unless `inplace` (which saves holding both in memory when the original is not needed).
    Each weight row has its own scale: on the MiniLM fine-tuned on 2,000 SST-2 rows
    (bench/distill.py), one scale per layer gave the full model's answer on 96.3% of the test
    rows and lost 0.9 points of accuracy; a scale per row gave 97.8% and gained 0.1."""
    import copy

    import torch

    if not inplace:
        model = copy.deepcopy(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch marks the eager quantization API as legacy
        return torch.ao.quantization.quantize_dynamic(
            model.to("cpu").eval(),
            {torch.nn.Linear: torch.ao.quantization.per_channel_dynamic_qconfig},
            dtype=torch.qint8,
            inplace=inplace,
        )


def _int8_layers(model) -> dict:
    from torch.ao.nn.quantized.dynamic import Linear

    return {name: m for name, m in model.named_modules() if isinstance(m, Linear)}


def _in_layer(name: str, layers: dict) -> bool:
    """True for the state-dict entries of an int8 layer (scale, zero_point, _packed_params.*)."""
    return name.rsplit(".", 1)[0] in layers or name.rsplit(".", 2)[0] in layers


def int8_tensors(model8) -> dict:
    """The int8 copy as plain tensors (safetensors can hold them): per int8 Linear layer
    `<name>.weight.int8`, `.weight.scale`, `.weight.zero_point` (`.weight.axis` when scaled per
    row) and `.bias`; every other tensor of the model under its own name."""
    import torch

    layers = _int8_layers(model8)
    tensors = {
        name: value.detach().clone()
        for name, value in model8.state_dict().items()
        if isinstance(value, torch.Tensor) and not _in_layer(name, layers)
    }
    for name, layer in layers.items():
        weight, bias = layer._weight_bias()
        tensors[f"{name}.weight.int8"] = weight.int_repr().contiguous()
        if weight.qscheme() in (torch.per_tensor_affine, torch.per_tensor_symmetric):
            tensors[f"{name}.weight.scale"] = torch.tensor([weight.q_scale()], dtype=torch.float64)
            tensors[f"{name}.weight.zero_point"] = torch.tensor([weight.q_zero_point()])
        else:
            tensors[f"{name}.weight.scale"] = weight.q_per_channel_scales().to(torch.float64)
            tensors[f"{name}.weight.zero_point"] = weight.q_per_channel_zero_points()
            tensors[f"{name}.weight.axis"] = torch.tensor([weight.q_per_channel_axis()])
        if bias is not None:
            tensors[f"{name}.bias"] = bias.detach().clone()
    return tensors


def save_int8(model8, path) -> Path:
    """Write the int8 copy `model8` (from int8_copy) as one safetensors file."""
    import torch
    from safetensors.torch import save_file

    save_file(int8_tensors(model8), str(path), metadata={"format": FORMAT,
                                                        "torch": torch.__version__})  # fmt: skip
    return Path(path)


def holds_only_int8(folder) -> bool:
    """True for a folder with the int8 copy and without the full weights (the int8 download)."""
    folder = Path(folder)
    return (folder / INT8_FILE).is_file() and not (folder / FULL_FILE).is_file()


def load_int8(folder, model_class):
    """The int8 model saved in `folder` (config.json and INT8_FILE), on the CPU, ready to
    predict: the same layers and numbers int8_copy made before it was saved. `model_class`:
    the transformers Auto class of the model's task (modeling.model_class)."""
    import torch
    from safetensors import safe_open
    from safetensors.torch import load_file
    from transformers import AutoConfig

    path = Path(folder) / INT8_FILE
    with safe_open(str(path), framework="pt") as handle:
        if (handle.metadata() or {}).get("format") != FORMAT:
            raise FinetuneError(f'"{path.name}" is not an int8 copy saved by LabelTune.')
    tensors = load_file(str(path))
    config = AutoConfig.from_pretrained(folder, trust_remote_code=False)
    model = int8_copy(model_class.from_config(config), inplace=True)
    mismatch = FinetuneError(f'"{path.name}" does not match this folder\'s config.json.')
    # 1. The int8 layers: weights, scale and zero point as saved, bias as it was.
    layers = _int8_layers(model)
    for name, layer in layers.items():
        if f"{name}.weight.int8" not in tensors:
            raise mismatch
        values = tensors.pop(f"{name}.weight.int8")
        scale, zero = tensors.pop(f"{name}.weight.scale"), tensors.pop(f"{name}.weight.zero_point")
        axis = tensors.pop(f"{name}.weight.axis", None)
        if axis is None:
            weight = torch._make_per_tensor_quantized_tensor(values, float(scale[0]), int(zero[0]))
        else:
            weight = torch._make_per_channel_quantized_tensor(values, scale, zero, int(axis[0]))
        layer.set_weight_bias(weight, tensors.pop(f"{name}.bias", None))
    # 2. Every other tensor in place (load_state_dict would ask the int8 layers for theirs).
    if set(tensors) != {name for name in model.state_dict() if not _in_layer(name, layers)}:
        raise mismatch
    targets = dict(model.named_parameters()) | dict(model.named_buffers())
    with torch.no_grad():
        for name, value in tensors.items():
            targets[name].copy_(value)
    return model.eval()


def share_words(share: float) -> str:
    """0.995 -> "99.5%", rounded down: 99.96% of rows is not "100%"."""
    return f"{math.floor(share * 1000) / 10:g}%"


def write_int8_folder(run_dir, dest, agreement: float | None = None) -> Path:
    """`dest`: the run folder's files with INT8_FILE instead of the full weights, and a
    README that says how to load it. The other files are copied as they are (the test rows
    file was written formula-safe)."""
    from finetune.modeling import load_trained

    run_dir, dest = Path(run_dir), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for file in sorted(p for p in run_dir.rglob("*") if p.is_file()):
        name = file.relative_to(run_dir).as_posix()  # a candidate's encoder keeps its weights
        if name != FULL_FILE and name not in lora.ADAPTER_FILES:  # a copy of its own
            target = dest / file.relative_to(run_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
    model, _, _ = load_trained(run_dir, "cpu")
    save_int8(int8_copy(model, inplace=True), dest / INT8_FILE)
    share = "most" if agreement is None else share_words(agreement)
    card = dest / "README.md"
    text = lora.without_card_note(card.read_text(encoding="utf-8") if card.is_file() else "")
    card.write_text(text + INT8_README.format(file=INT8_FILE, agreement=share), encoding="utf-8")
    return dest


def agreement(task, answers: list[dict], others: list[dict]) -> float:
    """The share of rows where both give the same answer (Task.answer_key); 1.0 for no rows."""
    same = [task.answer_key(a) == task.answer_key(b) for a, b in zip(answers, others, strict=True)]
    return sum(same) / len(same) if same else 1.0


def drop(task, before: float, after: float) -> float:
    """How much worse `after` is than `before` in the task's direction (negative: better)."""
    return (before - after) if task.greater_is_better else (after - before)


def compare(task, head, full: list[dict], int8: list[dict], targets: list) -> dict:
    """How the int8 copy does against the full model on the same rows (flat, JSON-able)."""
    share = agreement(task, full, int8)
    name = task.primary_metric
    int8_metric = task.metrics(targets, int8, head)[name]
    lost = drop(task, task.metrics(targets, full, head)[name], int8_metric)
    return {
        "int8_ok": bool(share >= AGREEMENT and lost <= METRIC_POINTS),
        "int8_agreement": round(share, 4),
        f"int8_test_{name}": int8_metric,
    }
