"""The dashboard: what to do next, and the team's recent spreadsheets."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase


class HomeTestCase(BaseTestCase):
    def test_it_requires_login(self):
        self.assertRedirects(self.client.get("/"), "/login/?next=/")

    def test_it_points_to_the_upload(self):
        self.client.force_login(self.alice)
        response = self.client.get("/")
        self.assertContains(response, "What to do next")
        self.assertContains(response, reverse("spreadsheets:upload"))
        self.assertContains(response, "No spreadsheets yet")

    def test_it_lists_only_the_team_spreadsheets(self):
        self.make_spreadsheet(name="alice-reviews.csv", user=self.alice)
        self.make_spreadsheet(name="bob-reviews.csv", user=self.bob)
        self.client.force_login(self.alice)
        response = self.client.get("/")
        self.assertContains(response, "alice-reviews.csv")
        self.assertNotContains(response, "bob-reviews.csv")
