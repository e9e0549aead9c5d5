"""An upload error says which check failed, and the kinds of file it lists are the ones the
file picker offers."""

import re

from django.test import override_settings
from django.urls import reverse

from finetune.data import SUPPORTED_SUFFIXES
from tests.webapp.base import BaseTestCase, reviews_csv

MB = 1024 * 1024


class UploadErrorKindsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def title(self, response) -> str:
        found = re.search(r'id="upload-error-title"><strong>([^<]+)<', response.content.decode())
        return found[1] if found else ""

    def test_it_names_the_check_that_failed(self):
        cases = [
            (b"%PDF-1.4", "report.pdf", "Wrong kind of file"),
            (b"PK\x03\x04 not a zip" * 50, "broken.xlsx", "LabelTune could not use this file"),
            (b"review,sentiment\n", "empty.csv", "LabelTune could not use this file"),
        ]
        for content, name, title in cases:
            self.assertEqual(self.title(self.upload(content, name)), title, name)
        self.assertEqual(
            self.title(self.client.post(reverse("spreadsheets:upload"))), "No file chosen"
        )

    @override_settings(MAX_UPLOAD_MB=1)
    def test_it_names_the_size_check(self):
        self.assertEqual(self.title(self.upload(reviews_csv() + b"x" * MB)), "File too large")
        huge = self.upload(b"a,b\n" + b"x" * (3 * MB))
        self.assertEqual((huge.status_code, self.title(huge)), (413, "File too large"))

    def test_it_lists_the_kinds_the_picker_accepts(self):
        page = self.client.get(reverse("spreadsheets:upload")).content.decode()
        accept = re.search(r'accept="([^"]+)"', page)[1].split(",")
        self.assertEqual(accept, list(SUPPORTED_SUFFIXES))
        listed = " ".join(SUPPORTED_SUFFIXES)
        self.assertIn(listed, page)
        self.assertIn(listed, self.upload(b"%PDF", "report.pdf").content.decode())
        self.assertEqual(self.title(self.client.get(reverse("spreadsheets:upload"))), "")
