"""Every run and model URL sends anonymous visitors to the login page, GET or POST."""

import uuid

from django.urls import reverse

from tests.webapp.base import BaseTestCase

SOME = uuid.uuid4()
URLS = [
    ("runs:list", []), ("runs:new", [SOME]), ("runs:detail", [SOME]), ("runs:status", [SOME]),
    ("runs:cancel", [SOME]), ("runs:retry", [SOME]), ("runs:evaluation", [SOME]),
    ("runs:predictions", [SOME, "csv"]), ("catalog:list", []), ("catalog:detail", [SOME]),
    ("catalog:try", [SOME]), ("catalog:download", [SOME]), ("catalog:batch_new", [SOME]),
    ("catalog:batch_status", [SOME]), ("catalog:batch_download", [SOME]),
]  # fmt: skip


class LoginRequiredTestCase(BaseTestCase):
    def test_it_redirects_anonymous_visitors_to_login(self):
        for name, args in URLS:
            url = reverse(name, args=args)
            for method in (self.client.get, self.client.post):
                response = method(url)
                self.assertEqual(response.status_code, 302, f"{method.__name__} {url}")
                self.assertTrue(response["Location"].startswith(reverse("login")), url)

    def test_it_answers_404_for_unknown_objects(self):
        self.client.force_login(self.alice)
        for name, args in URLS:
            if args:
                response = self.client.get(reverse(name, args=args))
                self.assertIn(response.status_code, (404, 405), name)
