"""A finished model that does no better than the simplest guess, or that the step limit cut
short, is not shown as a plain success: the run and model pages say so and what to try."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model
from webapp.runs.caveats import caveats

GOOD = {"test_macro_f1": 0.9, "baseline_majority_macro_f1": 0.33, "baseline_tfidf_macro_f1": 0.8,
        "test_accuracy": 0.9, "baseline_majority_accuracy": 0.33, "baseline_tfidf_accuracy": 0.8}  # fmt: skip


class CaveatsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice)
        self.run = self.model.run
        self.client.force_login(self.alice)

    def set(self, metrics=None, max_steps=0, total_steps=100):
        self.run.metrics |= metrics or {}
        self.run.config |= {"max_steps": max_steps}
        self.run.progress = {"total_steps": total_steps}
        self.run.save()

    def pages(self) -> list[str]:
        return [
            self.client.get(reverse("runs:detail", args=[self.run.uuid])).content.decode(),
            self.client.get(reverse("catalog:detail", args=[self.model.uuid])).content.decode(),
        ]

    def test_it_says_nothing_for_a_model_that_learned(self):
        self.set(GOOD)
        self.assertEqual(caveats(self.run), [])
        for html in self.pages():
            self.assertNotIn("simplest guess", html)

    def test_it_flags_a_model_no_better_than_the_most_common_label(self):
        self.set(GOOD | {"test_macro_f1": 0.335})
        for html in self.pages():
            self.assertIn("no better than the simplest guess (always the most common label)", html)
            self.assertIn("Try more rows, more epochs, or another base model.", html)

    def test_it_flags_a_run_cut_short_by_the_step_limit(self):
        self.set(GOOD, max_steps=20, total_steps=20)
        self.assertEqual(len(caveats(self.run)), 1)
        for html in self.pages():
            self.assertIn("stopped by the step limit (20 steps)", html)
        self.set(GOOD, max_steps=500, total_steps=120)  # the limit was never reached
        self.assertEqual(caveats(self.run), [])
