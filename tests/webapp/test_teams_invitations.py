"""Invitation links: they work once, cannot be guessed, and stop after revocation or expiry;
accepting needs an account, and signing up on the way comes back to the invitation."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from tests.webapp.base import PASSWORD, BaseTestCase
from webapp.accounts.models import Invitation, Role


class InvitationTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.invitation, secret = Invitation.create(
            self.alice_team, self.alice, "bob@example.org", Role.VIEWER
        )
        self.url = reverse("invitation_accept", args=[secret])

    def test_it_stores_only_a_hash(self):
        self.assertNotIn(self.url.split("/")[-2], self.invitation.token_hash)
        self.assertEqual(len(self.url.split("/")[-2]), 43)  # 32 random bytes

    def test_it_lets_bob_join_once(self):
        self.client.force_login(self.bob)
        response = self.client.post(self.url)
        self.assertRedirects(response, reverse("team_detail", args=[self.alice_team.uuid]))
        self.assertEqual(self.alice_team.role_of(self.bob), Role.VIEWER)
        self.assertEqual(self.client.session["team"], str(self.alice_team.uuid))

    def test_it_refuses_a_second_account(self):
        self.client.force_login(self.bob)
        self.client.post(self.url)
        self.client.force_login(self.charlie)
        response = self.client.post(self.url)
        self.assertEqual(response.status_code, 410)
        self.assertContains(response, "already been used", status_code=410)
        self.assertIsNone(self.alice_team.role_of(self.charlie))

    def test_it_refuses_a_guessed_link(self):
        self.client.force_login(self.bob)
        response = self.client.post(reverse("invitation_accept", args=["a" * 43]))
        self.assertEqual(response.status_code, 404)

    def test_it_refuses_a_revoked_link(self):
        self.client.force_login(self.alice)
        self.client.post(reverse("invitation_revoke", args=[self.invitation.uuid]))
        self.client.force_login(self.bob)
        response = self.client.post(self.url)
        self.assertContains(response, "withdrawn", status_code=410)
        self.assertIsNone(self.alice_team.role_of(self.bob))

    def test_it_refuses_an_expired_link(self):
        Invitation.objects.filter(pk=self.invitation.pk).update(
            expires=timezone.now() - timedelta(seconds=1)
        )
        self.client.force_login(self.bob)
        response = self.client.post(self.url)
        self.assertContains(response, "expired", status_code=410)
        self.assertIsNone(self.alice_team.role_of(self.bob))

    def test_it_signs_up_on_the_way(self):
        page = self.client.get(self.url)
        self.assertContains(page, f"{reverse('signup')}?next=")
        form = {"username": "nina", "password1": PASSWORD, "password2": PASSWORD, "next": self.url}
        response = self.client.post(reverse("signup"), form)
        self.assertRedirects(response, self.url, fetch_redirect_response=False)
        self.client.post(self.url)
        nina = User.objects.get(username="nina")
        self.assertEqual(self.alice_team.role_of(nina), Role.VIEWER)
