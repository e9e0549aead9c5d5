"""Download the original file, byte for byte, under its original name."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase, reviews_csv


class DownloadTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.spreadsheet = self.make_spreadsheet(reviews_csv(), "Customer reviews (May).csv")
        self.url = reverse("spreadsheets:download", args=[self.spreadsheet.uuid])

    def test_it_sends_the_original(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        self.assertIn("Customer reviews (May).csv", response["Content-Disposition"])
        self.assertEqual(b"".join(response.streaming_content), reviews_csv())

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_requires_login(self):
        self.assertEqual(self.client.get(self.url).status_code, 302)
