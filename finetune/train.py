"""Fine-tune a base model on a table: the training loop, its config, and its progress.

    from finetune.train import TrainConfig, train
    result = train(table, Columns(text="review", label="sentiment"), TrainConfig(), "runs/reviews",
                   on_progress=print, should_cancel=lambda: False)
    result.metrics["test_accuracy"]

Steps: check the data (health report), split it, load the base model, train with AdamW and a
linear warm-up schedule (each batch padded only to its own longest row; bf16 on a CUDA GPU),
evaluate on the validation rows after every epoch and keep the best weights, stop early when
validation stops improving, then evaluate on the test rows against two baselines and write
one self-contained run directory (see finetune/rundir.py).
"""

import functools
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np
import pandas as pd

from finetune import basemodels, rundir
from finetune.columns import Columns
from finetune.data import Table
from finetune.errors import Canceled, FinetuneError
from finetune.health import check
from finetune.splits import split_examples
from finetune.tasks import get_task

AUTO_EPOCH_STEPS = 400  # "auto" epochs aim for about this many optimizer steps in all


@dataclass
class TrainConfig:
    task: str = "single_label"  # a name from finetune.tasks.TASKS
    base_model: str = basemodels.DEFAULT_BASE_MODEL  # bundled default, hub id or local folder
    epochs: int = 0  # passes over the training rows; 0 = auto (3 to 15, by data size)
    learning_rate: float = 5e-5  # AdamW peak learning rate
    batch_size: int = 16  # rows per optimizer step
    max_length: int = 128  # word pieces read per text; longer texts are cut
    warmup_ratio: float = 0.1  # share of steps spent ramping the learning rate up
    weight_decay: float = 0.01  # AdamW weight decay (not on biases and norms)
    patience: int = 2  # epochs without validation improvement before stopping
    seed: int = 42  # same seed, same data, same machine: same model
    validation_fraction: float = 0.1  # rows held out to pick the best epoch
    test_fraction: float = 0.1  # rows held out for the final evaluation
    max_steps: int = 0  # stop after this many steps (0 = no limit); for quick trials
    device: str = "auto"  # "auto" (CUDA GPU when present), "cuda" or "cpu"

    def __post_init__(self):
        get_task(self.task)
        checks = [
            (self.epochs >= 0, "The number of epochs cannot be negative."),
            (
                0 < self.learning_rate < 1,
                "The learning rate must be between 0 and 1, like 0.00005.",
            ),
            (1 <= self.batch_size <= 1024, "The batch size must be between 1 and 1024."),
            (8 <= self.max_length <= 8192, "The maximum text length must be between 8 and 8192."),
            (0 <= self.warmup_ratio < 1, "The warm-up share must be between 0 and 1."),
            (0 <= self.weight_decay < 1, "The weight decay must be between 0 and 1."),
            (self.patience >= 0, "The patience cannot be negative."),
            (0 < self.validation_fraction < 0.5, "The validation share must be between 0 and 0.5."),
            (0 < self.test_fraction < 0.5, "The test share must be between 0 and 0.5."),
            (self.max_steps >= 0, "The step limit cannot be negative."),
            (self.device in ("auto", "cuda", "cpu"), 'The device must be "auto", "cuda" or "cpu".'),
        ]
        for ok, message in checks:
            if not ok:
                raise FinetuneError(message)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        names = {f.name: f.type for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


FIELD_HELP = {
    "epochs": "How many times training reads all rows. Auto picks 3 to 15 by data size.",
    "learning_rate": "How big each learning step is. Lower it if training is unstable.",
    "batch_size": "Rows learned from at once. Larger is faster on a GPU but needs more memory.",
    "max_length": "How much of each text the model reads, in word pieces. Longer is slower.",
    "warmup_ratio": "Share of training spent slowly raising the learning rate at the start.",
    "weight_decay": "A small pull towards simpler models that helps against overfitting.",
    "patience": "Stop after this many passes without improvement on the validation rows.",
    "seed": "Fixes the random choices, so the same settings give the same model.",
    "validation_fraction": "Share of rows held back to pick the best pass.",
    "test_fraction": "Share of rows held back for the final evaluation.",
    "max_steps": "Stop after this many steps (0 means no limit). Useful for a quick trial.",
}


@dataclass
class Progress:
    phase: str  # "loading" | "training" | "evaluating" | "saving"
    step: int = 0
    total_steps: int = 0
    epoch: float = 0.0
    epochs: int = 0
    loss: float | None = None
    metric_name: str = ""
    val_metric: float | None = None
    seconds_left: float | None = None

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total_steps) if self.total_steps else 0.0

    def to_dict(self) -> dict:
        return asdict(self) | {"fraction": round(self.fraction, 4)}


