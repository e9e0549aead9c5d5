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


def load_trained(run_dir, device="auto", shared_base: bool = False):
    """(model, tokenizer, info) of a run folder, on `device`, ready to predict. The model
    class is the one its task trains (sequence or token classification). A LoRA folder loads
    its base and adapter (finetune/lora.py): merged, or with `shared_base` on base weights the
    process holds once for all its LoRA models of that base."""
    from transformers import AutoTokenizer

    from finetune.tasks import get_task

    run_dir = Path(run_dir)
    if not (run_dir / rundir.INFO_FILE).is_file():
        raise FinetuneError(f'"{run_dir}" is not a LabelTune model folder (no labeltune.json).')
    info = rundir.read_info(run_dir)
    torch_device = pick_device(device) if isinstance(device, str) else device
    auto_class = model_class(get_task(info["task"]))
    if lora.is_adapter_folder(run_dir):
        model = lora.load(run_dir, info, auto_class, shared=shared_base).to(torch_device)
    else:
        model = auto_class.from_pretrained(
            run_dir, use_safetensors=True, trust_remote_code=False
        ).to(torch_device)
    tokenizer = AutoTokenizer.from_pretrained(run_dir, trust_remote_code=False)
    return model.eval(), tokenizer, info


def model_class(task):
    """The transformers Auto class of `task`'s models (`Task.auto_model`)."""
    import transformers

    return getattr(transformers, task.auto_model)


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


def forward_batches(model, tokenizer, encoded, device=None, batch_size=PREDICT_BATCH):
    """(row positions, their outputs as a float32 array) for each batch of `encoded` (model
    inputs, one list per row and key), rows grouped by length so each batch pads only to its
    own longest row; without gradients, bf16 on a CUDA GPU."""
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
                logits = model(**batch).logits
            yield chunk, logits.float().cpu().numpy()


def predict_logits(
    model, tokenizer, texts, pairs=None, *, max_length=128, device=None, batch_size=PREDICT_BATCH
) -> np.ndarray:
    """Raw model outputs for `texts` in their original order; batches grouped by length."""
    out = np.zeros((len(texts), model.config.num_labels), dtype=np.float32)
    if not texts:
        return out
    encoded = tokenizer(texts, pairs, truncation=True, max_length=max_length)
    for chunk, logits in forward_batches(model, tokenizer, encoded, device, batch_size):
        out[chunk] = logits.reshape(len(chunk), -1)
    return out
