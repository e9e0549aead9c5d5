"""Versions of a model: v1 for every model (the migration too), promote and roll back by
trainers and admins only, Try it, the API and batch scoring answer with the current version.

v2 here is a real run folder, the trained tiny model's, whose "positive" label is named
"upbeat": whichever version answers says so in its labels."""

import importlib
import json
import shutil
from pathlib import Path

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import (
    RedisMixin,
    finished_model,
    finished_run,
    trained_run_dir,
)
from tests.webapp.teams_support import add_member
from webapp.accounts.models import Activity, ApiToken, Role
from webapp.catalog import jobs, predictors
from webapp.catalog.models import BatchPrediction, ModelVersion, TrainedModel
from webapp.catalog.versions import add_version
from webapp.runs.models import TrainingRun

POSITIVE = "the film was great and lovely"


def renamed_run_dir(folder: Path) -> Path:
    """A copy of the trained tiny model whose label "positive" is called "upbeat"."""
    if not (folder / "labeltune.json").is_file():
        shutil.copytree(trained_run_dir(), folder)
        for file in folder.rglob("*.json"):
            file.write_text(file.read_text().replace('"positive"', '"upbeat"'))
    return folder


def second_version(case, model: TrainedModel) -> ModelVersion:
    """A finished run with the renamed folder, added as the next version of `model`."""
    source = renamed_run_dir(trained_run_dir().parent / "renamed-v2")
    run = finished_run(model.team, case.alice, f"{model.name} improved", source)
    return add_version(model, run, by=case.alice)


class VersionsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        predictors.clear()
        self.addCleanup(predictors.clear)
        self.model = finished_model(self.alice_team, self.alice)
        self.v1 = self.model.current_version
        self.v2 = second_version(self, self.model)
        self.client.force_login(self.alice)

    def promote(self, number: int, client=None):
        url = reverse("catalog:promote", args=[self.model.uuid, number])
        return (client or self.client).post(url)

    def try_label(self) -> str:
        url = reverse("catalog:try", args=[self.model.uuid])
        response = self.client.post(url, {"text": POSITIVE}, headers={"HX-Request": "true"})
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def test_every_model_has_its_v1_and_a_new_version_waits_to_be_promoted(self):
        self.assertEqual((self.v1.number, self.v1.run), (1, self.model.run))
        self.assertEqual(self.v1.made_current_by, self.alice)
        self.assertEqual(self.v2.number, 2)
        self.model.refresh_from_db()
        self.assertEqual(self.model.current_version, self.v1)  # not current until promoted
        self.assertIn('made v2 of the model "Reviews model"', self.activity())
        self.assertIn("positive", self.try_label())

    def test_the_migration_gives_existing_models_and_batches_their_v1(self):
        old = finished_model(self.alice_team, self.alice, name="Before versions")
        batch = BatchPrediction.objects.create(
            team=self.alice_team, model=old, original_name="a.csv", input="a.csv"
        )
        ModelVersion.objects.all().delete()  # as it was before the migration
        self.assertIsNone(BatchPrediction.objects.get(pk=batch.pk).version)
        migration = importlib.import_module("webapp.catalog.migrations.0006_model_versions")
        migration.first_versions(apps, None)
        v1 = ModelVersion.objects.get(model=old)
        self.assertEqual((v1.number, v1.run_id, v1.made_current_by), (1, old.run_id, self.alice))
        self.assertEqual(BatchPrediction.objects.get(pk=batch.pk).version, v1)
        self.assertEqual(self.model.versions.get().run_id, self.model.run_id)

    def test_a_trainer_promotes_and_rolls_back_and_the_page_and_activity_say_who(self):
        page = self.client.get(reverse("catalog:detail", args=[self.model.uuid]))
        self.assertContains(page, "Make v2 current")
        self.assertContains(page, "v1 answers in Try it, the API and new batches")
        response = self.promote(2)
        self.assertRedirects(response, reverse("catalog:detail", args=[self.model.uuid]))
        self.model.refresh_from_db()
        self.assertEqual(self.model.run, self.v2.run)
        answer = self.try_label()  # Try it answers from v2 at once, and says so
        self.assertIn("upbeat", answer)
        self.assertIn("Answered by v2, the current version.", answer)
        page = self.client.get(reverse("catalog:detail", args=[self.model.uuid]))
        self.assertContains(
            page, "v2 answers in Try it, the API and new batches: made current by alice"
        )
        self.assertContains(page, "Roll back to v1")
        self.assertIn('made v2 of the model "Reviews model" current (was v1)', self.activity())

        self.promote(1)
        self.model.refresh_from_db()
        self.assertEqual(self.model.run, self.v1.run)
        self.assertIn("positive", self.try_label())
        self.assertIn('rolled the model "Reviews model" back from v2 to v1', self.activity())
        team_page = self.client.get(reverse("team_activity", args=[self.alice_team.uuid]))
        self.assertContains(team_page, "back from v2 to v1")

    def test_the_run_page_of_a_version_leads_to_its_model(self):
        run_page = reverse("runs:detail", args=[self.v2.run.uuid])
        model_page = reverse("catalog:detail", args=[self.model.uuid])
        self.assertContains(self.client.get(run_page), f'href="{model_page}#versions">See v2')
        self.promote(2)
        self.assertContains(self.client.get(run_page), f'href="{model_page}">Try the model')
        v1_page = self.client.get(reverse("runs:detail", args=[self.v1.run.uuid]))
        self.assertContains(v1_page, f'href="{model_page}#versions">See v1')
        self.assertContains(v1_page, "Delete this run (v1 of the model)")
        self.assertContains(v1_page, "The model and its other versions stay.")

    def test_viewers_see_versions_but_cannot_promote_other_teams_get_404(self):
        viewer = add_member(self.alice_team, "dora", Role.VIEWER)
        trainer = add_member(self.alice_team, "tom", Role.TRAINER)
        self.client.force_login(viewer)
        page = self.client.get(reverse("catalog:detail", args=[self.model.uuid]))
        self.assertContains(page, 'id="versions"')
        self.assertNotContains(page, "Make v2 current")
        self.assertEqual(self.promote(2).status_code, 403)
        self.client.force_login(self.bob)
        self.assertEqual(self.promote(2).status_code, 404)
        self.client.force_login(trainer)
        self.assertEqual(self.promote(3).status_code, 404)  # no such version
        self.assertEqual(
            self.client.get(reverse("catalog:promote", args=[self.model.uuid, 2])).status_code,
            405,
        )
        self.assertEqual(self.promote(2, client=self.csrf_client(trainer)).status_code, 403)
        self.model.refresh_from_db()
        self.assertEqual(self.model.run, self.v1.run)  # nothing above changed it
        self.assertEqual(self.promote(2).status_code, 302)
        self.model.refresh_from_db()
        self.assertEqual(self.model.run, self.v2.run)

    def test_the_current_version_run_is_kept_and_a_copy_carries_only_the_current_version(self):
        self.promote(2)
        delete = reverse("runs:delete", args=[self.v2.run.uuid])
        self.client.post(delete)
        self.assertTrue(TrainingRun.objects.filter(pk=self.v2.run.pk).exists())
        gone = self.client.post(reverse("runs:delete", args=[self.v1.run.uuid]), follow=True)
        self.assertContains(
            gone, "Deleted the run &quot;Reviews model&quot;, v1 of &quot;Reviews model&quot;."
        )
        self.assertEqual([v.number for v in self.model.versions.all()], [2])  # the model stays
        copy = self.client.post(
            reverse("catalog:copy", args=[self.model.uuid]),
            {"team": str(self.team_to_copy_to().uuid)},
        )
        self.assertEqual(copy.status_code, 302)
        copied = TrainedModel.objects.exclude(pk=self.model.pk).get(name="Reviews model")
        self.assertEqual([v.number for v in copied.versions.all()], [1])
        self.assertIn("upbeat", copied.info()["labels"])

    def team_to_copy_to(self):
        from webapp.accounts.models import Team

        return Team.create_for(self.alice, "Support")

    def activity(self) -> list[str]:
        return list(Activity.objects.filter(team=self.alice_team).values_list("what", flat=True))


class VersionsApiTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        predictors.clear()
        self.addCleanup(predictors.clear)
        self.model = finished_model(self.alice_team, self.alice)
        self.v2 = second_version(self, self.model)
        _, secret = ApiToken.create(self.alice_team, self.alice, "CRM")
        self.auth = {"Authorization": f"Bearer {secret}"}

    def post(self, name: str, args: list, body=None, auth=None):
        return self.client.post(
            reverse(f"api:{name}", args=args),
            json.dumps(body or {}),
            content_type="application/json",
            headers=auth or self.auth,
        )

    def predict(self, **extra):
        return self.post("predict", [self.model.uuid], {"inputs": [POSITIVE], **extra})

    def test_predict_takes_a_version_and_every_answer_names_the_one_that_answered(self):
        body = self.predict().json()
        self.assertEqual((body["version"], body["predictions"][0]["label"]), (1, "positive"))
        body = self.predict(version=2).json()
        self.assertEqual((body["version"], body["predictions"][0]["label"]), (2, "upbeat"))
        missing = self.predict(version=7)
        self.assertEqual(missing.status_code, 404)
        self.assertEqual(missing.json(), {"detail": "This model has no version 7."})
        document = self.client.get(reverse("api:openapi-json")).json()
        schemas = document["components"]["schemas"]
        self.assertIn("version", schemas["PredictIn"]["properties"])
        answers = [schema for name, schema in schemas.items() if name.endswith("Answer")]
        self.assertTrue(answers)  # one per task, each saying which version answered
        self.assertTrue(all("version" in answer["required"] for answer in answers))
        self.assertIn("/api/v1/models/{uuid}/versions/{number}/promote", document["paths"])

    def test_a_trainer_token_promotes_a_viewer_token_cannot_another_team_gets_404(self):
        viewer = add_member(self.alice_team, "dora", Role.VIEWER)
        _, viewer_secret = ApiToken.create(self.alice_team, viewer, "Viewer's")
        refused = self.post(
            "promote", [self.model.uuid, 2], auth={"Authorization": f"Bearer {viewer_secret}"}
        )
        self.assertEqual(refused.status_code, 403)
        _, bob_secret = ApiToken.create(self.bob_team, self.bob, "Bob's")
        other = self.post(
            "promote", [self.model.uuid, 2], auth={"Authorization": f"Bearer {bob_secret}"}
        )
        self.assertEqual(other.status_code, 404)
        self.assertEqual(self.predict().json()["version"], 1)

        promoted = self.post("promote", [self.model.uuid, 2])
        self.assertEqual(promoted.status_code, 200, promoted.content)
        self.assertEqual((promoted.json()["number"], promoted.json()["current"]), (2, True))
        body = self.predict().json()
        self.assertEqual((body["version"], body["predictions"][0]["label"]), (2, "upbeat"))
        listed = self.client.get(reverse("api:versions", args=[self.model.uuid]), headers=self.auth)
        self.assertEqual(
            [(v["number"], v["current"]) for v in listed.json()], [(1, False), (2, True)]
        )
        self.assertEqual(listed.json()[1]["made_current_by"], "alice")
        models = self.client.get(reverse("api:models"), headers=self.auth).json()
        self.assertEqual(models[0]["version"], 2)
        self.assertTrue(
            Activity.objects.filter(
                what__contains='current (was v1) through the API token "CRM"', user=self.alice
            ).exists()
        )

    def test_a_batch_is_scored_by_the_version_current_when_it_was_made(self):
        self.post("promote", [self.model.uuid, 2])
        self.client.force_login(self.alice)
        url = reverse("catalog:batch_new", args=[self.model.uuid])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                url, {"file": SimpleUploadedFile("a.csv", f"review\n{POSITIVE}\n".encode())}
            )
        batch = BatchPrediction.objects.get()
        self.assertEqual(batch.version, self.v2)
        self.post("promote", [self.model.uuid, 1])  # a roll back after it was queued
        self.assertEqual(jobs.score_batch(batch.pk), 1)
        batch.refresh_from_db()
        scored = batch.output_path.read_text(encoding="utf-8-sig")
        self.assertIn("upbeat", scored)
        status = self.client.get(reverse("catalog:batch_status", args=[batch.uuid]))
        self.assertContains(status, "1 row labelled by v2")
