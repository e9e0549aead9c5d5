"""Sign-in throttling: wrong passwords lock an account and an address for a while, with a
plain message; numeric-only passwords are refused at sign-up."""

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.webapp.base import PASSWORD, BaseTestCase

LOCKED = "Too many failed sign-ins. Wait 15 minutes and try again."


class ThrottleTestCase(BaseTestCase):
    def sign_in(self, username: str, password: str, address: str = "10.0.0.1"):
        return self.client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def fail(self, username: str, times: int, address: str = "10.0.0.1"):
        for _ in range(times):
            response = self.sign_in(username, "wrong password", address)
        return response

    def test_it_locks_an_account_even_for_the_right_password(self):
        response = self.fail("alice", settings.AXES_FAILURE_LIMIT)
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, LOCKED, status_code=429)
        # The right password, from another address: still refused, and not signed in.
        response = self.sign_in("alice", PASSWORD, address="10.0.0.2")
        self.assertContains(response, LOCKED, status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_locks_an_address_trying_many_accounts(self):
        for name in ["bob", "charlie", "nobody", "admin", "root"][: settings.AXES_FAILURE_LIMIT]:
            self.fail(name, 1, address="10.0.0.3")
        response = self.sign_in("alice", PASSWORD, address="10.0.0.3")
        self.assertContains(response, LOCKED, status_code=429)

    def test_it_leaves_other_accounts_and_addresses_alone(self):
        self.fail("alice", settings.AXES_FAILURE_LIMIT, address="10.0.0.4")
        response = self.sign_in("bob", PASSWORD, address="10.0.0.5")
        self.assertRedirects(response, reverse("home"))

    def test_it_allows_a_few_mistakes(self):
        self.fail("alice", settings.AXES_FAILURE_LIMIT - 1)
        response = self.sign_in("alice", PASSWORD)
        self.assertRedirects(response, reverse("home"))

    def test_it_refuses_an_all_numeric_password(self):
        with self.assertRaisesMessage(ValidationError, "entirely numeric"):
            validate_password("8461937205")
