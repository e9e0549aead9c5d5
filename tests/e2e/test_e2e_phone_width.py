"""In Chromium at a phone's size (390 x 844): no page is wider than the window, and the Menu
button opens the menu with the team menu, Team, API tokens and Log out.

Run with: .venv/bin/pytest tests/e2e/test_e2e_phone_width.py -m e2e
"""

import re

import pytest

from tests.e2e.conftest import sign_up, snap

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
PHONE = {"width": 390, "height": 844}
# A long team name and user name: the menu must wrap them, not widen the page.
TEAM = "Customer support and complaints, Northern Europe"
USER = "pat_with_a_rather_long_user_name"
WIDTHS = "[document.documentElement.scrollWidth, document.body.scrollWidth, window.innerWidth]"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    context.set_default_timeout(20_000)
    yield context.new_page()
    context.close()


def open_menu(page):
    button = page.get_by_role("button", name="Menu")
    assert button.get_attribute("aria-expanded") == "false"
    assert not page.get_by_role("button", name="Log out").is_visible()
    button.click()
    assert button.get_attribute("aria-expanded") == "true"
    menu = page.locator("#topbar-menu")
    for item in (
        menu.get_by_label("Team in use"),
        menu.get_by_role("link", name="Team", exact=True),
        menu.get_by_role("link", name="API tokens"),
        menu.get_by_role("button", name="Log out"),
    ):
        assert item.is_visible()
        box = item.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= PHONE["width"], box
    return menu


def assert_fits(page):
    document, body, window = page.evaluate(WIDTHS)
    assert window == PHONE["width"]
    assert document == window and body <= window, f"{page.url}: {document} px wide"


def test_it_fits_a_phone_with_the_menu_open(app, phone):
    page = phone
    sign_up(page, app, USER)
    page.goto(app.url("/teams/"))
    page.fill("#id_name", TEAM)
    page.get_by_role("button", name="Create team").click()
    page.wait_for_url(re.compile(r"/teams/[0-9a-f-]{36}/$"))
    team_page = page.url.removeprefix(app.url(""))

    pages = ["/", "/data/", "/data/upload/", "/runs/", "/models/", "/teams/", team_page]
    pages.append(team_page + "tokens/")
    for path in pages:
        page.goto(app.url(path))
        assert_fits(page)
        open_menu(page)
        assert_fits(page)
    snap(page, "phone-01-menu-open")

    # Escape closes the menu again; choosing a team in it switches at once.
    page.keyboard.press("Escape")
    assert page.get_by_role("button", name="Menu").get_attribute("aria-expanded") == "false"
    page.goto(app.url("/runs/"))
    menu = open_menu(page)
    with page.expect_navigation():
        menu.get_by_label("Team in use").select_option(label=TEAM)
    assert f"Team in use: {TEAM}" in page.locator("#team-header").inner_text()
    assert_fits(page)

    # Log out from the menu.
    open_menu(page).get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile("/login/"))
    assert page.get_by_role("button", name="Log out").count() == 0
    assert_fits(page)
