"""In Chromium, scoring a small spreadsheet finishes while a long training run keeps the
training worker busy: `manage.py up` starts a worker for the predictions queue alone, so a
file to score no longer waits behind every queued training run.

Run with: .venv/bin/pytest tests/e2e/test_e2e_batch_beside_training.py -m e2e
"""

import re

import pytest

from tests.e2e.conftest import (
    check_data,
    sign_up,
    start_tiny_training,
    upload,
    wait_until_finished,
)
from tests.e2e.test_e2e_run_page_edges import start_long_training
from tests.finetune.conftest import sentiment_rows

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
BATCH_TIMEOUT_MS = 120_000  # far less than the long run takes: it must not wait for it


def cancel_run(page, run_url: str) -> None:
    """Cancel the run, so the shared app's training worker is free for the next tests."""
    page.goto(run_url)
    cancel = page.locator("#run-status").get_by_role("button", name="Cancel")
    if cancel.count():
        page.once("dialog", lambda dialog: dialog.accept())
        cancel.click()
    page.wait_for_selector("#run-status .badge:is(.canceled, .finished, .failed)", timeout=60_000)


def test_it_scores_a_file_while_a_model_trains(app, visitor, reviews_csv, tmp_path):
    person = visitor()
    page = person.page

    # 1. A model to score with: the tiny one, trained to the end.
    sign_up(page, app, "scorer")
    upload(page, app, reviews_csv)
    check_data(page)
    sheet_url = page.url
    start_tiny_training(page, "Quick reviews")
    wait_until_finished(page)
    page.get_by_role("link", name="Try the model").click()
    page.wait_for_url(re.compile(r"/models/[0-9a-f-]{36}/$"))
    model_url = page.url

    # 2. A long run (no early stop) takes the training worker.
    page.goto(sheet_url)
    start_long_training(page, patience="0")
    run_url = page.url
    try:
        page.wait_for_selector("#run-status .badge.running", timeout=60_000)

        # 3. A small file to score finishes while that run still trains.
        small = tmp_path / "to-score.csv"
        sentiment_rows(30)[["review"]].to_csv(small, index=False)
        page.goto(model_url)
        page.set_input_files("#batches input[type=file]", str(small))
        page.get_by_role("button", name="Upload and label").click()
        batch = page.locator("#batches .batch", has_text="to-score.csv")
        batch.locator(".badge.finished").wait_for(timeout=BATCH_TIMEOUT_MS)
        assert "30 rows labelled" in batch.inner_text()

        run_page = page.context.new_page()
        run_page.goto(run_url)
        assert run_page.locator("#run-status .badge.running").count() == 1, run_page.locator(
            "#run-status"
        ).inner_text()
        run_page.close()
        person.assert_clean()
    finally:
        cancel_run(page, run_url)
