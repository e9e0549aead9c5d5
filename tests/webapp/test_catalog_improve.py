"""Improve this model: trainers upload new rows on the model page (viewers see no form and are
refused, other teams get 404, CSRF holds); the run is queued from the model's weights with the
old rows to replay frozen on it; trained by the worker's job it becomes the model's next
version, and the run and model pages show before and after on both sets of test rows."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rq.job import Job

from finetune.continual import REPLAY_SHARE
from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, finished_model, mapped_spreadsheet, rows
from tests.webapp.teams_support import add_member
from webapp.accounts.models import Role
from webapp.runs.models import TrainingRun
from webapp.spreadsheets.models import Spreadsheet


def new_rows_csv(n: int = 30) -> bytes:
    """New labelled rows as the filled-in file of rows to label next has them: the model's
    columns, then its guess and how sure it was."""
    lines = ["review,sentiment,model's guess,how sure"]
    lines += [f'"{text}","{label}",{label},0.5' for text, label in rows(n, seed=7)]
    return ("\n".join(lines) + "\n").encode()


class ImproveTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice)
        self.old = self.model.run
        self.old.spreadsheet = mapped_spreadsheet(self)  # the rows the model was trained on
        self.old.save(update_fields=["spreadsheet"])
        self.url = reverse("catalog:improve", args=[self.model.uuid])
        self.page = reverse("catalog:detail", args=[self.model.uuid])

    def post(self, user, content: bytes = b"", client=None):
        client = client or self.client
        client.force_login(user)
        upload = SimpleUploadedFile("new.csv", content or new_rows_csv())
        with self.captureOnCommitCallbacks(execute=True):
            return client.post(self.url, {"improve-file": upload})

    def test_trainers_see_the_form_viewers_do_not_and_other_teams_get_404(self):
        viewer = add_member(self.alice_team, "c1_vera", Role.VIEWER)
        trainer = add_member(self.alice_team, "c1_tom", Role.TRAINER)
        for user, shown in ((trainer, True), (viewer, False)):
            self.client.force_login(user)
            self.assertEqual(self.url in self.client.get(self.page).content.decode(), shown)
        self.assertEqual(self.post(viewer).status_code, 403)
        self.assertEqual(self.post(self.bob).status_code, 404)
        self.assertFalse(TrainingRun.objects.filter(improves=self.model).exists())

    def test_it_enforces_csrf(self):
        client = self.csrf_client(self.alice)
        upload = SimpleUploadedFile("new.csv", new_rows_csv())
        self.assertEqual(client.post(self.url, {"improve-file": upload}).status_code, 403)

    def test_it_queues_a_run_from_the_model_with_the_old_rows_frozen(self):
        response = self.post(self.alice)
        run = TrainingRun.objects.get(improves=self.model)
        self.assertRedirects(response, reverse("runs:detail", args=[run.uuid]))
        self.assertEqual(run.status, TrainingRun.Status.QUEUED)
        self.assertEqual(Job.fetch(str(run.uuid), connection=self.redis).args, (run.pk,))
        self.assertEqual((run.task, run.config), (self.old.task, self.old.config))
        self.assertEqual(run.mapping["text"], "review")
        self.assertEqual(run.mapping["label"], "sentiment")
        self.assertEqual(run.spreadsheet.name, "new.csv")
        frozen = {
            "run": str(self.old.uuid),
            "spreadsheet": self.old.spreadsheet_id,
            "sheet": self.old.sheet,
            "mapping": self.old.mapping,
            "fixes": self.old.fixes,
            "share": REPLAY_SHARE,
        }
        self.assertEqual(run.replay, frozen)
        # Changing the old rows' fixes afterwards does not change what the run replays.
        self.old.fixes = [{"kind": "drop_empty"}]
        self.old.save(update_fields=["fixes"])
        run.refresh_from_db()
        self.assertEqual(run.replay, frozen)
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.page), "Improving now:")

    def test_new_rows_with_other_columns_are_refused_in_a_sentence(self):
        before = Spreadsheet.objects.count()
        response = self.post(self.alice, b"text,label\ngood film,positive\n")
        self.assertContains(
            response, "The new rows have no column &quot;review&quot;", status_code=400
        )
        self.assertFalse(TrainingRun.objects.filter(improves=self.model).exists())
        self.assertEqual(Spreadsheet.objects.count(), before)

    def test_a_copy_of_another_teams_model_cannot_be_improved(self):
        self.model.copied = timezone.now()
        self.model.save(update_fields=["copied"])
        self.client.force_login(self.alice)
        self.assertNotIn(self.url, self.client.get(self.page).content.decode())
        self.assertEqual(self.post(self.alice).status_code, 400)
        self.assertFalse(TrainingRun.objects.filter(improves=self.model).exists())

    @pytest.mark.slow
    def test_the_trained_run_is_the_next_version_with_before_and_after(self):
        from webapp.runs.jobs import train_run

        self.post(self.alice)
        run = TrainingRun.objects.get(improves=self.model)
        train_run(run.pk)  # as the worker runs it
        run.refresh_from_db()
        self.assertEqual(run.status, TrainingRun.Status.FINISHED, run.message)
        found = run.metrics["continued_from"]
        self.assertEqual(found["old_test"]["rows"], self.old.metrics["test_rows"])
        self.assertEqual(found["old_test"]["before"]["accuracy"], self.old.metrics["test_accuracy"])
        self.model.refresh_from_db()
        self.assertEqual(self.model.run, self.old)  # v2 answers once it is made current
        self.assertEqual(self.model.versions.get(run=run).number, 2)
        self.client.force_login(self.alice)
        for page in (reverse("runs:evaluation", args=[run.uuid]), self.page):
            html = self.client.get(page).content.decode()
            self.assertIn("Before and after", html)
            self.assertIn(f"{found['old_test']['rows']} of the old test rows", html)
            self.assertIn(f"{found['new_test']['rows']} of the new test rows", html)
