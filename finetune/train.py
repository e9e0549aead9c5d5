"""Fine-tune a base model on a table: the three steps (the config and the progress they
report: finetune/config.py).

    from finetune.train import TrainConfig, train
    result = train(table, ColumnMapping(text="review", label="sentiment"), TrainConfig(),
                   "runs/reviews", on_progress=print, should_cancel=lambda: False)
    result.metrics["test_accuracy"]

train() is three steps, each its own function:
1. prepare: check the data (health report), turn rows into the task's examples, split them,
   and fix the model's head (labels, scale) before the model is built;
2. fit: pick what was left on auto within the time budget (the learning rate by short
   trials, the epochs: finetune/tuning.py), train with AdamW and a linear warm-up (each batch
   padded only to its own longest row; bf16 on a CUDA GPU), validate after every epoch, keep
   the best weights by the task's metric and direction, stop early when validation stops
   improving; a checkpoint written atomically after each epoch lets a stopped run resume;
3. evaluate: tune the task's decision settings on the validation rows, score the test rows
   beside the task's baselines; the fine-tuned model serves unless a simpler candidate is
   clearly better on the validation rows (finetune/candidates.py); write one self-contained
   run directory.
The task (finetune/tasks) decides everything that differs by problem type.
"""

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from finetune import (
    basemodels,
    candidates,
    checkpoint,
    distributed,
    lora,
    quantize,
    rundir,
    tuning,
    vocabulary,
)
from finetune.config import Progress, TrainConfig
from finetune.data import Table
from finetune.errors import Canceled, FinetuneError
from finetune.health import HealthReport, check
from finetune.mapping import ColumnMapping
from finetune.modeling import pick_device
from finetune.splits import Splits, split_table
from finetune.tasks import Head, Task, get_task


def _explain_out_of_memory(train_fn):
    """Running out of GPU (or CPU) memory becomes a plain sentence with what to change."""

    @functools.wraps(train_fn)
    def wrapper(table, mapping, config, out_dir, **callbacks):
        import torch

        try:
            return train_fn(table, mapping, config, out_dir, **callbacks)
        except torch.OutOfMemoryError:
            raise FinetuneError(
                f"The {'GPU' if torch.cuda.is_available() else 'computer'} ran out of memory. "
                f"Lower the batch size (now {config.batch_size}) or the maximum text length "
                f"(now {config.max_length}) and train again."
            ) from None

    return wrapper


@dataclass
class TrainResult:
    out_dir: Path
    metrics: dict
    resumed_epoch: int = 0


@dataclass
class Prepared:
    """Everything fit and evaluate need, fixed before the model is built."""

    task: Task
    mapping: ColumnMapping
    config: TrainConfig
    base: str  # the resolved base model: hub id or folder
    tokenizer: object
    health: HealthReport
    splits: Splits
    head: Head
    row_number: Callable[[int], int]
    # Puts an earlier run's weights into the freshly built model (finetune/continual.py).
    start: Callable[[object], None] | None = None


@dataclass
class Fitted:
    model: object
    history: list[dict]
    best_epoch: int
    best_metric: float | None
    train_seconds: float
    resumed_epoch: int = 0
    choices: dict | None = None  # the automatic choices and why it stopped (finetune.tuning)
    tuned: object = None  # the base model tuned on pairs, as an Encoder (finetune.contrastive)


def prepare(table: Table | pd.DataFrame, mapping: ColumnMapping, config: TrainConfig) -> Prepared:
    """1. Check, split and fix the head; refuse what cannot be trained, in the report's words."""
    from transformers import set_seed

    task = get_task(config.task)
    base = basemodels.resolve(config.base_model)
    tokenizer = basemodels.load_tokenizer(base)
    health = check(
        table, mapping, task=config.task, max_length=config.max_length, tokenizer=tokenizer
    )
    if health.problems:
        raise FinetuneError(health.problems[0])
    set_seed(config.seed)
    examples, splits = split_table(task, table, mapping, config)
    head = task.make_head(splits.train, examples)
    row_number = table.row_number if isinstance(table, Table) else (lambda i: i + 2)
    return Prepared(task, mapping, config, base, tokenizer, health, splits, head, row_number)


