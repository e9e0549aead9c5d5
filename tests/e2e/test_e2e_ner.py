"""In Chromium, named entities go from an entity spreadsheet to highlighted names in Try it.

A CSV in the first layout (one row per text, its names listed in an "entities" column as
"lovely = LIKE; dull = DISLIKE") → the page suggests "ner", says why, fills the entities
column and shows the accepted formats; only the entity fields show → the data check counts the
names per type → train the tiny model → the evaluation's per-type table and its texts drawn
twice, twenty at a time ("Show more", a filter by type of name) → Try it marks each name with
its type and confidence, and a scored spreadsheet has an "entities" column written the same way.

The names are words the tiny model knows (tests/e2e/conftest.py): the kind words are LIKE and
the harsh ones DISLIKE, among filler words, so twenty quick epochs learn them; the file's split
column makes 32 rows the test rows, and gives their words the other type, so every test text
has a mistake to list. Screenshots go to test-artifacts/e2e/ner-*.png.
"""

import random
import re

import pandas as pd
import pytest

from finetune.tasks import TASKS
from finetune.tasks.ner.layouts import parse_entity_cell
from tests.e2e.conftest import sign_up, snap, start_tiny_training, upload, wait_until_finished
from tests.e2e.test_e2e_tasks import (
    ANSWER_TIMEOUT_MS,
    TRAINING_TIMEOUT_MS,
    assert_fields,
    score_on_model_page,
)
from tests.finetune.conftest import FILLER, NEGATIVE, POSITIVE

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TYPES = {"LIKE": POSITIVE, "DISLIKE": NEGATIVE}


