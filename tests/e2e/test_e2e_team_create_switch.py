"""In Chromium: creating a team keeps the team in use, its page asks "Switch to <team> now?",
the lists name the team in use and say where the other work is, and choosing a team in the
top bar's menu switches in one action (with a Switch button when JavaScript is off).

Run with: .venv/bin/pytest tests/e2e/test_e2e_team_create_switch.py -m e2e
"""

import re

import pytest

from tests.e2e.conftest import PASSWORD, VIEWPORT, sign_up, snap, upload

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def header(page) -> str:
    return page.locator("#team-header").inner_text()


def test_it_asks_before_switching_to_a_new_team(app, visitor, browser, reviews_csv):
    visit = visitor()
    page = visit.page
    sign_up(page, app, "tess")
    upload(page, app, reviews_csv)

    # 1. Creating "Support" keeps tess's team in use; the new team's page asks first.
    page.goto(app.url("/teams/"))
    page.fill("#id_name", "Support")
    page.get_by_role("button", name="Create team").click()
    page.wait_for_url(re.compile(r"/teams/[0-9a-f-]{36}/$"))
    team_url = page.url
    assert page.locator("#team-switch option:checked").inner_text() == "tess's team"
    assert "Switch to Support now?" in page.locator("#switch-offer").inner_text()
    snap(page, "teams-01-created-asks")

    # 2. The data list still shows her spreadsheet and names the team in use.
    page.goto(app.url("/data/"))
    assert header(page).startswith("Team in use: tess's team (you are an admin).")
    assert page.get_by_role("link", name="reviews.csv").count() == 1

    # 3. Choosing Support in the top bar switches at once; the list says where her data is.
    with page.expect_navigation():
        page.select_option("#team-switch", label="Support")
    assert page.url == app.url("/data/")
    assert header(page).startswith("Team in use: Support (you are an admin).")
    assert "1 spreadsheet in your personal team." in header(page)
    assert "No spreadsheets yet." in page.locator("main").inner_text()
    snap(page, "teams-02-work-elsewhere")

    # 4. One click in the header switches back to it, on the same list.
    page.get_by_role("button", name="Switch to tess's team").click()
    page.wait_for_url(app.url("/data/"))
    assert header(page).startswith("Team in use: tess's team")
    assert page.get_by_role("link", name="reviews.csv").count() == 1

    # 5. The team page's offer switches too, and then is gone.
    page.goto(team_url)
    page.get_by_role("button", name="Switch to Support").click()
    page.wait_for_url(team_url)
    assert page.locator("#team-switch option:checked").inner_text() == "Support"
    assert page.locator("#switch-offer").count() == 0
    visit.assert_clean()

    # 6. Without JavaScript the team menu has a Switch button that does the same.
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=False)
    try:
        plain = context.new_page()
        plain.goto(app.url("/login/?next=/runs/"))
        plain.fill("#id_username", "tess")
        plain.fill("#id_password", PASSWORD)
        plain.get_by_role("button", name="Log in").click()
        plain.wait_for_url(app.url("/runs/"))
        plain.select_option("#team-switch", label="tess's team")
        plain.locator("#team-switcher").get_by_role("button", name="Switch").click()
        plain.wait_for_url(app.url("/runs/"))
        assert plain.locator("#team-switch option:checked").inner_text() == "tess's team"
    finally:
        context.close()
