"""A draft model's page says in one plain sentence who sees it and where it is listed."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model

NOTICE = "Drafts are seen by your team only; published models are listed first."


class DraftNoticeTestCase(BaseTestCase):
    def test_it_says_who_sees_a_draft(self):
        model = finished_model(self.alice_team, self.alice)
        url = reverse("catalog:detail", args=[model.uuid])
        self.client.force_login(self.alice)
        self.assertContains(self.client.get(url), NOTICE)
        model.publish(self.alice, "Published", "")
        self.assertNotContains(self.client.get(url), NOTICE)
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(url).status_code, 404)
