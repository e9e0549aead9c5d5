"""API tokens: made by trainers and admins, shown once, stored hashed, revoked by their maker
or an admin; viewers have none."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.teams_support import add_member
from webapp.accounts.models import ApiToken, Role, digest


class ApiTokensTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.url = reverse("token_list", args=[self.alice_team.uuid])

    def test_it_shows_a_new_token_once_and_stores_its_hash(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url, {"name": "CRM"})
        secret = response.context["secret"]
        self.assertContains(response, secret)
        token = ApiToken.objects.get(name="CRM")
        self.assertEqual(token.token_hash, digest(secret))
        self.assertNotIn(secret, str(ApiToken.objects.values_list()))
        self.assertNotContains(self.client.get(self.url), secret)
        self.assertContains(self.client.get(self.url), token.prefix)

    def test_it_lets_trainers_see_and_revoke_only_their_own(self):
        erin = add_member(self.alice_team, "erin", Role.TRAINER)
        alices, _ = ApiToken.create(self.alice_team, self.alice, "Alice's")
        self.client.force_login(erin)
        self.client.post(self.url, {"name": "Erin's"})
        page = self.client.get(self.url)
        self.assertContains(page, "Erin&#x27;s")
        self.assertNotContains(page, "Alice&#x27;s")
        revoke = reverse("token_revoke", args=[alices.uuid])
        self.assertEqual(self.client.post(revoke).status_code, 403)
        alices.refresh_from_db()
        self.assertIsNone(alices.revoked)

    def test_it_lets_admins_revoke_any(self):
        erin = add_member(self.alice_team, "erin", Role.TRAINER)
        erins, _ = ApiToken.create(self.alice_team, erin, "Erin's")
        self.client.force_login(self.alice)
        self.client.post(reverse("token_revoke", args=[erins.uuid]))
        erins.refresh_from_db()
        self.assertIsNotNone(erins.revoked)

    def test_it_gives_viewers_no_tokens(self):
        self.client.force_login(add_member(self.alice_team, "dave", Role.VIEWER))
        self.assertEqual(self.client.get(self.url).status_code, 403)
