"""Forgot your password: the sign-in page links to it, an e-mail with a one-time link goes to
the account's address, the link sets a new password and lifts a sign-in pause."""

import re

from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse

from tests.webapp.base import PASSWORD, BaseTestCase

NEW_PASSWORD = "a brand new passphrase"


class PasswordResetTestCase(BaseTestCase):
    def ask(self, email: str = "alice@example.org"):
        return self.client.post(reverse("password_reset"), {"email": email})

    def link(self) -> str:
        self.assertEqual(len(mail.outbox), 1)
        return re.search(r"https?://\S+", mail.outbox[0].body).group(0)

    def choose(self, link: str, password: str = NEW_PASSWORD, again: str | None = None):
        """Open the e-mailed link and submit the new password where it leads."""
        page = self.client.get(link, follow=True)
        url = page.redirect_chain[-1][0] if page.redirect_chain else link
        data = {"new_password1": password, "new_password2": again or password}
        return self.client.post(url, data)

    def sign_in(self, password: str):
        self.client.logout()
        data = {"username": "alice", "password": password}
        return self.client.post(reverse("login"), data, REMOTE_ADDR="10.1.0.1")

    def signs_in(self, password: str) -> bool:
        return self.sign_in(password).status_code == 302

    def test_it_links_from_the_sign_in_page(self):
        self.assertContains(self.client.get(reverse("login")), reverse("password_reset"))

    def test_it_emails_a_link_that_sets_a_new_password(self):
        response = self.ask()
        self.assertRedirects(response, reverse("password_reset_done"))
        self.assertEqual(mail.outbox[0].to, ["alice@example.org"])
        self.assertIn("alice", mail.outbox[0].body)  # the username, forgotten too sometimes
        response = self.choose(self.link())
        self.assertRedirects(response, reverse("password_reset_complete"))
        self.assertTrue(self.signs_in(NEW_PASSWORD))
        self.assertFalse(self.signs_in(PASSWORD))

    def test_it_works_once(self):
        self.ask()
        link = self.link()
        self.choose(link)
        response = self.client.get(link, follow=True)
        self.assertContains(response, "This link has already been used or has expired.")

    def test_it_says_the_same_for_an_unknown_address(self):
        response = self.ask("nobody@example.org")
        self.assertRedirects(response, reverse("password_reset_done"))
        self.assertEqual(mail.outbox, [])
        page = self.client.get(reverse("password_reset_done"))
        hours = settings.PASSWORD_RESET_TIMEOUT // 3600
        self.assertContains(page, "If an account uses that address, it has an e-mail")
        self.assertContains(page, f"within {hours} hours")

    def test_it_refuses_two_different_passwords_in_plain_words(self):
        self.ask()
        response = self.choose(self.link(), again="something else entirely")
        self.assertContains(response, "The two passwords differ.")
        self.assertTrue(User.objects.get(username="alice").check_password(PASSWORD))

    def test_it_lifts_the_sign_in_pause_on_the_account(self):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            self.signs_in("wrong password")
        self.assertEqual(self.sign_in(PASSWORD).status_code, 429)
        self.ask()
        self.choose(self.link())
        self.assertTrue(self.signs_in(NEW_PASSWORD))

    def test_it_requires_csrf(self):
        response = self.csrf_client().post(
            reverse("password_reset"), {"email": "alice@example.org"}
        )
        self.assertEqual(response.status_code, 403)
        self.assertEqual(mail.outbox, [])