def fit(
    prepared: Prepared,
    device,
    checkpoint_dir: Path | None = None,
    report_progress: Callable[[Progress], None] = lambda p: None,
    canceled: Callable[[], bool] = lambda: False,
) -> Fitted:
    """2. Train; validate after each epoch; keep the best weights; stop when patience runs out.

    With `checkpoint_dir`, a complete checkpoint is written after every epoch, and one found
    there (from a run that was stopped) is resumed instead of starting over."""
    import torch

    task, config, splits, head = prepared.task, prepared.config, prepared.splits, prepared.head
    tokenizer = prepared.tokenizer
    model = basemodels.load_model(prepared.base, task.model_kwargs(head), task.auto_model)
    task.init_head(model, head, splits.train.targets)
    if prepared.start is not None:
        prepared.start(model)
    from finetune import contrastive  # few rows: pairs of rows first

    paired = contrastive.before(model, prepared, device, canceled)  # None: no pairs
    extend = "off" if lora.uses_lora(config) else config.extend_vocabulary  # base stays as is
    prepared.health.added_characters = vocabulary.extend(
        model, tokenizer, splits.train.texts, extend
    )
    model = (lora.wrap(model, config) if lora.uses_lora(config) else model).to(device)

    # 1. Tokenize the training rows once (no padding yet), as the task encodes them (a long
    #    text may give several rows); targets as the task encodes them.
    rows, targets = task.encode(tokenizer, splits.train, head, config.max_length)
    stepper = tuning.Stepper(task, tokenizer, rows, targets, config, device)

    # 2. A checkpoint from an earlier, stopped attempt of the same run (same settings, same
    #    head, same split rows): continue after it, with the choices it made.
    train_part, val_part = splits.train, splits.validation
    key = checkpoint.fingerprint(
        config,
        [head, train_part.rows, train_part.texts, train_part.text_pairs, train_part.targets,
         val_part.rows],
    )  # fmt: skip
    saved = checkpoint.load(checkpoint_dir, key) if checkpoint_dir else None
    state = saved.state if saved is not None else checkpoint.State()
    resumed_epoch = state.epoch

    def validate() -> tuple[float, float]:
        """The validation metric, and the validation loss that breaks ties between epochs."""
        outputs = task.run_model(model, tokenizer, val_part.texts, val_part.text_pairs,
                                 max_length=config.max_length, device=device)  # fmt: skip
        predictions = task.postprocess(outputs, task.tune(outputs, val_part.targets, head))
        metric = task.metrics(val_part.targets, predictions, head)[task.primary_metric]
        loss = task.validation_loss(outputs, val_part.targets, head)
        return distributed.agreed((float(metric), loss))  # rank 0's, on every rank

    # 3. What was left on auto, within the budget: the learning rate, the epochs.
    def trying(step: int, total: int) -> None:
        report_progress(Progress("trying", step, total))

    tuner = tuning.Tuner(config, task, stepper, validate, canceled, trying)
    state.choices = tuner.resume(state.choices) if state.choices else tuner.choose(model)
    state.choices = distributed.agreed(state.choices)
    distributed.seed_rank(config.seed)
    state.choices = contrastive.noted(state.choices, paired.pairs if paired else 0, task)
    epochs, total_steps = state.choices["planned_epochs"], state.choices["planned_steps"]

    # 4. Optimizer and schedule, restored with the rest when resuming.
    rate = state.choices["learning_rate"]
    optimizer, scheduler = tuning.optimizer_for(model, config, rate, total_steps)
    generator = torch.Generator().manual_seed(config.seed)
    if saved is not None:
        model.load_state_dict(saved.model)
        optimizer.load_state_dict(saved.optimizer)
        scheduler.load_state_dict(saved.scheduler)
        generator.set_state(saved.generator)
        checkpoint.restore_random_state(saved)

    train_started = time.monotonic()
    steps_at_start = state.step

    def progress(phase: str, epoch: float, loss: float | None = None) -> None:
        done = max(state.step - steps_at_start, 1)
        per_step = (time.monotonic() - train_started) / done
        report_progress(
            Progress(
                phase,
                state.step,
                total_steps,
                round(epoch, 3),
                epochs,
                loss,
                task.primary_metric,
                state.best_metric,
                per_step * (total_steps - state.step),
                resumed_epoch,
            )
        )

    best_weights = saved.best_weights if saved is not None else None
    epoch = state.epoch
    for epoch in range(state.epoch + 1, epochs + 1):
        stale = config.patience and state.stale >= config.patience
        if state.step >= total_steps or stale or distributed.any_rank(tuner.out_of_time()):
            epoch -= 1
            break
        model.train()
        running, done = [], 0
        for chunk in stepper.batches(generator):
            if canceled():
                raise Canceled()
            running.append(stepper.step(model, chunk, optimizer, scheduler))
            state.step += 1
            done += len(chunk)
            progress("training", epoch - 1 + done / len(rows), running[-1])
            if state.step >= total_steps or distributed.any_rank(tuner.out_of_time()):
                break
        if canceled():
            raise Canceled()
        progress("evaluating", epoch)
        metric, val_loss = validate()
        state.history.append(
            {
                "step": state.step,
                "epoch": epoch,
                "loss": float(np.mean(running)),
                "val_metric": metric,
                "val_loss": val_loss,
                "metric_name": task.primary_metric,
            }
        )
        if tuning.better(task, metric, val_loss, state.best_metric, state.best_loss):
            state.best_metric, state.best_loss, state.best_epoch, state.stale = (
                metric, val_loss, epoch, 0
            )  # fmt: skip
            best_weights = {
                k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()
            }
        else:
            state.stale += 1
        state.epoch = epoch
        state.choices["seconds"] = time.monotonic() - tuner.started
        if checkpoint_dir and distributed.writer():
            checkpoint.save(
                checkpoint_dir, key, model, optimizer, scheduler, generator, state, best_weights
            )
        progress("training", epoch, state.history[-1]["loss"])

    # 4. The best weights (or the last ones, when no epoch ever scored).
    if best_weights is not None:
        model.load_state_dict(best_weights)
    model.eval()
    return Fitted(
        model=model,
        history=state.history,
        best_epoch=state.best_epoch or epoch,
        best_metric=state.best_metric,
        train_seconds=time.monotonic() - train_started,
        resumed_epoch=resumed_epoch,
        choices=tuner.finish(state.choices, state, epochs, total_steps),
        tuned=paired.encoder if paired else None,
    )