@dataclass
class TrainResult:
    out_dir: Path
    metrics: dict


def pick_device(name: str):
    import torch

    if name == "cuda" or (name == "auto" and torch.cuda.is_available()):
        if not torch.cuda.is_available():
            raise FinetuneError("No GPU is available on this worker. Choose the CPU instead.")
        return torch.device("cuda")
    return torch.device("cpu")


def auto_epochs(train_rows: int, batch_size: int) -> int:
    steps_per_epoch = max(1, math.ceil(train_rows / batch_size))
    return int(min(15, max(3, math.ceil(AUTO_EPOCH_STEPS / steps_per_epoch))))


def _explain_out_of_memory(train_fn):
    """Running out of GPU (or CPU) memory becomes a plain sentence with what to change."""

    @functools.wraps(train_fn)
    def wrapper(table, columns, config, out_dir, **callbacks):
        import torch

        try:
            return train_fn(table, columns, config, out_dir, **callbacks)
        except torch.OutOfMemoryError:
            raise FinetuneError(
                f"The {'GPU' if torch.cuda.is_available() else 'computer'} ran out of memory. "
                f"Lower the batch size (now {config.batch_size}) or the maximum text length "
                f"(now {config.max_length}) and train again."
            ) from None

    return wrapper


@_explain_out_of_memory
def train(
    table: Table | pd.DataFrame,
    columns: Columns,
    config: TrainConfig,
    out_dir,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
) -> TrainResult:
    import torch
    from transformers import get_linear_schedule_with_warmup, set_seed

    from finetune.predict import predict_logits

    started = time.monotonic()
    report_progress = on_progress or (lambda progress: None)
    canceled = should_cancel or (lambda: False)
    out_dir = Path(out_dir)
    task = get_task(config.task)
    frame = table.frame if isinstance(table, Table) else table
    report_progress(Progress("loading"))

    # 1. Check the data; refuse what cannot be trained, with the report's own words.
    base = basemodels.resolve(config.base_model)
    tokenizer = basemodels.load_tokenizer(base)
    health = check(
        table, columns, task=config.task, max_length=config.max_length, tokenizer=tokenizer
    )
    if health.problems:
        raise FinetuneError(health.problems[0])

    # 2. Split, and fix the label list (sorted, from all rows) before the model is built.
    set_seed(config.seed)
    examples = task.prepare(frame, columns)
    labels = task.label_list(examples)
    split_values = frame[columns.split].tolist() if columns.split else None
    splits = split_examples(
        examples,
        task,
        validation=config.validation_fraction,
        test=config.test_fraction,
        seed=config.seed,
        split_values=split_values,
    )

    # 3. Model, tokenized rows (no padding yet), optimizer and schedule.
    device = pick_device(config.device)
    model = basemodels.load_model(base, task.model_kwargs(labels)).to(device)
    encoded = tokenizer(
        splits.train.texts, splits.train.text_pairs, truncation=True, max_length=config.max_length
    )
    targets = task.encode_targets(splits.train.targets, labels)
    features = [
        {key: encoded[key][i] for key in encoded} | {"labels": targets[i]}
        for i in range(len(targets))
    ]
    epochs = config.epochs or auto_epochs(len(features), config.batch_size)
    steps_per_epoch = math.ceil(len(features) / config.batch_size)
    total_steps = epochs * steps_per_epoch
    if config.max_steps:
        total_steps = min(total_steps, config.max_steps)
    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    groups = [
        {
            "params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)],
            "weight_decay": config.weight_decay,
        },
        {
            "params": [p for n, p in model.named_parameters() if n.endswith(no_decay)],
            "weight_decay": 0.0,
        },
    ]
    optimizer = torch.optim.AdamW(groups, lr=config.learning_rate)
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(config.warmup_ratio * total_steps), total_steps
    )
    use_bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()
    generator = torch.Generator().manual_seed(config.seed)

    def validate() -> tuple[float, float]:
        """The validation metric, and the validation loss that breaks ties between epochs."""
        logits = predict_logits(
            model,
            tokenizer,
            splits.validation.texts,
            splits.validation.text_pairs,
            max_length=config.max_length,
            device=device,
        )
        targets = splits.validation.targets
        predictions = task.postprocess(logits, labels)
        metric = task.metrics(targets, predictions, labels)[task.primary_metric]
        return metric, task.loss(logits, task.encode_targets(targets, labels))

    # 4. Train; validate after each epoch; keep the best weights; stop when patience runs out.
    history, step, best_metric, best_state, best_epoch, stale = [], 0, -math.inf, None, 0, 0
    best_loss = math.inf
    train_started = time.monotonic()

    def progress(phase: str, epoch: float, loss: float | None = None) -> None:
        per_step = (time.monotonic() - train_started) / max(step, 1)
        report_progress(
            Progress(
                phase,
                step,
                total_steps,
                round(epoch, 3),
                epochs,
                loss,
                task.primary_metric,
                best_metric if best_state is not None else None,
                per_step * (total_steps - step),
            )
        )

    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(features), generator=generator).tolist()
        running = []
        for start in range(0, len(order), config.batch_size):
            if canceled():
                raise Canceled()
            batch = tokenizer.pad(
                [features[i] for i in order[start : start + config.batch_size]], return_tensors="pt"
            )
            batch = {k: v.to(device) for k, v in batch.items()}
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
                loss = model(**batch).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            step += 1
            running.append(float(loss.detach()))
            progress(
                "training", epoch - 1 + (start + len(batch["labels"])) / len(order), running[-1]
            )
            if step >= total_steps:
                break
        progress("evaluating", epoch)
        metric, val_loss = validate()
        history.append(
            {
                "step": step,
                "epoch": epoch,
                "loss": float(np.mean(running)),
                "val_metric": metric,
                "val_loss": val_loss,
                "metric_name": task.primary_metric,
            }
        )
        # Better metric wins; on a tie (common with few validation rows), lower loss wins.
        if metric > best_metric or (metric == best_metric and val_loss < best_loss):
            best_metric, best_loss, best_epoch, stale = metric, val_loss, epoch, 0
            best_state = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        else:
            stale += 1
        progress("training", epoch, history[-1]["loss"])
        if step >= total_steps or (config.patience and stale >= config.patience):
            break
    train_seconds = time.monotonic() - train_started

    # 5. Evaluate the best weights on the test rows, beside the baselines.
    progress("evaluating", epoch)
    model.load_state_dict(best_state)
    model.eval()
    logits = predict_logits(
        model,
        tokenizer,
        splits.test.texts,
        splits.test.text_pairs,
        max_length=config.max_length,
        device=device,
    )
    predictions = task.postprocess(logits, labels)
    metrics = {
        f"test_{k}": v for k, v in task.metrics(splits.test.targets, predictions, labels).items()
    }
    metrics |= task.baselines(splits.train, splits.test, labels)
    metrics |= splits.sizes() | {
        f"val_{task.primary_metric}": best_metric,
        "best_epoch": best_epoch,
        "epochs_run": len(history),
        "train_seconds": round(train_seconds, 1),
        "total_seconds": round(time.monotonic() - started, 1),
        "device": device.type,
    }

    # 6. One self-contained directory: model, tokenizer, config, report, metrics, predictions.
    progress("saving", epoch)
    model.to("cpu")
    rundir.write(
        out_dir,
        model=model,
        tokenizer=tokenizer,
        task=task,
        labels=labels,
        columns=columns,
        config=config,
        health=health,
        metrics=metrics,
        history=history,
        evaluation=task.evaluation(splits.test.targets, predictions, labels),
        test=splits.test,
        test_predictions=predictions,
        row_number=_row_number(table),
    )
    return TrainResult(out_dir=out_dir, metrics=metrics)


def _row_number(table):
    return table.row_number if isinstance(table, Table) else (lambda i: i + 2)
