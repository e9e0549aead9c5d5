"""In Chromium, the run page's rough edges: a log-out in another tab sends the page to the
login (no login page nested in the status card), "started ... ago" ages while the page stays
open, and Cancel asks first and leaves no "Stopping" banner once the run is canceled.
Run with: .venv/bin/pytest tests/e2e/test_e2e_run_page_edges.py -m e2e
"""

import re

import pytest

from tests.e2e.conftest import PASSWORD, TINY_MODEL, check_data, sign_up, upload
from tests.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def start_long_training(page, patience: str = "") -> None:
    """A run on the tiny model that keeps training for minutes, unless canceled; from the
    spreadsheet's page. patience="0" turns off the early stop, for runs that must go on."""
    page.get_by_role("link", name=re.compile("Choose a model and train")).click()
    page.fill("#id_name", "Long reviews")
    page.check(f"input[name=base_model][value='local:{TINY_MODEL}']")
    page.fill("#id_epochs", "2000")
    page.fill("#id_max_length", "32")
    if patience:
        page.locator("details summary", has_text="Advanced").click()
        page.fill("#id_patience", patience)
    page.get_by_role("button", name="Start training").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}/$"))


def test_it_handles_log_out_aging_times_and_cancel(app, visitor, reviews_csv):
    person = visitor()
    page = person.page
    page.clock.install()
    sign_up(page, app, "rough")
    upload(page, app, reviews_csv)
    check_data(page)
    # No early stop: with the learning rate picked by trials the tiny model can stop improving
    # (and finish) within a minute, before the Cancel below.
    start_long_training(page, patience="0")
    run_url = page.url
    page.wait_for_selector("#run-status .badge.running", timeout=60_000)

    # 1. "started by rough now" ages while the page stays open.
    started = page.locator("time[data-ago]")
    assert started.inner_text() in ("now", "a second ago") or "seconds ago" in started.inner_text()
    page.clock.fast_forward("05:00")
    page.wait_for_function(
        "document.querySelector('time[data-ago]').textContent === '5 minutes ago'"
    )

    # 2. Log out in another tab: the polling card sends this whole page to the login.
    other = page.context.new_page()
    other.goto(run_url)
    other.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login/\?next="), timeout=20_000)
    assert page.locator("#run-status").count() == 0
    assert page.locator("h1").count() == 1
    page.fill("#id_username", "rough")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(run_url)

    # 3. Cancel asks first: dismissing keeps the run going. The form's submit event is seen
    # as it happens, so the test knows the submit was stopped instead of waiting a while.
    page.evaluate("addEventListener('submit', (e) => { window.lastSubmit = e; }, true)")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#run-status").get_by_role("button", name="Cancel").click()
    page.wait_for_function("window.lastSubmit !== undefined")
    assert page.evaluate("window.lastSubmit.defaultPrevented"), "the form was sent all the same"
    # The live card polls again after the dismissal and still shows the run going; the next
    # click then lands on the card as it stands, not on one being swapped out.
    page.evaluate(
        "window.swaps = 0; document.body.addEventListener('htmx:afterSwap', () => window.swaps++)"
    )
    wait_until(lambda: page.evaluate("window.swaps") > 0, 30, "the status card to poll again")
    assert page.url == run_url
    assert page.locator("#run-status .badge.running").count() == 1

    # 4. Accepting stops it; "Stopping" shows only in the card, which turns into Canceled.
    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    page.locator("#run-status").get_by_role("button", name="Cancel").click()
    wait_until(
        lambda: page.locator("#run-status .badge.canceled").count() == 1,
        60,
        lambda: (
            "the run to show Canceled; the card says: " + page.locator("#run-status").inner_text()
        ),
        every=1,
    )
    assert "Stop training this run?" in messages[0]
    assert "Stopping" not in page.locator("main").inner_text()
    assert "This run was canceled." in page.locator("#run-status").inner_text()
    person.assert_clean()
