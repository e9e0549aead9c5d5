"""Models for training and prediction: one place that loads them and runs them on batches.

    model = basemodels.load_model(base, task.model_kwargs(head))   # fresh head for the task
    model, tokenizer, info = load_trained(run_dir, device)
    logits = predict_logits(model, tokenizer, texts, pairs, max_length=128)

Rows are tokenized once, sorted by length and batched, so each batch pads only to its own
longest row; outputs come back in the original order. Loading is safetensors-only with the
model's own code never run (finetune.basemodels).
"""

from pathlib import Path

import numpy as np

from finetune import lora, rundir
from finetune.errors import FinetuneError

PREDICT_BATCH = 64  # rows per forward pass when predicting


def pick_device(name: str):
    import torch

    if name == "cuda" or (name == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise FinetuneError("No GPU is available on this worker. Choose the CPU instead.")
        return torch.device("cuda")
    return torch.device("cpu")


def load_trained(run_dir, device="auto", shared_base: bool = False, auto_class=None):
    """(model, tokenizer, info) of a run folder, on `device`, ready to predict. The model
    class is `auto_class` (its task's: `model_class(task)`), else the one its labeltune.json
    names (`auto_class_of`). A LoRA folder loads
    its base and adapter (finetune/lora.py): merged, or with `shared_base` on base weights the
    process holds once for all its LoRA models of that base."""
    from transformers import AutoTokenizer

    run_dir = Path(run_dir)
    if not (run_dir / rundir.INFO_FILE).is_file():
        raise FinetuneError(f'"{run_dir}" is not a LabelTune model folder (no labeltune.json).')
    info = rundir.read_info(run_dir)
    torch_device = pick_device(device) if isinstance(device, str) else device
    auto_class = auto_class or auto_class_of(info)
    if lora.is_adapter_folder(run_dir):
        model = lora.load(run_dir, info, auto_class, shared=shared_base).to(torch_device)
    else:
        model = auto_class.from_pretrained(
            run_dir, use_safetensors=True, trust_remote_code=False
        ).to(torch_device)
    if shared_base:  # one tokenizer for the LoRA models of a base, like the base's weights
        tokenizer = lora.shared_tokenizer(run_dir, info)
    else:
        tokenizer = AutoTokenizer.from_pretrained(run_dir, trust_remote_code=False)
    return model.eval(), tokenizer, info


def model_class(task):
    """The transformers Auto class of `task`'s models (`Task.auto_model`)."""
    import transformers

    return getattr(transformers, task.auto_model)


def auto_class_of(info: dict):
    """The transformers Auto class a run folder's labeltune.json names ("auto_model"); folders
    saved before it did: token classification for per-token pipelines, else sequence."""
    import transformers

    name = info.get("auto_model") or (
        "AutoModelForTokenClassification"
        if info.get("pipeline_tag") == "token-classification"
        else "AutoModelForSequenceClassification"
    )
    return getattr(transformers, name)


def pad_batch(encoded, rows, lengths, pad_id) -> dict:
    """The rows' tokens as right-padded tensors, like tokenizer.pad but without its
    per-call overhead (which is most of the time of one short prediction)."""
    import torch

    width = max(lengths[i] for i in rows)
    batch = {}
    for key, values in encoded.items():
        fill = pad_id if key == "input_ids" else 0
        array = np.full((len(rows), width), fill, dtype=np.int64)
        for n, i in enumerate(rows):
            array[n, : lengths[i]] = values[i]
        batch[key] = torch.from_numpy(array)
    return batch


def forward_batches(model, tokenizer, encoded, device=None, batch_size=PREDICT_BATCH,
                    read=None):  # fmt: skip
    """(row positions, their outputs as a float32 array) for each batch of `encoded` (model
    inputs, one list per row and key), rows grouped by length so each batch pads only to its
    own longest row; without gradients, bf16 on a CUDA GPU. `read`: the array to keep of the
    model's output (Task.read_outputs; default its logits)."""
    import torch

    device = device or next(model.parameters()).device
    if model.training:  # eval() walks every module: milliseconds, much of a short prediction
        model.eval()
    lengths = [len(ids) for ids in encoded.get("input_ids", [])]
    order = np.argsort(lengths, kind="stable")
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            batch = {
                k: v.to(device)
                for k, v in pad_batch(encoded, chunk, lengths, tokenizer.pad_token_id).items()
            }
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                output = model(**batch)
                logits = read(output) if read else output.logits
            yield chunk, logits.float().cpu().numpy()


def predict_logits(model, tokenizer, texts, pairs=None, *, max_length=128, device=None,
                   batch_size=PREDICT_BATCH, read=None) -> np.ndarray:  # fmt: skip
    """Raw model outputs for `texts` in their original order, one row each (`read`: as in
    forward_batches); batches grouped by length."""
    if not texts:
        return np.zeros((0, getattr(model.config, "num_labels", 0)), dtype=np.float32)
    encoded = tokenizer(texts, pairs, truncation=True, max_length=max_length)
    out = None
    for chunk, logits in forward_batches(model, tokenizer, encoded, device, batch_size, read):
        rows = logits.reshape(len(chunk), -1)
        if out is None:
            out = np.zeros((len(texts), rows.shape[1]), dtype=np.float32)
        out[chunk] = rows
    return out
