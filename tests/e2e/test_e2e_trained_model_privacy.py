"""In Chromium, a person of another team cannot open a trained run, evaluation or model.

Reuses the run and model that test_e2e_train_flow made in the same app; run alone, it
trains one first. Run with: .venv/bin/pytest tests/e2e -m e2e
"""

import re

import pytest

from tests.e2e.conftest import check_data, sign_up, start_tiny_training, upload, wait_until_finished

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def first_users_objects(app, visitor, reviews_csv) -> dict[str, str]:
    if {"run", "evaluation", "model"} <= app.journey.keys():
        return app.journey
    page = visitor().page
    sign_up(page, app, "owner")
    upload(page, app, reviews_csv)
    check_data(page)
    start_tiny_training(page, "Toy reviews")
    app.journey["run"] = page.url
    wait_until_finished(page)
    page.get_by_role("link", name="Try the model").click()
    page.wait_for_url(re.compile(r"/models/[0-9a-f-]{36}/$"))
    app.journey["model"] = page.url
    app.journey["evaluation"] = app.journey["run"] + "evaluation/"
    return app.journey


def test_it_answers_404_for_another_teams_run_and_model(app, visitor, reviews_csv):
    urls = first_users_objects(app, visitor, reviews_csv)

    stranger = visitor()
    page = stranger.page
    sign_up(page, app, "mallory")
    for name in ("run", "evaluation", "model"):
        response = page.goto(urls[name])
        assert response.status == 404, f"{name} page answered {response.status}"
        assert "not found" in page.locator("body").inner_text().lower()

    # Her own lists are empty: nothing of the first team leaks there either.
    page.goto(app.url("/runs/"))
    assert "Toy reviews" not in page.locator("main").inner_text()
    page.goto(app.url("/models/"))
    assert "Toy reviews" not in page.locator("main").inner_text()
    assert stranger.static_failures == []
