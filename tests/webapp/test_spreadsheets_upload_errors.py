"""A refused or unreadable upload says why in plain words and leaves nothing behind."""

from django.test import override_settings
from django.urls import reverse

from tests.webapp.base import BaseTestCase, reviews_csv
from webapp.spreadsheets.models import Spreadsheet

MB = 1024 * 1024


class UploadErrorsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def assert_nothing_kept(self):
        self.assertFalse(Spreadsheet.objects.exists())
        self.assertEqual(self.stored_files(), [])

    @override_settings(MAX_UPLOAD_MB=1)
    def test_it_refuses_a_file_over_the_limit(self):
        content = reviews_csv() + b"x" * (MB + 20 * 1024 - len(reviews_csv()))  # just over 1 MB
        response = self.upload(content)
        self.assertContains(response, "This file is 1.0 MB; the limit is 1 MB.")
        self.assertContains(response, "Split it or remove columns you don&#x27;t need.")
        self.assert_nothing_kept()

    @override_settings(MAX_UPLOAD_MB=1)
    def test_it_refuses_a_huge_upload_before_reading_it(self):
        response = self.upload(b"a,b\n" + b"x" * (3 * MB))
        self.assertContains(response, "This file is 3.0 MB; the limit is 1 MB.", status_code=413)
        self.assert_nothing_kept()

    def test_it_refuses_other_file_types(self):
        response = self.upload(b"%PDF-1.4 not a spreadsheet", "report.pdf")
        self.assertContains(response, "is not a spreadsheet LabelTune can read")
        self.assert_nothing_kept()

    def test_it_explains_a_broken_workbook(self):
        response = self.upload(b"PK\x03\x04 this is not really a zip file" * 50, "broken.xlsx")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'class="errorlist"')
        self.assertNotContains(response, "Traceback")
        self.assert_nothing_kept()

    def test_it_explains_a_file_without_data_rows(self):
        response = self.upload(b"review,sentiment\n", "empty.csv")
        self.assertContains(response, 'class="errorlist"')
        self.assert_nothing_kept()

    def test_it_keeps_earlier_uploads(self):
        good = self.make_spreadsheet()
        self.upload(b"PK\x03\x04 garbage" * 50, "broken.xlsx")
        self.assertEqual(list(Spreadsheet.objects.all()), [good])
        self.assertEqual(self.stored_files(), [good.path])

    def test_it_asks_for_a_file(self):
        response = self.client.post(reverse("spreadsheets:upload"), {})
        self.assertContains(response, "Choose a file to upload.")
