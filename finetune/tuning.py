"""The choices made for the user within a time budget: the learning rate and how long to train.

    budget = budget_of("better")          # or "quick", "best", or minutes: "20"
    tuner = Tuner(config, task, stepper, validate, canceled, report)
    choice = tuner.choose(model)          # trials, plan: learning rate, epochs, steps, sentences
    optimizer, scheduler = optimizer_for(model, config, choice["learning_rate"], total_steps)
    ... tuner.out_of_time() at each step ...
    choice = tuner.finish(...)            # adds the sentence that says why training stopped

train.fit() calls it; it never imports Django. The steps (each only when left on auto):
1. Learning rate (TrainConfig.learning_rate 0): each of three candidate rates trains a fresh
   copy of the model for the budget's trial steps on one seeded sample of the training rows;
   the rate with the best validation figure wins (a tie: the lower validation loss).
2. Epochs (TrainConfig.epochs 0): as many as the budget's step ceiling allows (at least
   MIN_EPOCHS, at most MAX_EPOCHS), fewer when the speed measured in the trials says they do
   not fit in its time; the learning rate falls linearly to zero over them. Training stops
   sooner when validation stops improving (patience) and at the time limit, whatever comes
   first, and keeps the best epoch.
3. Every decision is a plain sentence in metrics.json ("decisions"), with the trials' figures.
Same data, settings and seed: the same trials and the same plan, unless the time limit
binds (that depends on the computer's speed).
"""

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

from finetune import distributed, lora
from finetune.batches import length_grouped, random_batches
from finetune.errors import Canceled

MIN_EPOCHS, MAX_EPOCHS = 3, 60  # bounds of the automatic epochs
TIME_MARGIN = 0.9  # plan to use this share of the time left, for the epochs' validation
SMALL_MODEL = 60_000_000  # parameters; small models learn best with larger rates
SMALL_RATES = (3e-5, 1e-4, 3e-4)  # candidates tried for small models (MiniLM: 22M)
LARGE_RATES = (1e-5, 3e-5, 1e-4)  # and for larger ones (BERT base: 110M)
MAX_BUDGET_MINUTES = 7 * 24 * 60  # a budget in minutes: at most a week


@dataclass(frozen=True)
class Budget:
    name: str  # as TrainConfig.budget says it
    title: str  # as pages say it
    seconds: float | None  # time for trials and training; None: no limit
    max_steps: int  # ceiling on optimizer steps of automatic epochs
    trial_steps: int  # optimizer steps each learning-rate trial takes


# Trial steps: after 30 steps on SST-2 only the largest rate had moved, and three seeds of 2,000
# rows all picked 3e-4 (test accuracy 0.776 on average, against 0.822 with 1e-4); after 100
# steps two of them picked 1e-4 (0.846 and 0.834), while Resume NER still picked 3e-4, which
# its new characters need (bench/RESULTS.md, "The learning rate the trials pick").
BUDGETS = {
    "quick": Budget("quick", "Quick", 3 * 60, 400, 15),
    "better": Budget("better", "Better", 8 * 60, 1200, 100),
    "best": Budget("best", "Best", None, 4000, 200),
}
BUDGET_WORDS = {  # the Train page's choices
    "quick": "Quick: up to 3 minutes of training",
    "better": "Better: up to 8 minutes, trying a few learning rates first",
    "best": "Best: keep going while it improves, however long that takes",
}


def budget_of(value: str) -> Budget:
    """The budget named by `value`: "quick", "better", "best" or a number of minutes."""
    if value in BUDGETS:
        return BUDGETS[value]
    minutes = float(value)
    return Budget(f"{minutes:g}", f"{minutes:g}-minute", minutes * 60, BUDGETS["best"].max_steps,
                  BUDGETS["better"].trial_steps)  # fmt: skip


def budget_problem(value) -> str:
    """A sentence saying what is wrong with a budget; "" when it is fine."""
    if value in BUDGETS:
        return ""
    try:
        minutes = float(value)
    except (TypeError, ValueError):
        minutes = math.nan
    if 0 < minutes <= MAX_BUDGET_MINUTES:
        return ""
    return (
        'The time budget must be "quick", "better", "best" or a number of minutes, '
        f"at most {MAX_BUDGET_MINUTES:,} (a week)."
    )


