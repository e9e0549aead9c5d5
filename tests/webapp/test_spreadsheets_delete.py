"""Deleting a spreadsheet removes the row and the stored file (POST only)."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from webapp.spreadsheets.models import Spreadsheet


class DeleteTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.spreadsheet = self.make_spreadsheet(name="old.csv")
        self.url = reverse("spreadsheets:delete", args=[self.spreadsheet.uuid])

    def test_it_deletes_row_and_file(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url, follow=True)
        self.assertRedirects(response, reverse("spreadsheets:list"))
        self.assertContains(response, "Deleted &quot;old.csv&quot;.")
        self.assertFalse(Spreadsheet.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_it_refuses_get(self):
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(self.url).status_code, 405)
        self.assertTrue(Spreadsheet.objects.exists())

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url).status_code, 404)
        self.assertTrue(Spreadsheet.objects.exists())

    def test_it_requires_csrf(self):
        response = self.csrf_client(self.alice).post(self.url)
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Spreadsheet.objects.exists())

    def test_it_keeps_a_spreadsheet_that_a_run_is_training_on(self):
        from webapp.runs.models import TrainingRun

        TrainingRun.objects.create(
            team=self.spreadsheet.team, spreadsheet=self.spreadsheet, name="r", status="running"
        )
        self.client.force_login(self.alice)
        response = self.client.post(self.url, follow=True)
        self.assertContains(response, "is being used by a training run")
        self.assertTrue(Spreadsheet.objects.exists())
        self.assertEqual(len(self.stored_files()), 1)
