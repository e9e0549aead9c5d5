"""What a training run is told and what it reports: TrainConfig (every setting, checked when
made, with FIELD_HELP, the one-line help the CLI and the Train page show) and Progress (what
train() reports while it works). finetune/train.py runs them.

    config = TrainConfig(epochs=3, budget="quick")    # FinetuneError naming a wrong setting
    TrainConfig.from_dict(run.config)                 # as frozen on a run (unknown keys left out)
"""

from dataclasses import asdict, dataclass, field, fields

from finetune import basemodels, distributed, lora, rundir, tuning, vocabulary
from finetune.errors import FinetuneError
from finetune.tasks import default_task, get_task


@dataclass
class TrainConfig:
    task: str = field(default_factory=lambda: default_task().name)  # from finetune.tasks.TASKS
    base_model: str = basemodels.DEFAULT_BASE_MODEL  # bundled default, hub id or local folder
    # What auto choices may take: "quick", "better", "best" or minutes (finetune/tuning.py).
    budget: str = "better"
    epochs: int = 0  # passes over the training rows; 0 = auto, within the budget
    learning_rate: float = 0.0  # AdamW peak learning rate; 0 = auto, by short trials
    batch_size: int = 16  # rows per optimizer step
    group_by_length: bool = True  # batches of rows of similar length (less padding, faster)
    max_length: int = 128  # word pieces read per text; longer texts are cut
    warmup_ratio: float = 0.1  # share of steps spent ramping the learning rate up
    weight_decay: float = 0.01  # AdamW weight decay (not on biases and norms)
    patience: int = 2  # epochs without validation improvement before stopping
    seed: int = 42  # same seed, same data, same machine: same model
    validation_fraction: float = 0.1  # rows held out to pick the best epoch
    test_fraction: float = 0.1  # rows held out for the final evaluation
    max_steps: int = 0  # stop after this many steps (0 = no limit); for quick trials
    device: str = "auto"  # "auto" (CUDA GPU when present), "cuda" or "cpu"
    # Start from contrastive pairs of the training rows (finetune/contrastive.py): "auto" up
    # to the task's number of rows (Task.contrastive_rows), "on" or "off".
    contrastive: str = "auto"
    # Teach the model the characters of the training texts it reads as unknown (new rows in
    # its embeddings): "auto" when over 10% of the text is unknown to it (Chinese in an
    # English model; bench/RESULTS.md "Chinese text"), "on" or "off".
    extend_vocabulary: str = "auto"
    method: str = "full"  # or "lora": adapters beside the frozen base (finetune/lora.py)
    lora_rank: int = 8  # the adapters' rank: larger learns more and stores more
    lora_layers: str = "all"  # "all" linear layers of the base, or its "attention" only
    # GPUs (one process each) that train the run together, data parallel (finetune/
    # distributed.py): 0 = all the worker was given; without a GPU, CPU processes.
    processes: int = 0

    def __post_init__(self):
        get_task(self.task)
        if isinstance(self.budget, int | float):  # minutes, from Python
            self.budget = f"{self.budget:g}"
        checks = [
            (not tuning.budget_problem(self.budget), tuning.budget_problem(self.budget)),
            (self.epochs >= 0, "The number of epochs cannot be negative."),
            (
                0 <= self.learning_rate < 1,
                "The learning rate must be between 0 and 1, like 0.0001 (0 picks it).",
            ),
            (1 <= self.batch_size <= 1024, "The batch size must be between 1 and 1024."),
            (8 <= self.max_length <= 8192, "The maximum text length must be between 8 and 8192."),
            (0 <= self.warmup_ratio < 1, "The warm-up share must be between 0 and 1."),
            (0 <= self.weight_decay < 1, "The weight decay must be between 0 and 1."),
            (self.patience >= 0, "The patience cannot be negative."),
            (0 < self.validation_fraction < 0.5, "The validation share must be between 0 and 0.5."),
            (0 < self.test_fraction < 0.5, "The test share must be between 0 and 0.5."),
            (
                self.contrastive in ("auto", "on", "off"),  # finetune.contrastive.SETTINGS
                'Learning from pairs of rows first must be "auto", "on" or "off".',
            ),
            (self.max_steps >= 0, "The step limit cannot be negative."),
            (self.device in ("auto", "cuda", "cpu"), 'The device must be "auto", "cuda" or "cpu".'),
            (
                self.extend_vocabulary in vocabulary.SETTINGS,
                'Adding characters to the model must be "auto", "on" or "off".',
            ),
        ]
        checks += [(False, problem) for problem in lora.problems(self) + distributed.problems(self)]
        for ok, message in checks:
            if not ok:
                raise FinetuneError(message)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "TrainConfig":
        names = {f.name: f.type for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


FIELD_HELP = (
    {
        "budget": "How long the automatic choices may train: quick, better, best (keep going while "
        "it improves) or a number of minutes.",
        "epochs": "How many times training reads all rows. Auto keeps going while it improves, "
        "within the budget.",
        "learning_rate": "How big each learning step is. 0 tries a few on some rows and keeps the "
        "best.",
        "batch_size": "Rows learned from at once. Larger is faster on a GPU but needs more memory.",
        "max_length": "How much of each text the model reads, in word pieces. Longer is slower.",
        "warmup_ratio": "Share of training spent slowly raising the learning rate at the start.",
        "weight_decay": "A small pull towards simpler models that helps against overfitting.",
        "patience": "Stop after this many passes without improvement on the validation rows.",
        "seed": "Fixes the random choices, so the same settings give the same model.",
        "contrastive": "First teach the model which rows go together, from pairs of rows with the "
        "same label and with different labels: auto (one label per row, few rows), on or off.",
        "validation_fraction": "Share of rows held back to pick the best pass.",
        "test_fraction": "Share of rows held back for the final evaluation.",
        "max_steps": "Stop after this many steps (0 means no limit). Useful for a quick trial.",
        "extend_vocabulary": "Teach the model the characters it cannot read (Chinese in an English "
        "model) before training: auto (when many are unknown), on or off.",
    }
    | lora.FIELD_HELP
    | distributed.FIELD_HELP
)


@dataclass
class Progress:
    phase: str  # "loading" | "trying" (learning rates) | "training" | "evaluating" | "saving"
    step: int = 0
    total_steps: int = 0
    epoch: float = 0.0
    epochs: int = 0
    loss: float | None = None
    metric_name: str = ""
    val_metric: float | None = None
    seconds_left: float | None = None
    resumed_epoch: int = 0  # the epoch a resumed run continued after (0: started afresh)

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.total_steps) if self.total_steps else 0.0

    def to_dict(self) -> dict:
        return rundir.finite(asdict(self) | {"fraction": round(self.fraction, 4)})
