"""In Chromium: Cleo trains the tiny model twice on one spreadsheet, ticks both runs on the runs
list, and opens the compare page: the figures side by side, the per-label tables and
confusion matrices, and the test rows that changed answer. The spreadsheet's page offers the
same comparison.

Run with: .venv/bin/pytest tests/e2e/test_e2e_compare_runs.py -m e2e
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


def test_it_compares_two_runs_picked_on_the_runs_list(app, visitor, reviews_csv):
    visit = visitor()
    cleo = visit.page

    # 1. Two finished runs of one spreadsheet.
    sign_up(cleo, app, "cleo")
    upload(cleo, app, reviews_csv)
    sheet_url = cleo.url
    check_data(cleo)
    start_tiny_training(cleo, "First try")
    wait_until_finished(cleo)
    cleo.goto(sheet_url)
    start_tiny_training(cleo, "Second try")
    wait_until_finished(cleo)

    # 2. She ticks both on the runs list and compares them.
    cleo.goto(app.url("/runs/"))
    compare = cleo.get_by_role("button", name="Compare the ticked runs")
    assert compare.is_visible()
    cleo.get_by_role("checkbox", name="Compare “First try”").check()
    cleo.get_by_role("checkbox", name="Compare “Second try”").check()
    snap(cleo, "compare-00-runs-list")
    compare.click()
    cleo.wait_for_url(re.compile(r"/runs/compare/\?runs=[0-9a-f-]{36}&runs=[0-9a-f-]{36}$"))

    # 3. A is the first try; the page puts both side by side.
    assert cleo.locator("h1").inner_text() == "Compare runs of “reviews.csv”"
    runs = cleo.locator("#compare-runs tbody tr")
    assert runs.count() == 2
    assert runs.nth(0).inner_text().startswith("A\tFirst try")
    assert "Correct on" in runs.nth(1).inner_text()
    assert cleo.locator("#compare-figures tbody tr").count() >= 2
    assert cleo.get_by_role("heading", name="Per label").count() == 1
    assert cleo.locator("#compare-matrices table.confusion").count() == 2
    changes = cleo.locator("#changes-B h3").inner_text()
    assert re.search(r"\d+ fixed, \d+ broken$", changes), changes
    snap(cleo, "compare-01-two-runs")

    # 4. The spreadsheet's page offers the same, with the runs to tick.
    cleo.goto(sheet_url)
    cleo.get_by_role("link", name="Compare its 2 runs").click()
    cleo.wait_for_url(re.compile(r"/runs/compare/\?spreadsheet="))
    picker = cleo.locator("#compare-picker")
    picker.get_by_role("checkbox", name="Compare “First try”").check()
    picker.get_by_role("checkbox", name="Compare “Second try”").check()
    picker.get_by_role("button", name="Compare").click()
    cleo.wait_for_selector("#compare-changes")

    visit.assert_clean()
