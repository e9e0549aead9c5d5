"""Publishing and copying models: one catalogue order, drafts for trainers to publish, copies
that take the files and card but not the spreadsheet's rows."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model
from webapp.accounts.models import Membership, Role, Team
from webapp.catalog.models import TrainedModel


class SharingTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice)
        self.client.force_login(self.alice)

    def test_it_publishes_with_a_name_and_description(self):
        url = reverse("catalog:publish", args=[self.model.uuid])
        self.client.post(url, {"name": "Sentiment", "description": "Happy or not."})
        self.model.refresh_from_db()
        self.assertTrue(self.model.is_published)
        self.assertEqual((self.model.name, self.model.published_by), ("Sentiment", self.alice))
        self.client.post(url, {"action": "draft"})
        self.model.refresh_from_db()
        self.assertFalse(self.model.is_published)

    def test_it_lists_published_models_first(self):
        draft = finished_model(self.alice_team, self.alice, "Newer draft")
        self.model.publish(self.alice, "Published", "")
        catalogue = list(TrainedModel.objects.catalogue(self.alice_team))
        self.assertEqual(catalogue, [self.model, draft])
        page = self.client.get(reverse("catalog:list"))
        self.assertContains(page, "Draft")

    def test_it_shows_who_when_what_and_a_curl_call(self):
        page = self.client.get(reverse("catalog:detail", args=[self.model.uuid]))
        self.assertContains(page, "Trained by alice")
        self.assertContains(page, f"http://testserver/api/v1/models/{self.model.uuid}/predict")

    def test_it_copies_files_and_card_but_not_training_rows(self):
        team = Team.create_for(self.alice, "Research")
        url = reverse("catalog:copy", args=[self.model.uuid])
        response = self.client.post(url, {"team": team.uuid})
        copy = TrainedModel.objects.get(team=team)
        self.assertRedirects(response, reverse("catalog:detail", args=[copy.uuid]))
        self.assertEqual(copy.copied_from, self.model)
        self.assertTrue((copy.run_dir / "model.safetensors").is_file())
        self.assertEqual(copy.card(), self.model.card())
        self.assertFalse((copy.run_dir / "test_predictions.csv").exists())
        self.assertIsNone(copy.run.spreadsheet)
        self.assertEqual(copy.run.created_by, self.alice)

    def test_it_copies_only_where_the_person_trains(self):
        team = Team.create_for(self.bob, "Bob's")
        Membership.objects.create(team=team, user=self.alice, role=Role.VIEWER)
        url = reverse("catalog:copy", args=[self.model.uuid])
        self.assertEqual(self.client.post(url, {"team": team.uuid}).status_code, 403)
        self.assertEqual(self.client.post(url, {"team": self.bob_team.uuid}).status_code, 404)
        self.assertEqual(TrainedModel.objects.count(), 1)

    def test_it_lets_only_trainers_of_the_model_copy_it(self):
        # bob views alice's team and trains in his own: a viewer may not take the model away.
        Membership.objects.create(team=self.alice_team, user=self.bob, role=Role.VIEWER)
        self.client.force_login(self.bob)
        page = self.client.get(reverse("catalog:detail", args=[self.model.uuid]))
        self.assertNotContains(page, "Copy the model")
        url = reverse("catalog:copy", args=[self.model.uuid])
        self.assertEqual(self.client.post(url, {"team": self.bob_team.uuid}).status_code, 403)
        self.assertEqual(TrainedModel.objects.count(), 1)
        Membership.objects.filter(user=self.bob).update(role=Role.TRAINER)
        page = self.client.get(reverse("catalog:detail", args=[self.model.uuid]))
        self.assertContains(page, "Copy the model")
        self.client.post(url, {"team": self.bob_team.uuid})
        self.assertTrue(TrainedModel.objects.filter(team=self.bob_team).exists())
