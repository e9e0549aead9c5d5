"""Uploading a CSV keeps the original file, reads it and guesses the columns."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase, reviews_csv
from webapp.spreadsheets.models import Spreadsheet


class UploadTestCase(BaseTestCase):
    def test_it_requires_login(self):
        response = self.client.get(reverse("spreadsheets:upload"))
        self.assertRedirects(response, "/login/?next=/data/upload/")

    def test_it_shows_the_form(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("spreadsheets:upload"))
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, "js/upload.js")
        self.assertContains(response, ".xlsx")
        self.assertContains(response, "a label, several labels, a number, or the names in each")

    def test_it_reads_a_utf8_csv(self):
        self.client.force_login(self.alice)
        response = self.upload(reviews_csv(), "my reviews.csv")

        spreadsheet = Spreadsheet.objects.get()
        self.assertRedirects(response, reverse("spreadsheets:detail", args=[spreadsheet.uuid]))
        self.assertEqual(spreadsheet.team, self.alice_team)
        self.assertEqual(spreadsheet.uploaded_by, self.alice)
        self.assertEqual(spreadsheet.name, "my reviews.csv")
        self.assertEqual(spreadsheet.columns, ["id", "review", "sentiment"])
        self.assertEqual(spreadsheet.row_count, 20)
        self.assertEqual(spreadsheet.sheets, [])
        self.assertEqual(spreadsheet.mapping["text"], "review")
        self.assertEqual(spreadsheet.mapping["label"], "sentiment")
        self.assertEqual(spreadsheet.task, "single_label")
        self.assertEqual(spreadsheet.path.read_bytes(), reviews_csv())

    def test_it_reads_a_windows_1252_csv(self):
        content = "review,sentiment\n" + "".join(
            f'"Café très bien, número {i}",{"bon" if i % 2 else "mauvais"}\n' for i in range(12)
        )
        self.client.force_login(self.alice)
        self.upload(content.encode("cp1252"), "excel.csv")

        spreadsheet = Spreadsheet.objects.get()
        self.assertEqual(spreadsheet.columns, ["review", "sentiment"])
        response = self.client.get(reverse("spreadsheets:detail", args=[spreadsheet.uuid]))
        self.assertContains(response, "Café très bien, número 3")

    def test_it_requires_csrf(self):
        response = self.upload(reviews_csv(), client=self.csrf_client(self.alice))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Spreadsheet.objects.exists())
