"""Progress from the worker: throttled writes, a bounded live curve, readable time left."""

from django.test import TestCase

from webapp.accounts.models import Team
from webapp.runs import models
from webapp.runs.models import TrainingRun
from webapp.runs.words import time_left_words


def progress(step: int, phase: str = "training", loss: float | None = 0.5) -> dict:
    return {"phase": phase, "step": step, "total_steps": 100, "epoch": 1, "epochs": 2,
            "loss": loss, "metric_name": "accuracy", "val_metric": None, "seconds_left": 90,
            "fraction": step / 100}  # fmt: skip


class ProgressTestCase(TestCase):
    def setUp(self):
        team = Team.objects.create(name="t")
        self.run = TrainingRun.objects.create(team=team, name="r", status="running")

    def stored(self) -> TrainingRun:
        return TrainingRun.objects.get(pk=self.run.pk)

    def test_it_writes_at_most_every_two_seconds(self):
        self.run.mark_progress(progress(1))
        self.run.mark_progress(progress(2))
        self.run.mark_progress(progress(3))
        self.assertEqual(self.stored().progress["step"], 1)
        self.assertEqual(len(self.run.history), 3)  # kept in memory for the next write

    def test_it_writes_at_once_when_the_phase_changes(self):
        self.run.mark_progress(progress(1))
        self.run.mark_progress(progress(1, phase="evaluating", loss=None))
        self.assertEqual(self.stored().progress["phase"], "evaluating")
        self.assertIsNotNone(self.stored().heartbeat)

    def test_it_thins_the_live_curve(self):
        for step in range(models.HISTORY_POINTS * 3):
            self.run.mark_progress(progress(step))
        self.assertLessEqual(len(self.run.history), models.HISTORY_POINTS)
        self.assertEqual(self.run.history[0]["step"], 0)

    def test_it_never_overwrites_a_final_status(self):
        self.run.mark_canceled()
        self.assertFalse(self.run.mark_failed("late"))
        self.assertFalse(self.run.mark_finished({}))
        self.assertEqual(self.stored().status, "canceled")

    def test_it_says_time_left_in_words(self):
        self.assertEqual(time_left_words(20), "less than a minute left")
        self.assertEqual(time_left_words(60), "about 1 minute left")
        self.assertEqual(time_left_words(300), "about 5 minutes left")
        self.assertEqual(time_left_words(3 * 3600), "about 3 hours left")
