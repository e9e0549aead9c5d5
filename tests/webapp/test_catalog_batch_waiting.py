"""A waiting batch says its place in line and what it waits for, on the model page and in
its live status, instead of "labelling…" for as long as it waits. Real Redis, real RQ
queues and workers registered the way a worker process registers itself."""

from django.core.files.base import ContentFile
from django.urls import reverse
from rq import Queue
from rq.worker import Worker

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, finished_model
from webapp.catalog.models import BatchPrediction
from webapp.runs.models import TrainingRun

NO_WORKER = "Waiting for the predictions worker to start."


class BatchWaitingTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice)

    def queued_batch(self, model, name: str) -> BatchPrediction:
        batch = BatchPrediction(team=model.team, model=model, original_name=name)
        batch.input.save(name, ContentFile(b"review\nthe film was great\n"), save=False)
        with self.captureOnCommitCallbacks(execute=True):
            batch.save()
            batch.start()
        batch.refresh_from_db()
        self.assertEqual(batch.status, "queued")
        return batch

    def worker(self, name: str, queues: list[str]) -> Worker:
        worker = Worker(queues, connection=self.redis, name=name)
        worker.register_birth()
        worker.set_state("idle")
        return worker

    def take_next_job(self, worker: Worker, queue_name: str) -> None:
        """What a worker does with the next job of `queue_name`: take it off the queue and
        record that it runs it."""
        queue = Queue(queue_name, connection=self.redis)
        job, _ = Queue.dequeue_any([queue], None, connection=self.redis)
        worker.prepare_execution(job)

    def status(self, batch, user=None) -> str:
        self.client.force_login(user or self.alice)
        response = self.client.get(reverse("catalog:batch_status", args=[batch.uuid]))
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_it_says_the_place_in_line_behind_another_teams_scoring(self):
        self.worker("scorer", ["predictions"])
        bob_model = finished_model(self.bob_team, self.bob, name="Bob's model")
        self.queued_batch(bob_model, "bob-secret-file.csv")
        batch = self.queued_batch(self.model, "new.csv")

        html = self.status(batch)
        self.assertIn("Waiting: 2nd in line behind another team&#x27;s scoring.", html)
        self.assertNotIn("bob-secret-file", html)  # other teams' files are never named
        self.assertIn('hx-trigger="every 2s"', html)  # keeps polling until it is final

        # The model page shows the same line.
        page = self.client.get(reverse("catalog:detail", args=[self.model.uuid]))
        self.assertContains(page, "Waiting: 2nd in line behind another team&#x27;s scoring.")

    def test_it_names_the_teams_own_files_ahead(self):
        self.worker("scorer", ["predictions"])
        self.queued_batch(self.model, "<b>first</b>.csv")
        bob_model = finished_model(self.bob_team, self.bob, name="Bob's model")
        self.queued_batch(bob_model, "bob-1.csv")
        self.queued_batch(bob_model, "bob-2.csv")
        batch = self.queued_batch(self.model, "new.csv")

        html = self.status(batch)
        self.assertIn(
            "Waiting: 4th in line behind your team&#x27;s file “&lt;b&gt;first&lt;/b&gt;.csv” "
            "and 2 files from other teams.",
            html,
        )

    def test_it_says_what_the_busy_workers_are_doing(self):
        trainer = self.worker("trainer", ["training", "predictions"])
        scorer = self.worker("scorer", ["predictions"])
        run = TrainingRun.objects.create(team=self.bob_team, name="Bob's long run")
        with self.captureOnCommitCallbacks(execute=True):
            run.start()
        self.take_next_job(trainer, "training")
        bob_model = finished_model(self.bob_team, self.bob, name="Bob's model")
        self.queued_batch(bob_model, "bob.csv")
        self.take_next_job(scorer, "predictions")
        batch = self.queued_batch(self.model, "new.csv")

        html = self.status(batch)
        self.assertIn(
            "Waiting: next in line behind another team&#x27;s scoring and a model in training.",
            html,
        )
        self.assertNotIn("Bob&#x27;s long run", html)

    def test_it_says_it_starts_when_a_worker_is_free(self):
        self.worker("scorer", ["predictions"])
        batch = self.queued_batch(self.model, "new.csv")
        html = self.status(batch)
        self.assertIn("· Starting…", html)
        self.assertNotIn("labelling", html)

    def test_it_says_when_no_predictions_worker_is_running(self):
        self.worker("trainer-only", ["training"])  # a worker on another queue does not count
        batch = self.queued_batch(self.model, "new.csv")
        html = self.status(batch)
        self.assertIn(NO_WORKER, html)
        self.assertNotIn("in line", html)
