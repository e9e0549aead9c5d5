"""Sign-in throttling: wrong passwords pause one account at one address, never the account
elsewhere nor other accounts there; many wrong passwords from one address, for any accounts,
pause that address for a longer window. Numeric-only passwords are refused at sign-up."""

import io
from datetime import timedelta

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from tests.webapp.base import PASSWORD, BaseTestCase

ACCOUNT_LOCKED = "Too many wrong passwords for this account. Wait 15 minutes and try again"
ADDRESS_LOCKED = "Too many wrong passwords from your network. Wait"
GUESSED = [f"user{i}" for i in range(200)]  # names tried by someone guessing


class ThrottleTestCase(BaseTestCase):
    def sign_in(self, username: str, password: str, address: str = "10.0.0.1"):
        self.client.logout()
        return self.client.post(
            reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def fail(self, username: str, times: int, address: str = "10.0.0.1"):
        for _ in range(times):
            response = self.sign_in(username, "wrong password", address)
        return response

    def spray(self, address: str, count: int):
        """`count` wrong passwords from `address`, each for another account."""
        for name in GUESSED[:count]:
            response = self.fail(name, 1, address)
        return response

    def age(self, by: timedelta):
        """Make every recorded wrong password `by` older."""
        for model in (AccessAttempt, AccessFailureLog):
            for row in model.objects.all():
                model.objects.filter(pk=row.pk).update(attempt_time=row.attempt_time - by)

    def test_it_pauses_an_account_at_one_address_even_for_the_right_password(self):
        response = self.fail("alice", settings.AXES_FAILURE_LIMIT)
        self.assertContains(response, ACCOUNT_LOCKED, status_code=429)
        self.assertContains(response, reverse("password_reset"), status_code=429)
        response = self.sign_in("alice", PASSWORD)
        self.assertContains(response, ACCOUNT_LOCKED, status_code=429)
        self.assertNotIn("_auth_user_id", self.client.session)

    def test_it_leaves_other_accounts_at_that_address_alone(self):
        self.fail("alice", settings.AXES_FAILURE_LIMIT, address="10.0.0.2")
        response = self.sign_in("bob", PASSWORD, address="10.0.0.2")
        self.assertRedirects(response, reverse("home"))

    def test_it_leaves_the_account_alone_at_other_addresses(self):
        self.fail("alice", settings.AXES_FAILURE_LIMIT * 3, address="10.0.0.3")
        response = self.sign_in("alice", PASSWORD, address="10.0.0.4")
        self.assertRedirects(response, reverse("home"))

    def test_it_allows_a_few_mistakes(self):
        self.fail("alice", settings.AXES_FAILURE_LIMIT - 1)
        response = self.sign_in("alice", PASSWORD)
        self.assertRedirects(response, reverse("home"))

    def test_it_ends_the_account_pause_after_the_cool_off(self):
        self.fail("alice", settings.AXES_FAILURE_LIMIT)
        self.age(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        self.assertRedirects(self.sign_in("alice", PASSWORD), reverse("home"))

    def test_it_pauses_an_address_that_tries_many_accounts(self):
        limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
        self.assertGreater(limit, settings.AXES_FAILURE_LIMIT)
        self.spray("10.0.0.5", limit - 1)
        self.assertRedirects(self.sign_in("bob", PASSWORD, "10.0.0.5"), reverse("home"))
        response = self.spray("10.0.0.5", 1)
        self.assertContains(response, ADDRESS_LOCKED, status_code=429)
        # Every account from there is paused, the right password too; other addresses are not.
        self.assertContains(
            self.sign_in("alice", PASSWORD, "10.0.0.5"), ADDRESS_LOCKED, status_code=429
        )
        self.assertRedirects(self.sign_in("alice", PASSWORD, "10.0.0.6"), reverse("home"))

    def test_it_pauses_an_address_longer_than_an_account(self):
        self.spray("10.0.0.7", settings.LOGIN_ADDRESS_FAILURE_LIMIT)
        self.age(settings.AXES_COOLOFF_TIME + timedelta(seconds=1))
        self.assertContains(
            self.sign_in("alice", PASSWORD, "10.0.0.7"), ADDRESS_LOCKED, status_code=429
        )
        self.age(settings.LOGIN_ADDRESS_WINDOW - settings.AXES_COOLOFF_TIME)
        self.assertRedirects(self.sign_in("alice", PASSWORD, "10.0.0.7"), reverse("home"))

    def test_it_says_how_long_an_address_waits(self):
        self.spray("10.0.0.8", settings.LOGIN_ADDRESS_FAILURE_LIMIT)
        self.age(timedelta(minutes=20))
        response = self.sign_in("alice", PASSWORD, "10.0.0.8")
        minutes = int(settings.LOGIN_ADDRESS_WINDOW.total_seconds() // 60) - 20
        self.assertContains(response, f"{ADDRESS_LOCKED} {minutes} minutes", status_code=429)

    def test_it_lifts_an_address_pause_with_axes_reset_ip(self):
        self.spray("10.0.0.9", settings.LOGIN_ADDRESS_FAILURE_LIMIT)
        call_command("axes_reset_ip", "10.0.0.9", stdout=io.StringIO())
        self.assertRedirects(self.sign_in("alice", PASSWORD, "10.0.0.9"), reverse("home"))

    def test_it_refuses_an_all_numeric_password(self):
        with self.assertRaisesMessage(ValidationError, "entirely numeric"):
            validate_password("8461937205")
