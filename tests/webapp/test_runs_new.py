""" "Train a model": the catalogue, the settings, the refusals, and the enqueue on a real Redis."""

from django.test import override_settings
from django.urls import reverse
from rq.job import Job

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, make_tiny_base_model, mapped_spreadsheet
from webapp.runs.models import QUEUE_DOWN, TrainingRun

FORM = {
    "name": "Reviews", "base_model": "all-MiniLM-L6-v2", "hub_id": "", "epochs": "2",
    "max_length": "64", "learning_rate": "5e-05", "batch_size": "16", "warmup_ratio": "0.1",
    "weight_decay": "0.01", "patience": "2", "seed": "42", "validation_fraction": "0.1",
    "test_fraction": "0.1", "max_steps": "0", "extend_vocabulary": "auto",
}  # fmt: skip


class NewRunTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.sheet = mapped_spreadsheet(self)
        self.url = reverse("runs:new", args=[self.sheet.uuid])

    def post(self, **changes):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, FORM | changes)

    def test_it_requires_login(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, f"{reverse('login')}?next={self.url}")

    def test_it_shows_the_catalogue_with_the_bundled_model_first_and_chosen(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        html = response.content.decode()
        self.assertContains(response, 'value="all-MiniLM-L6-v2" checked')
        self.assertLess(html.index("all-MiniLM-L6-v2"), html.index("distilbert-base-uncased"))
        self.assertLess(html.index("xlm-roberta-base"), html.index("Any Hugging Face model id"))
        self.assertContains(response, "<summary>Advanced</summary>", html=False)
        self.assertContains(response, "How many times training reads all rows")

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.assertEqual(self.post().status_code, 404)
        self.assertFalse(TrainingRun.objects.exists())

    def test_it_enforces_csrf(self):
        client = self.csrf_client(self.alice)
        self.assertEqual(client.post(self.url, FORM).status_code, 403)

    def test_it_creates_and_enqueues_the_run(self):
        self.client.force_login(self.alice)
        response = self.post()
        run = TrainingRun.objects.get()
        self.assertRedirects(response, reverse("runs:detail", args=[run.uuid]))
        self.assertEqual(run.status, TrainingRun.Status.QUEUED)
        self.assertEqual(run.team, self.alice_team)
        self.assertEqual(run.mapping["text"], "review")
        self.assertEqual(run.config["epochs"], 2)
        self.assertEqual(run.config["max_length"], 64)
        job = Job.fetch(str(run.uuid), connection=self.redis)
        self.assertEqual(job.func_name, "webapp.runs.jobs.train_run")
        self.assertEqual(job.args, (run.pk,))
        self.assertEqual(job.origin, "training")
        self.assertGreater(job.timeout, 3600)  # not RQ's 180 s default
        self.assertEqual(run.queue_position(), 1)

    def test_it_takes_any_hugging_face_id(self):
        self.client.force_login(self.alice)
        self.post(base_model="hub", hub_id="bert-base-uncased")
        self.assertEqual(TrainingRun.objects.get().config["base_model"], "bert-base-uncased")

    def test_it_refuses_paths_and_odd_ids_in_the_hub_box(self):
        self.client.force_login(self.alice)
        for bad in ("/etc", "../secrets", "a b", ""):
            response = self.post(base_model="hub", hub_id=bad)
            self.assertEqual(response.status_code, 400, bad)
        self.assertFalse(TrainingRun.objects.exists())

    def test_it_lists_and_uses_local_model_folders(self):
        folder = self.media_root / "local-models"
        make_tiny_base_model(folder / "tiny-bert")
        with override_settings(LABELTUNE_LOCAL_MODELS_DIR=str(folder)):
            self.client.force_login(self.alice)
            self.assertContains(self.client.get(self.url), 'value="local:tiny-bert"')
            self.post(base_model="local:tiny-bert")
        self.assertEqual(TrainingRun.objects.get().config["base_model"], str(folder / "tiny-bert"))

    def test_it_explains_bad_settings(self):
        self.client.force_login(self.alice)
        response = self.post(max_length="4")
        self.assertContains(
            response, "The maximum text length must be between 8 and 8192.", status_code=400
        )
        self.assertFalse(TrainingRun.objects.exists())

    def test_it_offers_adding_unknown_characters_as_a_choice(self):
        self.client.force_login(self.alice)
        page = self.client.get(self.url)
        self.assertContains(page, '<option value="auto" selected>', html=False)
        for value in ("on", "off"):
            self.assertContains(page, f'<option value="{value}">', html=False)
        self.post(extend_vocabulary="off")
        self.assertEqual(TrainingRun.objects.get().config["extend_vocabulary"], "off")
        response = self.post(extend_vocabulary="sometimes")
        self.assertContains(response, "Select a valid choice.", status_code=400)
        self.assertEqual(TrainingRun.objects.count(), 1)

    def test_it_refuses_to_start_with_blocking_health_problems(self):
        self.sheet.health = self.sheet.health | {
            "problems": ["The label column has only one label."]
        }
        self.sheet.save(update_fields=["health"])
        self.client.force_login(self.alice)
        page = self.client.get(self.url)
        self.assertContains(page, "Training can't start yet")
        self.assertContains(page, "The label column has only one label.")
        self.assertNotContains(page, "Start training")
        self.assertEqual(self.post().status_code, 400)
        self.assertFalse(TrainingRun.objects.exists())

    def test_it_refuses_to_start_before_the_mapping(self):
        self.sheet.mapping = {}
        self.sheet.save(update_fields=["mapping"])
        self.client.force_login(self.alice)
        self.assertContains(
            self.client.get(self.url), "Choose the task and the columns of this spreadsheet first."
        )
        self.post()
        self.assertFalse(TrainingRun.objects.exists())

    def test_it_fails_the_run_in_plain_words_when_the_queue_is_down(self):
        dead = {"URL": "redis://127.0.0.1:1/0"}
        with override_settings(RQ_QUEUES={"training": dead, "predictions": dead}):
            self.client.force_login(self.alice)
            self.post()
        run = TrainingRun.objects.get()
        self.assertEqual(run.status, TrainingRun.Status.FAILED)
        self.assertEqual(run.message, QUEUE_DOWN)
        self.assertIn("Connection", run.log)
