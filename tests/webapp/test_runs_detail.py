"""The run page and its live status partial, in every status."""

from django.urls import reverse
from django.utils import timezone
from rq.worker import Worker

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import SCRIPT_LABEL, RedisMixin, finished_model
from webapp.runs.models import TrainingRun

TRACEBACK = "Traceback (most recent call last):\n  ZeroDivisionError: division by zero"


class RunPageTestCase(RedisMixin, BaseTestCase):
    def make_run(self, **fields) -> TrainingRun:
        defaults = {"team": self.alice_team, "created_by": self.alice, "name": "Reviews",
                    "mapping": {"text": "review", "label": "sentiment"},
                    "config": {"base_model": "all-MiniLM-L6-v2", "epochs": 2}}  # fmt: skip
        return TrainingRun.objects.create(**defaults | fields)

    def page(self, run, user=None, name="runs:detail"):
        self.client.force_login(user or self.alice)
        return self.client.get(reverse(name, args=[run.uuid]))

    def test_it_requires_login(self):
        run = self.make_run()
        url = reverse("runs:detail", args=[run.uuid])
        self.assertRedirects(self.client.get(url), f"{reverse('login')}?next={url}")

    def test_it_answers_404_to_another_team(self):
        run = self.make_run()
        self.assertEqual(self.page(run, self.bob).status_code, 404)
        self.assertEqual(self.page(run, self.bob, "runs:status").status_code, 404)

    def test_it_lists_only_the_team_runs(self):
        self.make_run(name="Alice run")
        self.make_run(name="Bob run", team=self.bob_team)
        self.client.force_login(self.alice)
        response = self.client.get(reverse("runs:list"))
        self.assertContains(response, "Alice run")
        self.assertNotContains(response, "Bob run")

    def test_it_shows_the_queue_position(self):
        Worker(["training"], connection=self.redis, name="busy").register_birth()
        first, second = self.make_run(), self.make_run()
        with self.captureOnCommitCallbacks(execute=True):
            first.start()
            second.start()
        self.assertContains(self.page(second), "Waiting in line: position 2.")

    def test_it_shows_progress_and_time_left_while_running(self):
        progress = {"phase": "training", "step": 30, "total_steps": 120, "epoch": 1.4, "epochs": 4,
                    "loss": 0.4321, "metric_name": "accuracy", "val_metric": 0.8,
                    "seconds_left": 300, "fraction": 0.25}  # fmt: skip
        run = self.make_run(status="running", progress=progress, heartbeat=timezone.now(),
                            history=[{"step": 10, "loss": 0.9, "val": None}])  # fmt: skip
        response = self.page(run, name="runs:status")
        self.assertContains(response, "epoch 2 of 4")  # 1.4 epochs done: in the second
        self.assertContains(response, "about 5 minutes left")
        self.assertContains(response, "best accuracy on validation rows 80%")
        self.assertContains(response, 'style="width: 25%"')
        self.assertContains(response, '"loss": 0.9')
        self.assertContains(response, 'hx-trigger="every 2s"')
        self.assertContains(response, reverse("runs:cancel", args=[run.uuid]))

    def test_it_lists_the_settings_in_plain_words(self):
        run = self.make_run(
            status="finished",
            config={"base_model": "all-MiniLM-L6-v2", "epochs": 0, "learning_rate": 5e-05},
            metrics={"epochs_run": 4},
        )
        response = self.page(run)
        self.assertContains(response, "Base model: all-MiniLM-L6-v2")
        self.assertContains(response, "Epochs: 4 (chosen automatically)")
        self.assertNotContains(response, " run)")
        self.assertContains(response, "Learning rate: 0.00005")
        self.assertNotContains(response, "None")
        self.assertNotContains(response, "epochs = 0")

    def test_it_says_in_words_whether_characters_were_added(self):
        config = {"base_model": "all-MiniLM-L6-v2", "extend_vocabulary": "auto"}
        run = self.make_run(status="finished", config=config, metrics={"added_characters": 939})
        self.assertContains(
            self.page(run),
            "Add unknown characters: Automatic: when the model cannot read over 10% of the "
            "text (939 added)",
        )
        run = self.make_run(config=config | {"extend_vocabulary": "off"})
        self.assertContains(self.page(run), "Add unknown characters: Never")

    def test_it_sends_the_settings_again_when_the_run_ends(self):
        config = {"base_model": "all-MiniLM-L6-v2", "epochs": 0}
        run = self.make_run(status="running", config=config, heartbeat=timezone.now())
        self.assertNotContains(self.page(run, name="runs:status"), 'id="run-settings"')
        run.status, run.metrics = "finished", {"epochs_run": 4}
        run.save(update_fields=["status", "metrics"])
        partial = self.page(run, name="runs:status")
        self.assertContains(partial, 'id="run-settings" hx-swap-oob="true"')
        self.assertContains(partial, "Epochs: 4 (chosen automatically)")
        page = self.page(run)
        self.assertContains(page, 'id="run-settings">', count=1)  # in place, not out of band

    def test_it_stops_polling_once_final(self):
        for status in ("finished", "failed", "canceled"):
            run = self.make_run(status=status)
            response = self.page(run, name="runs:status")
            self.assertNotContains(response, "hx-trigger")
            self.assertNotContains(response, "hx-get")
        queued = self.make_run()
        with self.captureOnCommitCallbacks(execute=True):
            queued.start()
        self.assertContains(self.page(queued, name="runs:status"), 'hx-trigger="every 2s"')

    def test_it_shows_the_plain_message_and_keeps_the_traceback_for_staff(self):
        run = self.make_run(status="failed", message='The column "review" is empty.', log=TRACEBACK)
        self.alice_team.memberships.create(user=self.charlie)
        response = self.page(run)
        self.assertContains(response, "The column &quot;review&quot; is empty.")
        self.assertNotContains(response, "ZeroDivisionError")
        self.assertContains(response, reverse("runs:retry", args=[run.uuid]))
        self.assertContains(self.page(run, self.charlie), "ZeroDivisionError")

    def test_it_links_a_finished_run_to_its_evaluation_and_model(self):
        model = finished_model(self.alice_team, self.alice, name=f"Model {SCRIPT_LABEL}")
        response = self.page(model.run)
        self.assertContains(response, reverse("runs:evaluation", args=[model.run.uuid]))
        self.assertContains(response, reverse("catalog:detail", args=[model.uuid]))
        self.assertNotContains(response, SCRIPT_LABEL)
        self.assertContains(response, "Model &lt;script&gt;")

    def test_it_notices_a_queued_run_lost_by_the_queue(self):
        run = self.make_run(status="queued")  # no job in Redis: the queue was flushed
        self.page(run, name="runs:status")
        run.refresh_from_db()
        self.assertEqual(run.status, "failed")
        self.assertIn("lost from the training queue", run.message)
