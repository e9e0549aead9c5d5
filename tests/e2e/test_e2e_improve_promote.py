"""In Chromium: Iris trains the tiny model, improves it with new rows that bring a new label
("mixed"), reads before and after, makes v2 current (Try it answers from v2, with a bar for
"mixed"), then rolls back to v1 (no "mixed" bar any more); the team's activity says who did
what.

Run with: .venv/bin/pytest tests/e2e/test_e2e_improve_promote.py -m e2e
"""

import random
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
from tests.finetune.conftest import FILLER, NEGATIVE, POSITIVE

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
USER = "c2-iris"  # unique among the browser tests (they share one app)


@pytest.fixture
def new_rows_csv(tmp_path):
    """60 new reviews: positive, negative, and "mixed" ones that say both."""
    rng = random.Random(19)
    lines = ["review,sentiment"]
    for i in range(60):
        label = ("positive", "negative", "mixed")[i % 3]
        words = {"positive": [rng.choice(POSITIVE)], "negative": [rng.choice(NEGATIVE)]}.get(
            label, [rng.choice(POSITIVE), rng.choice(NEGATIVE)]
        )
        text = rng.sample(FILLER, 3) + words
        rng.shuffle(text)
        lines.append(f"{' '.join(text)},{label}")
    path = tmp_path / "new reviews.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def try_it(page, text: str) -> str:
    """Label `text` with Try it; the answer's text once it is there."""
    page.fill("#try textarea", text)
    page.locator("#try-result").evaluate("node => node.replaceChildren()")
    page.get_by_role("button", name="Label this text").click()
    page.locator("#try-result p.big").wait_for()
    return page.locator("#try-result").inner_text()


def test_it_improves_a_model_then_promotes_and_rolls_back(app, visitor, reviews_csv, new_rows_csv):
    visit = visitor()
    iris = visit.page

    # 1. A model: v1.
    sign_up(iris, app, USER)
    upload(iris, app, reviews_csv)
    check_data(iris)
    start_tiny_training(iris, "Reviews")
    wait_until_finished(iris)
    iris.get_by_role("link", name="Try the model").click()
    iris.wait_for_url(re.compile(r"/models/[0-9a-f-]{36}/$"))
    model_url = iris.url
    assert "One version so far" in iris.locator("#versions").inner_text()

    # 2. She improves it with new rows; the run starts from the model's weights.
    improve = iris.locator("#improve")
    improve.locator("input[type=file]").set_input_files(str(new_rows_csv))
    improve.get_by_role("button", name="Improve this model").click()
    iris.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}/$"))
    wait_until_finished(iris)
    iris.get_by_role("link", name="Read the evaluation").click()
    before_after = iris.locator("#before-after")
    before_after.wait_for()
    table = before_after.locator("table").inner_text()
    assert "Before" in table and "After" in table and "mixed" in before_after.inner_text()
    snap(iris, "improve-01-before-after")

    # 3. v2 waits on the model page beside v1, which still answers; before and after too.
    iris.goto(model_url)
    assert iris.locator("#before-after table").inner_text() == table
    versions = iris.locator("#versions")
    assert versions.locator("thead th").all_inner_texts()[1:] == ["v1 current", "v2"]
    assert versions.locator("#current-version").inner_text().startswith("v1 answers")
    assert "mixed" not in try_it(iris, "the film was great")

    # 4. She makes v2 current: Try it answers from v2, which knows the new label.
    versions.get_by_role("button", name="Make v2 current").click()
    iris.wait_for_url(model_url)
    current = iris.locator("#current-version").inner_text()
    assert re.match(rf"v2 answers .*: made current by {USER}, \d+ \w+ \d\d:\d\d\.$", current), (
        current
    )
    answer = try_it(iris, "the film was great")
    assert "Answered by v2" in answer and "mixed" in answer, answer
    snap(iris, "improve-02-v2-current")

    # 5. She rolls back to v1.
    iris.locator("#versions").get_by_role("button", name="Roll back to v1").click()
    iris.wait_for_url(model_url)
    assert iris.locator("#current-version").inner_text().startswith("v1 answers")
    answer = try_it(iris, "the film was great")
    assert "Answered by v1" in answer and "mixed" not in answer, answer

    # 6. The team's activity says who did what.
    iris.goto(app.url("/teams/"))
    iris.get_by_role("link", name=f"{USER}'s team").click()
    iris.get_by_role("link", name="Activity", exact=True).click()
    iris.wait_for_url(re.compile(r"/activity/$"))
    activity = iris.locator("main").inner_text()
    assert 'made v2 of the model "Reviews" current (was v1)' in activity
    assert 'rolled the model "Reviews" back from v2 to v1' in activity
    visit.assert_clean()
