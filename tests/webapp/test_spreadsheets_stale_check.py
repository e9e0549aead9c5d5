"""A data check describes the columns on screen: an invalid new choice hides the last one."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase, reviews_csv

MAPPING = {"task": "single_label", "text_column": "review", "label_column": "sentiment"}


class StaleCheckTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.spreadsheet = self.make_spreadsheet(reviews_csv(rows=40))
        self.url = reverse("spreadsheets:detail", args=[self.spreadsheet.uuid])
        self.client.force_login(self.alice)
        self.client.post(self.url, MAPPING)
        self.assertContains(self.client.get(self.url), 'id="health"')

    def test_it_hides_the_last_check_beside_a_column_error(self):
        for bad in ({"label_column": "review"}, {"label_column": ""}, {"text_column": "nope"}):
            response = self.client.post(self.url, MAPPING | bad)
            self.assertEqual(response.status_code, 200, bad)
            self.assertContains(response, 'class="errorlist', msg_prefix=str(bad))
            self.assertNotContains(response, 'id="health"', msg_prefix=str(bad))
            self.assertNotContains(response, "Choose a model and train", msg_prefix=str(bad))

    def test_it_keeps_the_saved_check_when_the_page_is_shown_again(self):
        self.client.post(self.url, MAPPING | {"label_column": "review"})
        self.assertContains(self.client.get(self.url), 'id="health"')
