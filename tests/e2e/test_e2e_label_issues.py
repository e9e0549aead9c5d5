"""In Chromium, the fix-a-label loop: upload reviews with three labels flipped, check the data,
look for labels that look wrong (the real worker runs the check with the tiny model, the
section polls until the list shows), change a row to the suggested label (the row leaves the
list and the fix is listed), then Undo it (the row is back). Screenshots go to
test-artifacts/e2e/labels-*.png.
"""

import re

import pytest

from tests.e2e.conftest import TINY_MODEL, check_data, sign_up, snap, upload
from tests.finetune.conftest import sentiment_rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FLIPPED = (5, 40, 77)  # frame positions given the other label
CHECK_TIMEOUT_MS = 180_000  # the worker loads the model and embeds 120 rows on busy cores


def test_it_fixes_a_label_and_undoes_it(app, visitor, tmp_path):
    frame = sentiment_rows(120)
    other = {"positive": "negative", "negative": "positive"}
    for i in FLIPPED:
        frame.loc[i, "sentiment"] = other[frame.sentiment[i]]
    path = tmp_path / "flipped reviews.csv"
    frame.to_csv(path, index=False)

    v = visitor()
    page = v.page
    sign_up(page, app, "lena")
    upload(page, app, path)
    check_data(page)

    # 1. Look for labels that look wrong: the section polls until the worker is done.
    section = page.locator("#label-issues")
    section.locator("select[name=base_model]").select_option(f"local:{TINY_MODEL}")
    section.get_by_role("button", name="Look for labels that look wrong").click()
    page.wait_for_selector("#label-issues table", timeout=CHECK_TIMEOUT_MS)
    text = page.locator("#label-issues").inner_text()
    assert re.search(r"\d+ rows? looks? wrong among 120 checked", text), text
    listed = [
        int(r) for r in page.locator("#label-issues tbody tr td:first-child").all_inner_texts()
    ]
    assert {i + 2 for i in FLIPPED} <= set(listed), listed
    snap(page, "labels-1-list")

    # 2. Change the first row to the suggested label: it leaves the list, the fix is listed.
    row = listed[0]
    first = page.locator(f"#label-issue-{row}")
    suggested = first.locator("td").nth(3).inner_text()
    first.get_by_role("button", name=f"Change to “{suggested}”").click()
    page.wait_for_selector("#fixed")
    fixed = page.locator("#fixed").inner_text()
    assert f"Changed the label of row {row} from" in fixed and f'to "{suggested}"' in fixed
    assert page.locator(f"#label-issue-{row}").count() == 0
    assert f"{len(listed) - 1} row" in page.locator("#label-issues").inner_text()
    snap(page, "labels-2-fixed")

    # 3. Undo: the row is back on the list.
    page.locator("#fixed").get_by_role("button", name="Undo").click()
    page.wait_for_selector(f"#label-issue-{row}")
    assert page.locator("#fixed").count() == 0
    assert "Undone: Changed the label of row" in page.locator(".messages").inner_text()
    snap(page, "labels-3-undone")
    v.assert_clean()
