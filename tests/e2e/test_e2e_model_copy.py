"""In Chromium: Ann trains a model, copies it to her team "Research" and reads the copy's
pages: when and where it was trained, who copied it, and an evaluation with the figures and
the per-label table but without the test rows, which stayed with the team that trained it.

Run with: .venv/bin/pytest tests/e2e/test_e2e_model_copy.py -m e2e
"""

import re

import pytest

from tests.e2e.conftest import (
    check_data,
    sign_up,
    snap,
    start_tiny_training,
    upload,
    wait_until_finished,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
UUID = r"[0-9a-f-]{36}"


def test_it_opens_the_evaluation_of_a_copied_model(app, visitor, reviews_csv):
    visit = visitor()
    ann = visit.page

    # 1. Ann trains a model in her own team and makes a second team.
    sign_up(ann, app, "abby")  # a name no other browser test signs up with (one app per session)
    upload(ann, app, reviews_csv)
    check_data(ann)
    start_tiny_training(ann, "Reviews")
    wait_until_finished(ann)
    ann.get_by_role("link", name="Try the model").click()
    ann.wait_for_url(re.compile(rf"/models/{UUID}/$"))
    original = ann.url
    ann.goto(app.url("/teams/"))
    ann.fill("#id_name", "Research")
    ann.get_by_role("button", name="Create team").click()
    ann.wait_for_url(re.compile(rf"/teams/{UUID}/$"))

    # 2. She copies the model there; the copy says when and where it was trained.
    ann.goto(original)
    ann.select_option("#copy-team", label="Research")
    ann.get_by_role("button", name="Copy the model").click()
    ann.wait_for_url(re.compile(rf"/models/{UUID}/$"))
    assert ann.url != original
    trained = ann.locator("#trained").inner_text()
    assert re.search(r"\(in abby's team\) · copied \d+ \w+ \d{4}, \d\d:\d\d by abby", trained), (
        trained
    )

    # 3. Its run page says the same instead of "started a moment ago".
    ann.get_by_role("link", name="Training run", exact=True).click()
    ann.wait_for_url(re.compile(rf"/runs/{UUID}/$"))
    header = ann.locator("main p.muted").first.inner_text()
    assert "trained by abby" in header and "· copied" in header, header
    assert "Finished" in ann.locator("#run-status").inner_text()

    # 4. Its evaluation shows the figures and the per-label table, and says where the rows are.
    ann.get_by_role("link", name="Read the evaluation").click()
    ann.wait_for_url(re.compile(rf"/runs/{UUID}/evaluation/$"))
    assert ann.locator("h1").inner_text().startswith("How well does")
    assert ann.locator(".figures .figure").count() >= 2
    assert ann.get_by_role("heading", name="Per label").count() == 1
    note = ann.locator("#rows-note").inner_text()
    assert "test rows stayed with the team that trained this model" in note, note
    assert ann.get_by_role("link", name="CSV").count() == 0
    snap(ann, "copy-01-evaluation")
    response = ann.reload()
    assert response.status == 200

    visit.assert_clean()
