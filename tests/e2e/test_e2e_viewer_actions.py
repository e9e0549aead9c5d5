"""In Chromium: a viewer is shown only what a viewer may do (no upload, train or API tokens),
and the one refusal left, a typed-in upload address, logs a single line on the server.

Run with: .venv/bin/pytest tests/e2e/test_e2e_viewer_actions.py -m e2e
"""

import re

import pytest

from tests.e2e.conftest import sign_up, sign_up_and_join, snap, upload
from tests.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_it_shows_a_viewer_only_what_a_viewer_may_do(app, visitor, reviews_csv):
    # 1. Ava uploads data to her team and invites Vic as a viewer.
    ava = visitor().page
    sign_up(ava, app, "ava")
    upload(ava, app, reviews_csv)
    ava.locator("#topbar-menu").get_by_role("link", name="Team", exact=True).click()
    ava.fill("#id_email", "vic@example.org")
    ava.select_option("#id_role", "viewer")
    ava.get_by_role("button", name="Invite", exact=True).click()
    link = ava.locator("#invitation-link").inner_text().strip()

    # 2. Vic signs up through the link and joins.
    visit = visitor()
    vic = visit.page
    sign_up_and_join(vic, link, "vic")
    vic.wait_for_url(re.compile(r"/teams/[0-9a-f-]{36}/$"))
    team_url = vic.url

    # 3. Nowhere is he offered what a viewer may not do.
    hidden = ("Upload a spreadsheet", "Train a new model", "API tokens", "Download")
    for path in ("/", "/data/", "/runs/", "/models/", team_url.removeprefix(app.url(""))):
        vic.goto(app.url(path))
        for name in hidden:
            assert vic.get_by_role("link", name=name).count() == 0, f"{name} on {path}"
    vic.goto(app.url("/data/"))
    assert "(you are a viewer)" in vic.locator("#team-header").inner_text()
    assert vic.get_by_role("link", name="reviews.csv").count() == 0
    assert "reviews.csv" in vic.locator("main").inner_text()
    snap(vic, "viewer-01-data")

    # 4. Typing the upload address is refused, with one line in the server's log.
    before = len(app.lines)
    response = vic.goto(app.url("/data/upload/"))
    assert response.status == 403
    assert "Ask one of the team's admins." in vic.locator("main").inner_text()

    def refusal_logged() -> str:  # the log reaches us through the server's output, a moment later
        logged = "".join(app.lines[before:])
        return logged if "Forbidden:" in logged else ""

    logged = wait_until(refusal_logged, 5, "the refusal in the server's log")
    assert logged.count("Forbidden: GET /data/upload/ by vic") == 1, logged
    assert "Traceback" not in logged, logged
    assert "PermissionDenied" not in logged, logged
    visit.console_errors = [e for e in visit.console_errors if "403" not in e]
    visit.assert_clean()
