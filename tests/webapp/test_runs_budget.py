"""The time budget: offered on the Train page in plain words, frozen into the run, given room
on the worker, and what it chose said on the run page."""

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rq.job import Job

from tests.webapp import test_runs_new
from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, mapped_spreadsheet
from webapp.runs.models import TrainingRun

FORM = test_runs_new.FORM | {"epochs": "0", "learning_rate": "0"}  # no budget in it
DECISIONS = [
    "Tried 3 learning rates for 100 steps each on 89% of the 1,800 training rows: 1e-4 won on "
    "the validation rows (accuracy: 80% with 3e-5, 84% with 1e-4, 82% with 3e-4).",
    "Planned up to 11 epochs (1,243 steps), the most the Better budget allows; training stops "
    "sooner when the validation rows stop improving.",
    "Stopped after epoch 5 of 11: the validation rows did not improve for 2 epochs; epoch 3 was "
    "the best and is kept.",
]
AUTO = {"base_model": "all-MiniLM-L6-v2", "budget": "better", "epochs": 0, "learning_rate": 0}


class BudgetTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.sheet = mapped_spreadsheet(self)
        self.url = reverse("runs:new", args=[self.sheet.uuid])
        self.client.force_login(self.alice)

    def post(self, **changes):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, FORM | changes)

    def make_run(self, **fields) -> TrainingRun:
        defaults = {"team": self.alice_team, "created_by": self.alice, "name": "Reviews",
                    "mapping": {"text": "review", "label": "sentiment"}, "config": AUTO}  # fmt: skip
        return TrainingRun.objects.create(**defaults | fields)

    def test_it_offers_the_budgets_in_plain_words_better_first_chosen(self):
        response = self.client.get(self.url)
        self.assertContains(response, "Time budget")
        self.assertContains(response, '<option value="quick">Quick: up to 3 minutes of training')
        self.assertContains(
            response,
            '<option value="better" selected>Better: up to 8 minutes, trying a few learning '
            "rates first</option>",
        )
        self.assertContains(response, "Best: keep going while it improves")
        self.assertContains(response, "Learning rate (0 = automatic)")

    def test_it_freezes_the_chosen_budget_into_the_run(self):
        response = self.post(budget="best")
        run = TrainingRun.objects.get()
        self.assertRedirects(response, reverse("runs:detail", args=[run.uuid]))
        self.assertEqual((run.config["budget"], run.config["learning_rate"]), ("best", 0))

    def test_a_page_without_the_budget_trains_with_the_default(self):
        self.assertNotIn("budget", FORM)
        self.post()
        self.assertEqual(TrainingRun.objects.get().config["budget"], "better")

    def test_it_refuses_a_budget_it_does_not_offer(self):
        response = self.post(budget="forever")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Select a valid choice", status_code=400)
        self.assertFalse(TrainingRun.objects.exists())

    @override_settings(TRAINING_JOB_TIMEOUT=60)
    def test_the_worker_allows_more_than_the_budget(self):
        long = self.make_run(config=AUTO | {"budget": "600"})  # ten hours
        fixed = self.make_run(config=AUTO | {"budget": "600", "epochs": 3})  # not held to it
        with self.captureOnCommitCallbacks(execute=True):
            long.start()
            fixed.start()
        self.assertGreater(Job.fetch(str(long.uuid), connection=self.redis).timeout, 600 * 60)
        self.assertEqual(Job.fetch(str(fixed.uuid), connection=self.redis).timeout, 60)

    def test_the_run_page_says_what_was_chosen_and_why_it_stopped(self):
        metrics = {"decisions": DECISIONS, "learning_rate": 1e-4, "epochs_run": 5}
        run = self.make_run(status="finished", metrics=metrics)
        response = self.client.get(reverse("runs:detail", args=[run.uuid]))
        self.assertContains(response, "Time budget: Better")
        self.assertContains(response, "Learning rate: 1e-4 (chosen by trials)")
        self.assertContains(response, "Epochs: 5 (chosen automatically)")
        self.assertContains(response, "How it trained:")
        for sentence in DECISIONS:
            self.assertContains(response, f"<li>{sentence}</li>", html=True)

    def test_the_decisions_arrive_when_the_run_ends_while_the_page_is_open(self):
        run = self.make_run(status="running", heartbeat=timezone.now(),
                            progress={"phase": "trying", "step": 4, "total_steps": 90})  # fmt: skip
        status = reverse("runs:status", args=[run.uuid])
        partial = self.client.get(status)
        self.assertContains(partial, "Trying a few learning rates on some of the rows")
        self.assertNotContains(partial, "How it trained:")
        run.status, run.metrics = "finished", {"decisions": DECISIONS, "learning_rate": 1e-4}
        run.save(update_fields=["status", "metrics"])
        partial = self.client.get(status)
        self.assertContains(partial, 'id="run-settings" hx-swap-oob="true"')
        self.assertContains(partial, "How it trained:")
        self.assertContains(partial, DECISIONS[2])