def job_seconds(config: dict) -> float:
    """The time a run with these settings (TrainConfig.to_dict()) may need, beyond what any
    run may (0): its budget's time, half again and half an hour more for loading, evaluating
    and saving. Only automatic epochs are held to the budget's time."""
    value = config.get("budget", "")
    if config.get("epochs") or budget_problem(value) or not budget_of(value).seconds:
        return 0
    return 1.5 * budget_of(value).seconds + 1800


def better(task, metric: float, loss: float, best_metric, best_loss) -> bool:
    """Better metric wins (in the task's direction); on a tie, lower loss. A NaN metric never
    beats a real one; while no epoch has a real metric, the lower loss wins."""
    if math.isnan(metric):
        no_real_best = best_metric is None or math.isnan(best_metric)
        return no_real_best and not math.isnan(loss) and loss < best_loss
    if best_metric is None or math.isnan(best_metric):
        return True
    if metric == best_metric:
        return loss < best_loss
    return metric > best_metric if task.greater_is_better else metric < best_metric


def rate_words(rate: float) -> str:
    """1e-4, 3e-5: the way people write learning rates."""
    mantissa, exponent = f"{rate:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


AUTOMATIC = "chosen automatically"


def used_epochs(config: dict, metrics: dict) -> tuple[int | None, str]:
    """The epochs a run trains and how they were set: (3, "") as given; (4, AUTOMATIC) once
    training chose them (metrics' epochs_run); (None, AUTOMATIC) before it knows. The model
    card and the run page say them, each in its own sentence."""
    if config.get("epochs"):
        return int(config["epochs"]), ""
    return metrics.get("epochs_run") or None, AUTOMATIC


def used_rate(config: dict, metrics: dict) -> tuple[str | None, str]:
    """The learning rate a run trains with, in words, and how it was set: ("5e-05", "") as
    given; ("1e-4", "chosen by trials") once the trials picked it; (None, AUTOMATIC) before."""
    if config.get("learning_rate"):
        return str(config["learning_rate"]), ""
    used = metrics.get("learning_rate")
    return (rate_words(used), "chosen by trials") if used else (None, AUTOMATIC)


def optimizer_for(model, config, learning_rate: float, total_steps: int):
    """AdamW (no weight decay on biases and norms) and a linear warm-up then decay to zero."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    no_decay = ("bias", "LayerNorm.weight", "layer_norm.weight", "norm.weight")
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]  # LoRA: a few
    groups = [
        {"params": [p for n, p in named if not n.endswith(no_decay)],
         "weight_decay": config.weight_decay},
        {"params": [p for n, p in named if n.endswith(no_decay)], "weight_decay": 0.0},
    ]  # fmt: skip
    optimizer = torch.optim.AdamW(groups, lr=learning_rate)
    warmup = int(config.warmup_ratio * total_steps)
    return optimizer, get_linear_schedule_with_warmup(optimizer, warmup, total_steps)


class Stepper:
    """Batches of the encoded training rows and one optimizer step on a batch: the trials and
    fit() train the same way (each batch padded to its own longest row; bf16 on a GPU)."""

    def __init__(self, task, tokenizer, rows: list, targets: list, config, device):
        import torch

        self.task, self.tokenizer, self.rows, self.targets = task, tokenizer, rows, targets
        self.lengths = [len(row["input_ids"]) for row in rows]
        self.config, self.device = config, device
        self.pad_multiple = 8 if device.type == "cuda" else None  # tensor cores like 8s
        self.bf16 = device.type == "cuda" and torch.cuda.is_bf16_supported()

    def batches(self, generator, among: list[int] | None = None) -> list[list[int]]:
        """One epoch's batches over all rows, or over the rows `among`."""
        among = list(range(len(self.rows))) if among is None else among
        size = self.config.batch_size
        if self.config.group_by_length:
            found = length_grouped([self.lengths[i] for i in among], size, generator)
        else:
            found = random_batches(len(among), size, generator)
        return [[among[i] for i in batch] for batch in found]

    def step(self, model, chunk: list[int], optimizer, scheduler) -> float:
        """Learn from the rows `chunk` (this process's share of them, when several train
        together: finetune/distributed.py); the batch's loss."""
        import torch

        chunk, model = distributed.share(chunk), distributed.parallel(model)
        batch = self.tokenizer.pad(
            [self.rows[i] for i in chunk], return_tensors="pt", pad_to_multiple_of=self.pad_multiple
        )
        batch[self.task.target_key] = self.task.target_tensor(
            [self.targets[i] for i in chunk], batch["input_ids"].shape[1]
        )
        batch = {k: v.to(self.device) for k, v in batch.items()}
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=self.bf16):
            loss = model(**batch).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        return float(loss.detach())


