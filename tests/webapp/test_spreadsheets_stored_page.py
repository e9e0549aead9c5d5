"""Showing a spreadsheet reads no file: the preview, columns, row count and column
suggestion are kept on the row when the file is read (upload, check). A 2 KB workbook that
took 19 s and 2 GB to read used to cost that on every view.
"""

from unittest import mock

from django.urls import reverse

from tests.webapp.base import BaseTestCase, reviews_csv
from webapp.spreadsheets.models import Spreadsheet

NO_READING = mock.patch(
    "webapp.spreadsheets.models.read_table", side_effect=AssertionError("the file was read")
)


class StoredPageTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.spreadsheet = self.make_spreadsheet(reviews_csv(rows=30))
        self.url = reverse("spreadsheets:detail", args=[self.spreadsheet.uuid])
        self.client.force_login(self.alice)

    def test_it_keeps_the_first_rows_on_upload(self):
        preview = self.spreadsheet.preview
        self.assertEqual(len(preview), 20)
        self.assertEqual(preview[0][0], 2)  # the spreadsheet row under the header
        self.assertIn("(review number 1)", preview[0][1][1])

    def test_it_shows_the_page_without_reading_the_file(self):
        with NO_READING:
            response = self.client.get(self.url)
        self.assertContains(response, "The first 20 of 30 rows.")
        self.assertContains(response, "(review number 20)")
        self.assertNotContains(response, "(review number 21)")
        self.assertEqual(response.context["form"]["text_column"].value(), "review")

    def test_it_shows_the_page_when_the_file_is_gone(self):
        self.spreadsheet.remove_file()
        self.assertContains(self.client.get(self.url), "(review number 20)")

    def test_it_reads_the_file_to_check_the_data(self):
        mapping = {"task": "single_label", "text_column": "review", "label_column": "sentiment"}
        with NO_READING, self.assertRaises(AssertionError):
            self.client.post(self.url, mapping)
        self.assertRedirects(self.client.post(self.url, mapping), self.url)

    def test_it_cuts_long_cells_in_what_it_keeps(self):
        content = "review,sentiment\n" + "".join(
            f"{'x' * 5000} {i},{'ab'[i % 2]}\n" for i in range(12)
        )
        spreadsheet = self.make_spreadsheet(content.encode(), "long.csv")
        self.assertEqual(len(spreadsheet.preview[0][1][0]), 201)

    def test_it_fills_in_what_a_row_from_before_lacks(self):
        Spreadsheet.objects.filter(pk=self.spreadsheet.pk).update(preview=[])
        self.assertContains(self.client.get(self.url), "(review number 20)")
        self.spreadsheet.refresh_from_db()
        self.assertEqual(len(self.spreadsheet.preview), 20)