def opinions(n: int, seed: int = 3, flipped: int = 0) -> pd.DataFrame:
    """Texts of filler words with one or two opinion words, and their names listed. With
    `flipped`, a split column: the last `flipped` rows are the test rows, and they give each
    word the other type, so the model gets every one of them wrong; 8 rows before them are
    the validation rows."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        words = rng.sample(FILLER, 4)
        found = []
        for kind in rng.sample(sorted(TYPES), rng.randint(1, 2)):
            word = rng.choice(TYPES[kind])
            words.insert(rng.randint(0, len(words)), word)
            found.append((word, kind))
        part = "test" if i >= n - flipped else "validation" if i >= n - flipped - 8 else "train"
        if part == "test":
            found = [(w, "LIKE" if k == "DISLIKE" else "DISLIKE") for w, k in found]
        row = {"review": " ".join(words), "entities": "; ".join(f"{w} = {k}" for w, k in found)}
        rows.append(row | ({"split": part} if flipped else {}))
    return pd.DataFrame(rows, dtype=str)


def test_entities_from_a_listed_column_to_highlighted_names(app, visitor, tmp_path):
    # 1. Upload: the page suggests named entities, says why, and shows the entity fields.
    path = tmp_path / "opinions.csv"
    opinions(100, flipped=32).to_csv(path, index=False)
    person = visitor()
    page = person.page
    sign_up(page, app, "nora")
    upload(page, app, path)
    assert page.input_value("#id_task") == "ner"
    words = page.locator(".card", has=page.locator("#id_task")).inner_text()
    assert f"We suggest “{TASKS['ner'].title}”" in words, words
    assert page.input_value("#id_text_column") == "review"
    assert page.input_value("#id_entities_column") == "entities"
    entity_fields = ["text_column", "entities_column", "tags_column", "sentence_column",
                     "entity_layout"]  # fmt: skip
    assert_fields(page, shown=entity_fields, hidden=["label_column", "label_separator"])
    help_text = page.locator("[data-field=entities_column] .help").inner_text()
    assert "Paris = LOC" in help_text and "#2" in help_text, help_text
    page.select_option("#id_task", "single_label")  # another task hides the entity fields
    assert_fields(page, shown=["label_column"], hidden=["entities_column", "tags_column"])
    page.select_option("#id_task", "ner")
    assert_fields(page, shown=entity_fields)
    snap(page, "ner-01-mapping")

    # 2. The data check: names per type.
    page.get_by_role("button", name="Check my data").click()
    page.wait_for_selector("#health")
    health = page.locator(".card", has=page.locator("#health")).inner_text()
    assert "Your data is ready for training." in health, health
    assert 'entities "entities"' in health, health
    types = page.locator("#health table.entity-types tbody tr td:first-child").all_inner_texts()
    assert sorted(types) == sorted(TYPES), types
    snap(page, "ner-02-health")

    # 3. Train; the evaluation has one row per type and draws texts with their names.
    start_tiny_training(page, "Opinion words")
    wait_until_finished(page, TRAINING_TIMEOUT_MS)
    page.get_by_role("link", name="Read the evaluation").click()
    page.wait_for_url(re.compile(r"/evaluation/$"))
    table = page.locator("table.entity-types")
    rows = [r.split("\t") for r in table.locator("tbody tr").all_inner_texts()]
    assert sorted(r[0].strip() for r in rows) == sorted(TYPES), rows
    assert all(0 <= float(r[3]) <= 1 for r in rows), rows
    assert "All types" in table.locator("tfoot").inner_text()
    # Every test text is wrong (their types are flipped): 20 at first, "Show more" adds 12.
    examples = page.locator(".ner-example")
    assert examples.count() == 20
    assert examples.first.locator(".expected mark.ent").count() >= 1
    count = page.locator("#entity-count").inner_text()
    assert count == "Showing 20 of 32 texts with mistakes", count
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 6000, f"the page is {height} px tall with 20 texts"
    snap(page, "ner-03-evaluation")
    page.get_by_role("link", name="Show 12 more").click()
    page.locator(".ner-example").nth(31).wait_for()
    assert examples.count() == 32 and page.locator("#entity-examples .more").count() == 0
    assert page.locator("#entity-count").inner_text() == "Showing all 32 texts with mistakes"
    more = page.evaluate("document.documentElement.scrollHeight")
    assert more < height + 12 * (height / 20), f"{more} px tall with 32 texts, {height} with 20"
    # The filter keeps the texts with a mistake in one type of name.
    page.select_option("#entity-type", "LIKE")
    page.wait_for_url(re.compile(r"\?type=LIKE"))
    notes = page.locator(".ner-example > p").all_inner_texts()
    assert notes and all("(LIKE)" in note for note in notes), notes
    assert page.locator("#entity-count").inner_text().endswith("with a mistake in a “LIKE” name")

    # 4. Try it: each name marked, with its type and how sure the model is.
    page.get_by_role("link", name="Try the model").click()
    page.wait_for_url(re.compile(r"/models/[0-9a-f-]{36}/$"))
    link = "https://example.org/" + "x" * 400  # one long word must not widen the page
    text = f"the plot was lovely & the ending dull <b>really</b> {link}"
    page.fill("#try textarea[name=text]", text)
    page.locator("#try button[type=submit]").click()
    result = page.locator("#try-result")
    result.locator("p.big").wait_for(timeout=ANSWER_TIMEOUT_MS)
    assert result.locator(".problem").count() == 0, result.inner_text()
    marks = result.locator("p.entities mark.ent").all()
    found = {m.inner_text().rsplit(" ", 2)[0]: m.get_attribute("data-type") for m in marks}
    assert found.get("lovely") == "LIKE" and found.get("dull") == "DISLIKE", found
    for mark in marks:
        assert mark.get_attribute("data-type") in TYPES
        assert re.search(r"\d+% sure", mark.get_attribute("title")), mark.get_attribute("title")
    # The text as typed, not as HTML: "<b>" is shown, never made bold.
    assert result.locator("b").count() == 0, result.inner_html()
    assert "&" in result.locator("p.entities").inner_text()
    assert re.match(r"Found \d+ names?", result.locator("p.big").inner_text())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"
    snap(page, "ner-04-try")

    # 5. A scored spreadsheet lists the names it found in the first layout.
    texts = ["the story was superb", "awful acting", "the film"]
    scored = score_on_model_page(page, pd.DataFrame({"review": texts}), tmp_path)
    assert list(scored.columns) == ["review", "entities"]
    for cell in scored["entities"]:
        mentions, unreadable = parse_entity_cell(cell)
        assert unreadable == [] and all(m.type in TYPES for m in mentions), cell
    assert "superb = LIKE" in scored["entities"][0] and "awful = DISLIKE" in scored["entities"][1]

    person.assert_clean()
