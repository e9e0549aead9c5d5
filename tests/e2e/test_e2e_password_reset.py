"""In Chromium, against the Quickstart's settings: Pia signs up with an e-mail address,
forgets her password, follows "Forgot your password?", finds the link in the e-mail that the
server printed on its console, chooses a new password and signs in with it.

Run with: .venv/bin/pytest tests/e2e/test_e2e_password_reset.py -m e2e
"""

import re

import pytest

from tests.e2e.conftest import PASSWORD, sign_up, snap
from tests.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
NEW_PASSWORD = "another-long-browser-password-7"
EMAIL = "pia@example.org"


def emailed_link(app, timeout: float = 30) -> str:
    """The reset link from the e-mail the console backend printed in the server's output."""

    def link() -> str | None:
        found = re.findall(r"http://\S+/password/reset/[^/\s]+/[^/\s]+/", app.output(400))
        return found[-1] if found else None

    return wait_until(link, timeout, lambda: f"the reset e-mail in:\n{app.output()}", every=0.2)


def test_it_sets_a_new_password_from_the_console_email(app, visitor):
    page = visitor().page
    sign_up(page, app, "pia", EMAIL)
    page.get_by_role("button", name="Log out").click()

    page.goto(app.url("/login/"))
    page.get_by_role("link", name="Forgot your password?").click()
    page.fill("#id_email", EMAIL)
    page.get_by_role("button", name="Send the link").click()
    assert page.locator("h1").inner_text() == "Check your e-mail"

    page.goto(emailed_link(app))
    assert "For the account pia." in page.locator("main").inner_text()
    page.fill("#id_new_password1", NEW_PASSWORD)
    page.fill("#id_new_password2", NEW_PASSWORD)
    snap(page, "password-reset-choose")
    page.get_by_role("button", name="Save the new password").click()
    assert page.locator("h1").inner_text() == "Password changed"

    page.goto(app.url("/login/"))
    page.fill("#id_username", "pia")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert "Please enter a correct username and password" in page.locator("main").inner_text()
    page.fill("#id_password", NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(app.url("/"))
    assert page.locator("h1").inner_text() == "Welcome, pia"