@dataclass
class Trial:
    learning_rate: float
    val_metric: float
    val_loss: float
    seconds: float  # training time, validation aside

    def to_dict(self) -> dict:
        return asdict(self) | {"seconds": round(self.seconds, 2)}


def pick(task, trials: list[Trial]) -> Trial:
    """The trial with the best validation figure (a tie: the lower validation loss); the
    first one, when none scored."""
    best = trials[0]
    for trial in trials[1:]:
        if better(task, trial.val_metric, trial.val_loss, best.val_metric, best.val_loss):
            best = trial
    return best


class Tuner:
    """The automatic choices of one fit(), within the config's budget."""

    def __init__(self, config, task, stepper: Stepper, validate: Callable[[], tuple],
                 canceled: Callable[[], bool], report: Callable[[int, int], None]):  # fmt: skip
        self.config, self.task, self.stepper = config, task, stepper
        self.validate, self.canceled, self.report = validate, canceled, report
        self.budget = budget_of(config.budget)
        self.started = time.monotonic()
        self.deadline: float | None = None  # only automatic epochs are held to the time
        self.timed_out = False

    def choose(self, model) -> dict:
        """The learning rate and the plan, with a sentence for each choice made here."""
        config = self.config
        steps_per_epoch = math.ceil(len(self.stepper.rows) / config.batch_size)
        rate, trials, decisions, speed = config.learning_rate, [], [], None
        if not rate:
            trials, sentence, speed = self.try_rates(model)
            rate = pick(self.task, trials).learning_rate
            decisions.append(sentence.format(winner=rate_words(rate)))
        epochs, total_steps, sentence = self.plan(steps_per_epoch, speed)
        decisions += [sentence] if sentence else []
        return {
            "budget": self.budget.name,
            "learning_rate": rate,
            "learning_rate_trials": [t.to_dict() for t in trials],
            "planned_epochs": epochs,
            "planned_steps": total_steps,
            "decisions": decisions,
            "seconds": time.monotonic() - self.started,
        }

    def resume(self, choice: dict) -> dict:
        """A resumed run keeps its choices, and the time its budget had left."""
        self.started = time.monotonic() - choice.get("seconds", 0.0)
        if not self.config.epochs and self.budget.seconds:
            self.deadline = self.started + self.budget.seconds
        return choice

    def try_rates(self, model) -> tuple[list[Trial], str, tuple[float, float]]:
        """1. Train a fresh copy of the model with each candidate rate on one seeded sample.
        (trials, the sentence with "{winner}" to fill, (seconds per step, per validation))."""
        import torch

        config, steps = self.config, self.budget.trial_steps
        steps = min(steps, config.max_steps or steps)  # a step limit keeps the trials short too
        size = sum(p.numel() for p in model.parameters())
        rates = lora.trial_rates(config) or (SMALL_RATES if size < SMALL_MODEL else LARGE_RATES)
        count = len(self.stepper.rows)
        generator = torch.Generator().manual_seed(config.seed)
        sample = sorted(torch.randperm(count, generator=generator)[: steps * config.batch_size])
        sample = [int(i) for i in sample]
        start = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        trials, train_seconds, validate_seconds = [], 0.0, 0.0
        for number, rate in enumerate(rates):
            model.load_state_dict(start)
            torch.manual_seed(config.seed)  # the same dropout draws for every rate
            optimizer, scheduler = optimizer_for(model, config, rate, steps)
            batches, order = [], torch.Generator().manual_seed(config.seed)
            while len(batches) < steps and sample:
                batches += self.stepper.batches(order, sample)
            clock = time.monotonic()
            model.train()
            for done, chunk in enumerate(batches[:steps]):
                if self.canceled():
                    raise Canceled()
                self.stepper.step(model, chunk, optimizer, scheduler)
                self.report(number * steps + done + 1, len(rates) * steps)
            seconds = time.monotonic() - clock
            metric, loss = self.validate()
            validate_seconds += time.monotonic() - clock - seconds
            train_seconds += seconds
            trials.append(Trial(rate, metric, loss, seconds))
        model.load_state_dict(start)  # training proper starts from the same weights
        torch.manual_seed(config.seed)
        rows = _count(count, "training row")
        rows = f"all {rows}" if len(sample) == count else f"{len(sample) / count:.0%} of the {rows}"
        figures = ", ".join(
            f"{self.task.format_metric(t.val_metric)} with {rate_words(t.learning_rate)}"
            for t in trials
        )
        sentence = (
            f"Tried {len(rates)} learning rates for {steps} steps each on {rows}: {{winner}} "
            f"won on the validation rows ({self.task.metric_title}: {figures})."
        )
        speed = (train_seconds / (len(rates) * steps), validate_seconds / len(rates))
        return trials, sentence, speed

    def plan(self, steps_per_epoch: int, speed: tuple[float, float] | None):
        """2. (epochs, steps, the sentence) for training; the sentence is "" when the user set
        the epochs. `speed`: (seconds per step, seconds per validation), when measured."""
        config, budget = self.config, self.budget
        if config.epochs:
            epochs, sentence = config.epochs, ""
            total = epochs * steps_per_epoch
        else:
            epochs = math.ceil(budget.max_steps / steps_per_epoch)
            epochs = min(MAX_EPOCHS, max(MIN_EPOCHS, epochs))
            total = epochs * steps_per_epoch
            sentence = (
                f"Planned up to {epochs} epochs ({total:,} steps), the most the {budget.title} "
                "budget allows; training stops sooner when the validation rows stop improving."
            )
            if budget.seconds:
                self.deadline = self.started + budget.seconds
            if budget.seconds and speed:
                epochs, total, sentence = self._fit_in_time(epochs, steps_per_epoch, speed,
                                                            sentence)  # fmt: skip
        if config.max_steps and config.max_steps < total:
            total = config.max_steps
            sentence += f" The step limit you set stops it after {total:,} steps."
        return epochs, total, sentence.strip()

    def _fit_in_time(self, epochs: int, steps_per_epoch: int, speed, sentence: str):
        """Fewer epochs (or steps) when the ceiling does not fit in the time left."""
        per_step, per_validation = speed
        left = TIME_MARGIN * (self.deadline - time.monotonic())
        per_epoch = steps_per_epoch * per_step + per_validation
        if left >= epochs * per_epoch:
            return epochs, epochs * steps_per_epoch, sentence
        limit = f"the {self.budget.title} budget's {_minutes(self.budget.seconds)}"
        fit = int(left // per_epoch)
        if fit >= 1:
            return fit, fit * steps_per_epoch, (
                f"Planned {fit} epoch{'s' if fit != 1 else ''}: as many as fit in {limit} on "
                f"this computer (about {_seconds(per_epoch)} each)."
            )  # fmt: skip
        steps = max(1, int((left - per_validation) // per_step))
        return 1, min(steps, steps_per_epoch), (
            f"Planned {steps:,} steps, part of one epoch of {steps_per_epoch:,}: no more fit in "
            f"{limit} on this computer. Choose a bigger budget to learn from every row."
        )  # fmt: skip

    def out_of_time(self) -> bool:
        """True once the budget's time is used up (and from then on)."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            self.timed_out = True
        return self.timed_out

    def finish(self, choice: dict, state, planned: int, total_steps: int) -> dict:
        """3. The choices with the sentence that says why training stopped, as they go into
        metrics.json."""
        last, best = state.epoch, state.best_epoch or state.epoch
        patience = self.config.patience
        if self.timed_out:
            why = f"Stopped in epoch {last}: the {self.budget.title} budget's time was used up"
        elif last < planned and patience and state.stale >= patience:
            why = (
                f"Stopped after epoch {last} of {planned}: the validation rows did not improve "
                f"for {_count(patience, 'epoch')}"
            )
        elif last < planned:
            why = f"Stopped after epoch {last} at the step limit of {total_steps:,}"
        else:
            why = f"Ran the {_count(planned, 'planned epoch')}"
        sentence = f"{why}; epoch {best} was the best and is kept."
        if best == last > 1 and last >= planned and self.budget.name != "best":
            more = "more epochs" if self.config.epochs else "a bigger budget"
            sentence += f" It was still improving: {more} may do better."
        choice = dict(choice) | {"seconds": time.monotonic() - self.started}
        return choice | {"decisions": [*choice["decisions"], sentence]}


def _count(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' if n != 1 else ''}"


def _minutes(seconds: float) -> str:
    return _count(round(seconds / 60, 1), "minute").replace(".0 ", " ")


def _seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} seconds"
    return f"{round(seconds / 60)} minutes"


def metrics_of(choice: dict) -> dict:
    """What metrics.json records of the choices (the clock aside)."""
    return {key: value for key, value in choice.items() if key != "seconds"}
