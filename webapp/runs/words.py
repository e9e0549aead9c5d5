"""What a training run's pages say about it, in words: its figures in its task's terms, the
columns, fixes and settings it trained with, how it resumed, the time left. TrainingRun
(runs.models) inherits RunWords; the lifecycle stays there.

    run.figures              # [("accuracy", "91.0%"), ...] once finished
    run.settings_in_words()  # [("Base model", "all-MiniLM-L6-v2"), ("Epochs", "4 (chosen automatically)"), ...]
    run.resumed_words        # "Resumed after epoch 2 of 5 when its worker was restarted."
"""

import logging

from webapp.queue.lifecycle import RunStatus

logger = logging.getLogger(__name__)

RESUMED = "Resumed after epoch {epoch} of {epochs} when its worker was restarted."
RESUMING = "Its worker was restarted, so it continues from its last complete epoch."
RESTARTED = "Started again from the beginning when its worker was restarted."
CANCELED_TOO_LATE = (
    "The cancel came too late: training had already finished and saved the model, so the "
    "model was kept. If you don't want it, delete this run."
)


class RunWords:
    """The words of a TrainingRun's pages, from its frozen task, mapping, fixes and config and
    its progress and metrics (fields of the model that inherits this)."""

    @property
    def figures(self) -> list[tuple[str, str]]:
        """The test figures in the task's words, [] until the run has them."""
        if f"test_{self.the_task.primary_metric}" not in self.metrics:
            return []  # not finished
        return self._task_figures(self.the_task.headline)

    @property
    def baseline_figures(self) -> list[tuple[str, str]]:
        """Each baseline's figure in the task's words, [] for a run trained without them."""
        if not any(key.startswith("baseline_") for key in self.metrics):
            return []
        return self._task_figures(self.the_task.baseline_headline)

    def _task_figures(self, headline) -> list[tuple[str, str]]:
        try:
            return headline(self.metrics)
        except KeyError as err:  # an older run's partial set: the page shows none
            logger.warning("Run %s has no figure %s in its metrics", self.uuid, err)
            return []

    @property
    def int8_figure(self) -> str:
        """ "accuracy 82.1% against 82.3% for the full model", from the int8 check's figures."""
        task = self.the_task
        name = task.primary_metric
        int8, full = self.metrics.get(f"int8_test_{name}"), self.metrics.get(f"test_{name}")
        if int8 is None or full is None:
            return ""
        return (
            f"{task.metric_title} {task.format_metric(int8)} against "
            f"{task.format_metric(full)} for the full model"
        )

    @property
    def val_metric_words(self) -> str:
        """ "best accuracy on validation rows 91.0%" while training; "" before the first epoch."""
        value = self.progress.get("val_metric")
        if value is None:
            return ""
        task = self.the_task
        return f"best {task.metric_title} on validation rows {task.format_metric(float(value))}"

    @property
    def chart_metric(self) -> dict:
        """What the live chart's validation axis shows: its name and range (None: fit data)."""
        task = self.the_task
        return {"name": task.metric_title, "range": task.metric_range}

    @property
    def mapping_in_words(self) -> str:
        return self.column_mapping.in_words() if self.mapping else ""

    @property
    def fixes_in_words(self) -> list[str]:
        """Each data fix this run trained with, in a sentence."""
        from finetune.fixes import describe

        return [describe(fix) for fix in self.fixes]

    def settings_in_words(self) -> list[tuple[str, str]]:
        """The frozen settings as (plain label, value) rows for the run and model pages."""
        from finetune import lora
        from finetune.tuning import BUDGETS, used_epochs, used_rate
        from webapp.runs.forms import CHOICES, LABELS

        rows = [("Base model", self.base_model_name)]
        lora_run = lora.uses_lora_settings(self.config)
        # While it trains, the epochs it chose are in its progress, not yet in its metrics.
        running = self.metrics.get("epochs_run") or self.progress.get("epochs")
        metrics = self.metrics | {"epochs_run": running}
        for key, label in LABELS.items():
            value = self.config.get(key)
            if key == "budget" and value:
                value = BUDGETS[value].title if value in BUDGETS else f"{value} minutes"
            elif key in ("epochs", "learning_rate") and not value:
                used, how = (used_epochs if key == "epochs" else used_rate)(self.config, metrics)
                value = f"{used} ({how})" if used else how
            elif key == "max_steps" and not value:
                value = "none"
            elif key == "processes":  # 0: all the worker had; the metrics say how many
                used = self.metrics.get("processes")
                value = f"{value or 'all'}{f' ({used} used)' if used else ''}"
            elif key in CHOICES:
                value = dict(CHOICES[key]).get(value, value)
            if key == "extend_vocabulary" and self.metrics.get("added_characters"):
                value = f"{value} ({self.metrics['added_characters']:,} added)"
            if value is None or (key in lora.FIELD_HELP and key != "method" and not lora_run):
                continue  # a LoRA rank says nothing about a fully fine-tuned model
            rows.append((label.split(" (")[0], value))
        return rows

    @property
    def resumed_words(self) -> str:
        """ "Resumed after epoch 2 of 5 when its worker was restarted."; "" if never resumed."""
        if not self.resumes:
            return ""
        phase = self.progress.get("phase")
        if self.status != RunStatus.FINISHED and phase in (None, "loading"):
            return RESUMING  # waiting or loading: the epoch it continues after is not known yet
        epoch = self.metrics.get("resumed_after_epoch", self.progress.get("resumed_epoch"))
        if not epoch:
            return RESTARTED  # the checkpoint could not be used (other settings or data)
        return RESUMED.format(epoch=epoch, epochs=self.progress.get("epochs") or "?")

    @property
    def canceled_too_late(self) -> str:
        """CANCELED_TOO_LATE when Cancel was pressed but the worker finished and kept the
        model before it saw that; "" otherwise."""
        finished = self.status == RunStatus.FINISHED
        return CANCELED_TOO_LATE if finished and self.cancel_requested else ""

    @property
    def time_left(self) -> str:
        """ "About 3 minutes left", from the worker's estimate; "" while unknown."""
        seconds = self.progress.get("seconds_left")
        if seconds is None or self.progress.get("phase") != "training":
            return ""
        return time_left_words(float(seconds))


def time_left_words(seconds: float) -> str:
    if seconds < 60:
        return "less than a minute left"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {minutes} minute{'s' if minutes != 1 else ''} left"
    hours = round(seconds / 3600, 1)
    return f"about {hours:g} hours left"