def evaluate(
    prepared: Prepared, fitted: Fitted, device
) -> tuple[Head, list[dict], dict, candidates.Candidate | None]:
    """3. (tuned head, test predictions, flat metrics, the serving candidate or None: the model)."""
    task, splits, config = prepared.task, prepared.splits, prepared.config

    def logits_of(part):
        return task.run_model(fitted.model, prepared.tokenizer, part.texts, part.text_pairs,
                              max_length=config.max_length, device=device)  # fmt: skip

    validation = logits_of(splits.validation)
    head = task.tune(validation, splits.validation.targets, prepared.head)
    predictions = task.postprocess(logits_of(splits.test), head)
    metrics = {
        f"test_{k}": v for k, v in task.metrics(splits.test.targets, predictions, head).items()
    }
    found = candidates.compare(task, splits, head, task.postprocess(validation, head), predictions,
                               base_model=config.base_model, tuned=fitted.tuned)  # fmt: skip
    metrics |= found.metrics
    metrics |= splits.sizes() | {
        f"val_{task.primary_metric}": fitted.best_metric,
        "best_epoch": fitted.best_epoch,
        "epochs_run": len(fitted.history),
        "train_seconds": round(fitted.train_seconds, 1),
        "device": device.type,
        "processes": distributed.size(),  # that trained it together (finetune/distributed.py)
    }
    if fitted.resumed_epoch:
        metrics["resumed_after_epoch"] = fitted.resumed_epoch
    if task.int8_safe:
        metrics |= _int8_check(prepared, fitted.model, head, predictions)
    return head, predictions, metrics, found.served


