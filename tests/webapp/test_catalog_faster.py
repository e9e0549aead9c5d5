"""Make it faster: trainers queue a smaller copy of a model from its page (viewers see no
button and are refused, other teams get 404, CSRF holds); the worker's job makes it from the
run's rows and the page shows both figures and both speeds; it answers (Try it, batches, API)
only once it passed and was accepted, and undo puts the model back."""

import pytest
from django.urls import reverse
from rq.job import Job

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, finished_model, mapped_spreadsheet
from tests.webapp.teams_support import add_member
from webapp.accounts.models import Role
from webapp.catalog.faster import Distillation, distill_job, served_folder
from webapp.queue.lifecycle import RunStatus


class FasterBase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice)
        self.model.run.spreadsheet = mapped_spreadsheet(self)  # the rows it was trained on
        self.model.run.save(update_fields=["spreadsheet"])
        self.url = reverse("catalog:faster", args=[self.model.uuid])
        self.page = reverse("catalog:detail", args=[self.model.uuid])

    def post(self, user, url=None):
        self.client.force_login(user)
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(url or self.url)


class FasterTestCase(FasterBase):
    def test_trainers_see_the_button_viewers_do_not_and_other_teams_get_404(self):
        viewer = add_member(self.alice_team, "f_vera", Role.VIEWER)
        self.client.force_login(viewer)
        self.assertNotIn(self.url, self.client.get(self.page).content.decode())
        self.assertEqual(self.post(viewer).status_code, 403)
        self.assertEqual(self.post(self.bob).status_code, 404)
        self.assertFalse(Distillation.objects.exists())
        self.client.force_login(self.alice)
        self.assertIn(self.url, self.client.get(self.page).content.decode())

    def test_it_enforces_csrf(self):
        self.assertEqual(self.csrf_client(self.alice).post(self.url).status_code, 403)
        self.assertFalse(Distillation.objects.exists())

    def test_it_queues_one_job_with_frozen_settings(self):
        self.assertRedirects(self.post(self.alice), self.page + "#faster")
        row = Distillation.objects.get()
        self.assertEqual((row.status, row.run, row.model), (RunStatus.QUEUED, self.model.run,
                                                            self.model))  # fmt: skip
        self.assertEqual(Job.fetch(str(row.uuid), connection=self.redis).args, (row.pk,))
        self.assertEqual(row.frozen["epochs"], 4)
        self.post(self.alice)  # a second one while the first waits: refused in a sentence
        self.assertEqual(Distillation.objects.count(), 1)
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.page), "Making the smaller copy (queued)")

    def test_only_a_copy_that_passed_can_be_accepted_and_others_get_404(self):
        row = Distillation.objects.create(team=self.alice_team, model=self.model,
                                          run=self.model.run, status=RunStatus.FINISHED,
                                          metrics={"distill_ok": False})  # fmt: skip
        accept = reverse("catalog:faster_accept", args=[row.uuid])
        self.assertEqual(self.post(self.alice, accept).status_code, 404)
        row.metrics = {"distill_ok": True}
        row.save()
        self.assertEqual(self.post(self.bob, accept).status_code, 404)
        viewer = add_member(self.alice_team, "f_vic", Role.VIEWER)
        self.assertEqual(self.post(viewer, accept).status_code, 403)
        self.assertEqual(self.csrf_client(self.alice).post(accept).status_code, 403)
        row.refresh_from_db()
        self.assertIsNone(row.accepted)

    def test_the_card_says_when_the_int8_copy_of_the_smaller_copy_answers(self):
        metrics = {
            "distill_ok": True, "test_accuracy": 0.81, "test_macro_f1": 0.8,
            "teacher_test_accuracy": 0.8, "teacher_test_macro_f1": 0.8, "student_layers": 1,
            "teacher_layers": 2, "student_ms_per_text": 3.1, "teacher_ms_per_text": 13.7,
            "int8_ok": True, "int8_test_accuracy": 0.805, "int8_teacher_agreement": 0.93,
        }  # fmt: skip
        row = Distillation.objects.create(team=self.alice_team, model=self.model,
                                          run=self.model.run, status=RunStatus.FINISHED,
                                          metrics=metrics)  # fmt: skip
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(self.page), "its compact int8 copy answers, at the "
                            "speed above: accuracy 80.5%, the model&#x27;s answer on 93% of")  # fmt: skip
        row.metrics["int8_ok"] = False
        row.save(update_fields=["metrics"])
        self.assertNotContains(self.client.get(self.page), "faster-int8")


@pytest.mark.slow
class FasterJobTestCase(FasterBase):
    def test_the_job_makes_it_the_page_compares_and_accept_and_undo_switch_what_answers(self):
        self.post(self.alice)
        row = Distillation.objects.get()
        self.assertEqual(distill_job(row.pk), RunStatus.FINISHED)  # as the worker runs it
        row.refresh_from_db()
        self.assertEqual(row.metrics["test_rows"], self.model.run.metrics["test_rows"])
        self.assertEqual(row.metrics["student_layers"], 1)
        self.assertEqual(served_folder(self.model.run), self.model.run.local_dir())
        self.client.force_login(self.alice)
        html = self.client.get(self.page).content.decode()
        self.assertIn("Time per text", html)
        self.assertIn(f"{row.metrics['student_ms_per_text']} ms", html)
        row.metrics["distill_ok"] = True  # the tiny model's check may go either way
        row.save(update_fields=["metrics"])
        self.post(self.alice, reverse("catalog:faster_accept", args=[row.uuid]))
        self.assertEqual(served_folder(self.model.run), row.local_dir())
        answer = self.client.post(reverse("catalog:try", args=[self.model.uuid]),
                                  {"text": "a great film"})  # fmt: skip
        self.assertRegex(answer.content.decode(), "positive|negative")
        self.assertContains(self.client.get(self.page), "The smaller copy answers now")
        self.post(self.alice, reverse("catalog:faster_undo", args=[row.uuid]))
        self.assertEqual(served_folder(self.model.run), self.model.run.local_dir())


class FasterApiTestCase(FasterBase):
    def token(self, user, team=None) -> dict:
        from webapp.accounts.models import ApiToken

        _, secret = ApiToken.create(team or self.alice_team, user, "faster")
        return {"Authorization": f"Bearer {secret}"}

    def test_trainers_start_it_members_read_it_other_teams_get_404(self):
        url = reverse("api:faster", args=[self.model.uuid])
        viewer = add_member(self.alice_team, "f_val", Role.VIEWER)
        self.assertEqual(self.client.get(url, headers=self.token(self.alice)).status_code, 404)
        self.assertEqual(self.client.post(url, headers=self.token(viewer)).status_code, 403)
        stranger = self.token(self.bob, self.bob_team)
        self.assertEqual(self.client.post(url, headers=stranger).status_code, 404)
        with self.captureOnCommitCallbacks(execute=True):
            started = self.client.post(url, headers=self.token(self.alice))
        self.assertEqual(started.status_code, 202)
        row = Distillation.objects.get()
        self.assertEqual(started.json()["uuid"], str(row.uuid))
        self.assertEqual(self.client.post(url, headers=self.token(self.alice)).status_code, 409)
        read = self.client.get(url, headers=self.token(viewer)).json()
        self.assertEqual((read["status"], read["passed"], read["accepted"]),
                         ("queued", False, False))  # fmt: skip
        self.assertEqual(self.client.get(url, headers=stranger).status_code, 404)
