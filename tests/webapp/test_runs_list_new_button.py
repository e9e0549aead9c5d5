"""The runs list has a "Train a new model" button that leads to the data to train on."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase


class RunsListButtonTestCase(BaseTestCase):
    def test_it_offers_to_train_a_new_model(self):
        self.client.force_login(self.alice)
        response = self.client.get(reverse("runs:list"))
        self.assertContains(
            response, f'<a class="button" href="{reverse("spreadsheets:list")}"', count=1
        )
        self.assertContains(response, "Train a new model</a>")