def _int8_check(prepared: Prepared, model, head: Head, predictions: list[dict]) -> dict:
    """The int8 copy for CPU serving, scored on the same test rows (finetune/quantize.py)."""
    import torch

    test = prepared.splits.test
    logits = prepared.task.run_model(
        quantize.int8_copy(lora.merged(model), inplace=lora.is_lora(model)),
        prepared.tokenizer,
        test.texts,
        test.text_pairs,
        max_length=prepared.config.max_length,
        device=torch.device("cpu"),
    )
    int8 = prepared.task.postprocess(logits, head)
    return quantize.compare(prepared.task, head, predictions, int8, test.targets)


@_explain_out_of_memory
def train(
    table: Table | pd.DataFrame,
    mapping: ColumnMapping,
    config: TrainConfig,
    out_dir,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    continued=None,
) -> TrainResult:
    """prepare, fit, evaluate, and write the run directory. A checkpoint left in
    `out_dir` by an earlier attempt that was stopped is resumed. `continued`: a
    finetune.continual.Continuation, to learn from new rows starting from an earlier model."""
    if (world := distributed.count(config)) > 1 and not distributed.active():
        return distributed.launch(train, (table, mapping, config, out_dir), world, continued,
                                  on_progress=on_progress, should_cancel=should_cancel)  # fmt: skip
    started = time.monotonic()
    report_progress = on_progress or (lambda progress: None)
    canceled = should_cancel or (lambda: False)
    out_dir = Path(out_dir)
    report_progress(Progress("loading"))

    prepared = (continued.prepare if continued else prepare)(table, mapping, config)
    device = pick_device(config.device)
    fitted = fit(prepared, device, checkpoint.folder(out_dir), report_progress, canceled)
    if not distributed.writer():  # rank 0 evaluates and writes alone
        return TrainResult(out_dir=out_dir, metrics={})
    last = fitted.history[-1]["epoch"] if fitted.history else 0

    def stage(phase: str) -> None:
        if canceled():  # a cancel near the end stops here, before the model is offered
            raise Canceled()
        report_progress(
            Progress(phase, 1, 1, last, last, metric_name=prepared.task.primary_metric,
                     val_metric=fitted.best_metric, resumed_epoch=fitted.resumed_epoch)
        )  # fmt: skip

    stage("evaluating")
    head, predictions, metrics, served = evaluate(prepared, fitted, device)
    metrics["total_seconds"] = round(time.monotonic() - started, 1)
    metrics["added_characters"] = prepared.health.added_characters
    metrics |= tuning.metrics_of(fitted.choices)
    if continued:
        metrics["continued_from"] = continued.before_and_after(prepared, head, predictions, device)
    if lora.is_lora(fitted.model):
        metrics["lora_trained_share"] = round(lora.stored_share(fitted.model), 5)
    stage("saving")
    fitted.model.to("cpu")
    head = prepared.task.export(fitted.model, head)
    rundir.write(
        out_dir,
        model=fitted.model,
        tokenizer=prepared.tokenizer,
        task=prepared.task,
        head=head,
        mapping=mapping,
        config=config,
        health=prepared.health,
        metrics=metrics,
        history=fitted.history,
        evaluation=prepared.task.evaluation(prepared.splits.test.targets, predictions, head),
        test=prepared.splits.test,
        test_predictions=predictions,
        row_number=prepared.row_number,
        served=served,
    )
    checkpoint.remove(out_dir)
    return TrainResult(
        out_dir=out_dir, metrics=rundir.finite(metrics), resumed_epoch=fitted.resumed_epoch
    )
