"""A small CSV with a stray NUL uploads like any other: the NUL is removed and the data check
says so. A binary file is still refused with a plain sentence, and nothing is kept."""

import random

from django.urls import reverse

from tests.webapp.base import BaseTestCase, reviews_csv
from webapp.spreadsheets.models import Spreadsheet


class UploadStrayNulTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def test_it_takes_a_small_csv_with_a_stray_nul(self):
        content = reviews_csv().replace(b"sentiment", b"senti\x00ment", 1)
        content = content.replace(b"arrived early.", b"arrived\x00 early.", 1)
        response = self.upload(content, "reviews.csv")
        spreadsheet = Spreadsheet.objects.get()
        url = reverse("spreadsheets:detail", args=[spreadsheet.uuid])
        self.assertRedirects(response, url)
        self.assertEqual(spreadsheet.columns, ["id", "review", "sentiment"])
        self.assertContains(self.client.get(url), "arrived early. (review number 1)")

        mapping = {"task": "single_label", "text_column": "review", "label_column": "sentiment"}
        self.assertRedirects(self.client.post(url, mapping), url)
        spreadsheet.refresh_from_db()
        self.assertIn(
            "2 cells contained invisible control characters; LabelTune removed them.",
            spreadsheet.health["warnings"],
        )

    def test_it_still_refuses_random_bytes(self):
        response = self.upload(random.Random(7).randbytes(2000), "reviews.csv")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This file is not a spreadsheet we can read.")
        self.assertFalse(Spreadsheet.objects.exists())
        self.assertEqual(self.stored_files(), [])
