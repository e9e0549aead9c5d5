"""The spreadsheet list shows the team's spreadsheets only."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase


class ListTestCase(BaseTestCase):
    def test_it_requires_login(self):
        self.assertRedirects(self.client.get(reverse("spreadsheets:list")), "/login/?next=/data/")

    def test_it_lists_the_team_spreadsheets(self):
        self.make_spreadsheet(name="alice-reviews.csv", user=self.alice)
        self.make_spreadsheet(name="bob-reviews.csv", user=self.bob)
        self.client.force_login(self.alice)
        response = self.client.get(reverse("spreadsheets:list"))
        self.assertContains(response, "alice-reviews.csv")
        self.assertContains(response, "not checked")
        self.assertNotContains(response, "bob-reviews.csv")

    def test_it_invites_an_upload_when_empty(self):
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(reverse("spreadsheets:list")), "No spreadsheets yet")
