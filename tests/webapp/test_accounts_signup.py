"""Sign-up creates the user and a personal team, then logs them in; the e-mail address is
optional, and one another account uses is refused."""

from django.contrib.auth.models import User
from django.urls import reverse

from tests.webapp.base import PASSWORD, BaseTestCase
from webapp.accounts.models import Membership


class SignupTestCase(BaseTestCase):
    def post(self, client=None, **overrides):
        data = {"username": "dana", "password1": PASSWORD, "password2": PASSWORD} | overrides
        return (client or self.client).post(reverse("signup"), data)

    def test_it_shows_the_form(self):
        response = self.client.get(reverse("signup"))
        self.assertContains(response, "Create your account")

    def test_it_creates_user_and_personal_team(self):
        response = self.post()
        self.assertRedirects(response, reverse("home"))

        dana = User.objects.get(username="dana")
        membership = Membership.objects.get(user=dana)
        self.assertTrue(membership.team.personal)
        self.assertEqual(membership.role, Membership.Role.ADMIN)
        # ...and dana is logged in.
        self.assertContains(self.client.get(reverse("home")), "Welcome, dana")

    def test_it_rejects_mismatched_passwords(self):
        response = self.post(password2="something else entirely")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(User.objects.filter(username="dana").exists())

    def test_it_rejects_a_taken_username(self):
        response = self.post(username="alice")
        self.assertContains(response, "already exists")

    def test_it_signs_up_without_an_email_address(self):
        self.assertRedirects(self.post(email=""), reverse("home"))
        self.assertEqual(User.objects.get(username="dana").email, "")

    def test_it_keeps_the_email_address(self):
        self.assertContains(self.client.get(reverse("signup")), "E-mail address (optional)")
        self.assertRedirects(self.post(email="dana@Example.org"), reverse("home"))
        self.assertEqual(User.objects.get(username="dana").email, "dana@example.org")

    def test_it_refuses_an_email_address_another_account_uses(self):
        response = self.post(email="ALICE@example.org")
        self.assertContains(response, "Another account already uses this e-mail address.")
        self.assertFalse(User.objects.filter(username="dana").exists())

    def test_it_refuses_a_malformed_email_address(self):
        response = self.post(email="dana at example")
        self.assertContains(response, "Enter a valid email address.")
        self.assertFalse(User.objects.filter(username="dana").exists())

    def test_it_redirects_logged_in_users(self):
        self.client.force_login(self.alice)
        self.assertRedirects(self.client.get(reverse("signup")), reverse("home"))

    def test_it_requires_csrf(self):
        response = self.post(client=self.csrf_client())
        self.assertEqual(response.status_code, 403)
        self.assertFalse(User.objects.filter(username="dana").exists())
