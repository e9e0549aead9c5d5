"""In Chromium, a new user goes from a CSV file to a trained model they can try.

Sign up → upload → check the guessed columns → health report → choose the tiny local model
→ train → the run page polls until finished → evaluation (headline, confusion matrix and the
rows behind a cell) → model page → Try it. A full-page screenshot of every page goes to
test-artifacts/e2e/. Run with: .venv/bin/pytest tests/e2e -m e2e
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


def test_it_trains_a_model_and_tries_it_in_the_browser(app, visitor, reviews_csv):
    person = visitor()
    page = person.page

    # 1. Sign up, upload the CSV through the file input.
    sign_up(page, app, "ada")
    page.goto(app.url("/data/upload/"))
    snap(page, "01-upload")
    upload(page, app, reviews_csv)

    # 2. The guessed columns are right; saving them shows the health report.
    check_data(page)
    snap(page, "02-mapping-health")

    # 3. Pick the tiny local model with fast settings and start training.
    start_tiny_training(page, "Toy reviews")
    app.journey["run"] = page.url

    # 4. The run page polls itself until the run is finished, and draws the curve.
    wait_until_finished(page)
    assert "correct on" in page.locator("#run-status").inner_text()
    assert page.locator("#curve-card").is_visible()
    snap(page, "03-run-finished")

    # 5. Evaluation: the headline in words, the confusion matrix, the rows behind a cell.
    page.get_by_role("link", name="Read the evaluation").click()
    page.wait_for_url(re.compile(r"/evaluation/$"))
    app.journey["evaluation"] = page.url
    headline = page.locator("p.big").inner_text()
    match = re.match(r"Correct on (\d+) of (\d+) test rows", headline)
    assert match, headline
    correct, total = int(match[1]), int(match[2])
    assert total == 12 and correct >= 9, headline  # 10% of 120 rows; the toy data is learnable
    cells = page.locator("table.confusion td.cell a")
    assert cells.count() >= 2
    snap(page, "04-evaluation")
    first = cells.first
    count = int(first.inner_text())
    first.click()
    rows = page.locator("#cell-rows")
    rows.wait_for()
    assert re.match(r"True “\w+”, predicted “\w+”", rows.locator("h2").inner_text())
    assert rows.locator("tbody tr").count() == count
    snap(page, "05-evaluation-cell")

    # 6. Model page: Try it answers with a label and a bar per label.
    page.get_by_role("link", name="Try the model").click()
    page.wait_for_url(re.compile(r"/models/[0-9a-f-]{36}/$"))
    app.journey["model"] = page.url
    page.fill("#try textarea", "the film was great")
    page.get_by_role("button", name="Label this text").click()
    answer = page.locator("#try-result p.big")
    answer.wait_for()
    assert answer.inner_text().startswith("positive"), answer.inner_text()
    assert page.locator("#try-result table.bars .bar").count() == 2
    snap(page, "06-model-try")

    person.assert_clean()
