"""The improve loop over the API (webapp/api/api_loop.py): each operation's roles (the token
owner's: trainers and admins change things, every member reads a run), 404 for another
team's objects, and what each answers. The whole loop on a real worker:
test_worker_api_loop.py."""

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.webapp.base import PASSWORD, BaseTestCase
from tests.webapp.runs_support import (
    RedisMixin,
    finished_model,
    finished_run,
    mapped_spreadsheet,
    rows_csv,
)
from webapp.accounts.models import ApiToken, Membership, Role
from webapp.runs.models import TrainingRun
from webapp.spreadsheets.label_checks import LabelCheck
from webapp.spreadsheets.models import Spreadsheet
from webapp.spreadsheets.reading import SheetRead


class ApiLoopTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.viewer = User.objects.create_user("d-viewer", "dv@example.org", PASSWORD)
        Membership.objects.create(team=self.alice_team, user=self.viewer, role=Role.VIEWER)
        self.trainer = self.token(self.alice)
        self.reader = self.token(self.viewer)
        self.stranger = self.token(self.bob, self.bob_team)

    def token(self, user, team=None) -> dict:
        _, secret = ApiToken.create(team or self.alice_team, user, "loop")
        return {"Authorization": f"Bearer {secret}"}

    def call(self, name, args=(), auth=None, data=None, file=None):
        url = reverse(f"api:{name}", args=args)
        headers = auth or self.trainer
        if file is not None:
            return self.client.post(url, {"file": file}, headers=headers)
        if data is not None:
            with self.captureOnCommitCallbacks(execute=True):
                return self.client.post(url, data, content_type="application/json", headers=headers)
        return self.client.get(url, headers=headers)

    def test_it_uploads_and_answers_the_suggested_columns(self):
        upload = SimpleUploadedFile("reviews.csv", rows_csv(40))
        response = self.call("sheet_new", file=upload)
        self.assertEqual(response.status_code, 201, response.content)
        body = response.json()
        self.assertFalse(body["reading"])
        self.assertEqual(body["row_count"], 40)
        self.assertEqual(body["suggestion"]["task"], "single_label")
        self.assertEqual(body["suggestion"]["mapping"]["text"], "review")
        self.assertEqual(body["suggestion"]["mapping"]["label"], "sentiment")
        sheet = Spreadsheet.objects.get(uuid=body["uuid"])
        self.assertEqual((sheet.team, sheet.uploaded_by), (self.alice_team, self.alice))

    def test_only_trainers_upload_and_files_are_capped(self):
        upload = SimpleUploadedFile("reviews.csv", rows_csv(10))
        self.assertEqual(self.call("sheet_new", auth=self.reader, file=upload).status_code, 403)
        with self.settings(MAX_UPLOAD_MB=0):
            upload = SimpleUploadedFile("reviews.csv", rows_csv(10))
            self.assertEqual(self.call("sheet_new", file=upload).status_code, 413)
        notes = SimpleUploadedFile("notes.pdf", b"%PDF-1.4")
        self.assertEqual(self.call("sheet_new", file=notes).status_code, 400)
        self.assertFalse(Spreadsheet.objects.exists())

    def test_a_spreadsheet_is_the_teams_and_its_trainers(self):
        sheet = mapped_spreadsheet(self)
        body = self.call("sheet", [sheet.uuid]).json()
        self.assertTrue(body["ready"])
        self.assertEqual(body["mapping"]["label"], "sentiment")
        self.assertEqual(body["health"]["rows_used"], sheet.health["rows_used"])
        self.assertIsNone(body["label_check"])
        self.assertEqual(self.call("sheet", [sheet.uuid], self.reader).status_code, 403)
        self.assertEqual(self.call("sheet", [sheet.uuid], self.stranger).status_code, 404)
        for name in ("label_check", "run_new"):
            for auth, status in ((self.reader, 403), (self.stranger, 404)):
                response = self.call(name, [sheet.uuid], auth, data={})
                self.assertEqual(response.status_code, status, name)
        self.assertFalse(LabelCheck.objects.exists() or TrainingRun.objects.exists())

    def test_it_says_while_a_file_is_read_and_why_a_check_failed(self):
        sheet = mapped_spreadsheet(self)
        read = SheetRead.objects.create(spreadsheet=sheet, kind=SheetRead.Kind.UPLOAD)
        body = self.call("sheet", [sheet.uuid]).json()
        self.assertEqual((body["reading"], body["suggestion"]), (True, None))
        response = self.call("run_new", [sheet.uuid], data={})
        self.assertEqual(response.status_code, 409)
        self.assertIn("still being read", response.json()["detail"])
        read.mark_failed("This file has no rows.")
        body = self.call("sheet", [sheet.uuid]).json()
        self.assertEqual((body["reading"], body["message"]), (False, "This file has no rows."))

    def test_it_starts_a_label_check_and_lists_its_rows(self):
        sheet = mapped_spreadsheet(self)
        response = self.call("label_check", [sheet.uuid], data={"base_model": "nonesuch"})
        self.assertEqual(response.status_code, 400)
        response = self.call("label_check", [sheet.uuid], data={})
        self.assertEqual(response.status_code, 202, response.content)
        check = LabelCheck.objects.get()
        self.assertEqual(str(check.uuid), response.json()["label_check"]["uuid"])
        self.assertEqual((check.status, check.created_by), ("queued", self.alice))
        issue = {"row": 3, "text": "x", "given": "positive", "suggested": "negative",
                 "confidence": 0.9, "score": 0.1}  # fmt: skip
        check.mark_finished(
            {"checked": True, "issues": [issue], "labels": ["negative", "positive"]}
        )
        listed = self.call("sheet", [sheet.uuid]).json()["label_check"]
        self.assertEqual((listed["status"], listed["stale"]), ("finished", False))
        self.assertEqual(listed["issues"][0]["suggested"], "negative")

    def test_it_starts_a_run_with_columns_and_settings_as_the_train_page_does(self):
        sheet = self.call("sheet_new", file=SimpleUploadedFile("r.csv", rows_csv(40))).json()
        bad = {"mapping": {"text": "review", "label": "nonesuch"}}
        response = self.call("run_new", [sheet["uuid"]], data=bad)
        self.assertEqual(response.status_code, 400)
        self.assertIn("label_column", response.json()["detail"])
        columns = {"task": "single_label", "mapping": {"text": "review", "label": "sentiment"}}
        response = self.call(
            "run_new", [sheet["uuid"]], data=columns | {"settings": {"epochs": -1}}
        )
        self.assertEqual(response.status_code, 400, response.content)
        self.assertIn("epochs", response.json()["detail"])
        settings = {"epochs": 3, "seed": 7, "base_model": "all-MiniLM-L6-v2"}
        response = self.call("run_new", [sheet["uuid"]], data=columns | {"settings": settings})
        self.assertEqual(response.status_code, 202, response.content)
        run = TrainingRun.objects.get(uuid=response.json()["uuid"])
        self.assertEqual((run.config["epochs"], run.config["seed"]), (3, 7))
        self.assertEqual(run.mapping["label"], "sentiment")
        self.assertEqual((run.status, run.created_by, run.name), ("queued", self.alice, "r"))
        lora = {"method": "lora", "lora_rank": 4, "processes": 2}  # as the README shows
        response = self.call("run_new", [sheet["uuid"]], data=columns | {"settings": lora})
        self.assertEqual(response.status_code, 202, response.content)
        run = TrainingRun.objects.get(uuid=response.json()["uuid"])
        frozen = (run.config["method"], run.config["lora_rank"], run.config["processes"])
        self.assertEqual(frozen, ("lora", 4, 2))

    def test_a_body_must_be_an_object(self):
        sheet = mapped_spreadsheet(self)
        for name in ("run_new", "label_check"):
            response = self.call(name, [sheet.uuid], data="5")
            self.assertEqual(response.status_code, 400)
            self.assertEqual(response.json()["detail"], "The body must be a JSON object, {...}.")
        self.assertFalse(LabelCheck.objects.exists() or TrainingRun.objects.exists())

    def test_a_run_that_cannot_start_says_why(self):
        sheet = mapped_spreadsheet(self, content=b"review,sentiment\nfine,positive\n")
        response = self.call("run_new", [sheet.uuid], data={})
        self.assertEqual(response.status_code, 409, response.content)
        self.assertEqual(response.json()["detail"], sheet.health["problems"][0])

    def test_every_member_follows_a_run_and_reads_its_metrics(self):
        model = finished_model(self.alice_team, self.alice)
        for auth in (self.trainer, self.reader):
            body = self.call("run", [model.run.uuid], auth).json()
            self.assertEqual((body["status"], body["percent"]), ("finished", 100))
            self.assertEqual(body["model"], str(model.uuid))
            self.assertEqual(body["version"], 1)
            self.assertEqual(body["metrics"]["test_accuracy"], model.run.metrics["test_accuracy"])
        self.assertEqual(self.call("run", [model.run.uuid], self.stranger).status_code, 404)

    def test_only_trainers_improve_their_teams_models(self):
        model = finished_model(self.alice_team, self.alice)
        for auth, status in ((self.reader, 403), (self.stranger, 404)):
            upload = SimpleUploadedFile("new.csv", rows_csv(20))
            self.assertEqual(
                self.call("improve", [model.uuid], auth, file=upload).status_code, status
            )
        wrong = SimpleUploadedFile("new.csv", b"comment,mood\nnice,positive\n")
        response = self.call("improve", [model.uuid], file=wrong)
        self.assertEqual(response.status_code, 400)
        self.assertIn("review", response.json()["detail"])
        self.assertFalse(TrainingRun.objects.exclude(pk=model.run.pk).exists())

    def test_it_improves_a_model_with_new_rows(self):
        model = finished_model(self.alice_team, self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            upload = SimpleUploadedFile("new.csv", rows_csv(30))
            response = self.call("improve", [model.uuid], file=upload)
        self.assertEqual(response.status_code, 202, response.content)
        body = response.json()
        self.assertEqual(body["improves"], str(model.uuid))
        run = TrainingRun.objects.get(uuid=body["uuid"])
        self.assertEqual((run.status, run.created_by), ("queued", self.alice))
        self.assertEqual(run.replay["run"], str(model.run.uuid))

    def test_another_teams_run_is_not_found(self):
        run = finished_run(self.bob_team, self.bob, "Bob's")
        self.assertEqual(self.call("run", [run.uuid]).status_code, 404)
