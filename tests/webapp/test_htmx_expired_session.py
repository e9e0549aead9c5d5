"""Live partials after a log-out elsewhere: htmx gets an HX-Redirect to the login page (the
whole page goes there), never a login page to swap into the card."""

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from webapp.runs.models import TrainingRun


class HtmxExpiredSessionTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.run = TrainingRun.objects.create(
            team=self.alice_team, name="Reviews", mapping={"text": "t", "label": "l"}
        )
        self.page = reverse("runs:detail", args=[self.run.uuid])
        self.status = reverse("runs:status", args=[self.run.uuid])

    def htmx_get(self, url, current="http://testserver/runs/"):
        return self.client.get(url, headers={"HX-Request": "true", "HX-Current-URL": current})

    def test_it_sends_the_whole_page_to_the_login(self):
        response = self.htmx_get(self.status, current=f"http://testserver{self.page}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        target = urlsplit(response["HX-Redirect"])
        self.assertEqual(target.path, reverse("login"))
        self.assertEqual(parse_qs(target.query)["next"], [self.page])

    def test_it_covers_every_polling_and_posting_partial(self):
        some = "00000000-0000-0000-0000-000000000000"
        for url in (
            reverse("catalog:batch_status", args=[some]),
            reverse("catalog:try", args=[some]),
        ):
            response = self.client.post(url, headers={"HX-Request": "true"})
            self.assertEqual(response.status_code, 200, url)
            self.assertTrue(response["HX-Redirect"].startswith(reverse("login")), url)

    def test_it_never_sends_the_user_to_another_site_after_login(self):
        response = self.htmx_get(self.status, current="https://evil.example/steal")
        self.assertEqual(parse_qs(urlsplit(response["HX-Redirect"]).query)["next"], ["/"])

    def test_it_leaves_plain_requests_and_signed_in_users_alone(self):
        self.assertEqual(self.client.get(self.status).status_code, 302)
        self.client.force_login(self.alice)
        response = self.htmx_get(self.status, current=f"http://testserver{self.page}")
        self.assertNotIn("HX-Redirect", response)
        self.assertContains(response, 'id="run-status"')
