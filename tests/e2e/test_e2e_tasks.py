"""In Chromium, each task goes from upload to Try it through the real app and worker.

1. Multi-label: a CSV whose "tags" cells join labels with ";" → the page suggests multi-label
   and says why → labels per row and co-occurrence in the data check → train → the per-label
   table with thresholds → Try it with a bar per label → a scored spreadsheet with a
   "prediction" column and one "score <label>" column per label.
2. Regression: an .xlsx whose "stars" column writes decimals with a comma ("3,5") → the page
   suggests regression → train → the predicted-against-true chart and the largest errors →
   Try it answers a number.
3. Sentence pairs: a CSV with two text columns and a label → both text roles are filled →
   train → Try it has two boxes and answers a label.

The mapping page shows only the fields the chosen task uses (static/js/spreadsheet.js); each
test checks that too. Every text is made of the tiny model's words (tests/e2e/conftest.py), and
the answer hangs on keywords, so twenty quick epochs on a few dozen rows learn it.
Screenshots go to test-artifacts/e2e/tasks-*.png.
"""

import random
import re
from pathlib import Path

import pandas as pd
import pytest

from tests.e2e.conftest import sign_up, snap, start_tiny_training, upload, wait_until_finished
from tests.finetune.conftest import FILLER, NEGATIVE, POSITIVE

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

TAGS = {  # a review has a tag when it holds one of its words
    "praise": ["great", "lovely", "excellent"],
    "complaint": ["awful", "terrible", "horrible"],
    "boredom": ["dull", "boring", "weak"],
}
STARS = {"awful": 1, "poor": "2,5", "fine": "3,5", "good": 4, "superb": "4,5"}  # text cells: "3,5"
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
TRAINING_TIMEOUT_MS = 360_000  # a few dozen rows, but on 2 busy cores
ANSWER_TIMEOUT_MS = 60_000


def tagged_reviews(n: int, seed: int = 0) -> pd.DataFrame:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        tags = [t for t in TAGS if rng.random() < 0.45]
        words = rng.sample(FILLER, 3) + [rng.choice(TAGS[t]) for t in tags]
        rng.shuffle(words)
        rows.append({"review": " ".join(words), "tags": ";".join(tags)})
    return pd.DataFrame(rows, dtype=str)


def starred_reviews(n: int, seed: int = 1) -> pd.DataFrame:
    rng = random.Random(seed)
    names = list(STARS)
    rows = []
    for i in range(n):
        word = names[i % len(names)]
        words = rng.sample(FILLER, 4) + [word]
        rng.shuffle(words)
        rows.append({"review": " ".join(words), "stars": STARS[word]})
    return pd.DataFrame(rows)


def question_pairs(n: int, seed: int = 2) -> pd.DataFrame:
    """The answer hangs on the second text only: a kind word means "same", a harsh one not."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        match = "same" if i % 2 == 0 else "different"
        second = rng.sample(FILLER, 4) + [rng.choice(POSITIVE if match == "same" else NEGATIVE)]
        rng.shuffle(second)
        first = " ".join(rng.sample(FILLER, 5))
        rows.append({"question": first, "answer": " ".join(second), "match": match})
    return pd.DataFrame(rows, dtype=str)


def arrive_with(visitor, app, username: str, frame: pd.DataFrame, path: Path, task: str):
    """A new person signs up and uploads `frame` saved as `path`; the mapping page suggests
    `task`. Returns the visitor and the page's sentences saying why."""
    writer = frame.to_excel if path.suffix == ".xlsx" else frame.to_csv
    writer(path, index=False)
    person = visitor()
    sign_up(person.page, app, username)
    upload(person.page, app, path)
    assert person.page.input_value("#id_task") == task
    words = person.page.locator(".card", has=person.page.locator("#id_task")).inner_text()
    return person, words


def assert_fields(page, shown=(), hidden=()) -> None:
    """The mapping form shows the fields the chosen task uses, and hides the others."""
    for name in shown:
        assert page.locator(f".mapping [data-field={name}]").is_visible(), f"{name} is hidden"
    for name in hidden:
        assert not page.locator(f".mapping [data-field={name}]").is_visible(), f"{name} shows"


def check_data(page) -> str:
    """Save the mapping as the page shows it; return the data check's card text."""
    page.get_by_role("button", name="Check my data").click()
    page.wait_for_selector("#health")
    health = page.locator(".card", has=page.locator("#health")).inner_text()
    assert "Your data is ready for training." in health, health
    return health


def train_and_evaluate(page, name: str) -> str:
    """Train the tiny model; open the evaluation page; return the run status line."""
    start_tiny_training(page, name)
    wait_until_finished(page, TRAINING_TIMEOUT_MS)
    status = page.locator("#run-status").inner_text()
    page.get_by_role("link", name="Read the evaluation").click()
    page.wait_for_url(re.compile(r"/evaluation/$"))
    return status


def try_it(page, text: str, text_pair: str | None = None):
    """Ask the model page's Try it; return the answer's element."""
    page.fill("#try textarea[name=text]", text)
    if text_pair is not None:
        page.fill("#try textarea[name=text_pair]", text_pair)
    result = page.locator("#try-result")
    result.evaluate("node => node.replaceChildren()")  # so the wait below is for this answer
    page.locator("#try button[type=submit]").click()
    result.locator("p").first.wait_for(timeout=ANSWER_TIMEOUT_MS)  # the first loads the model
    assert result.locator(".problem").count() == 0, result.inner_text()
    assert result.locator("p.big").count() == 1, result.inner_html()
    return result


def score_on_model_page(page, frame: pd.DataFrame, tmp_path: Path) -> pd.DataFrame:
    """Upload `frame` as a CSV under "Label a whole spreadsheet", wait for the batch to
    finish, download the scored file and read it back (every cell a string)."""
    batch = tmp_path / "to-score.csv"
    frame.to_csv(batch, index=False)
    page.set_input_files("#batches input[type=file]", str(batch))
    page.get_by_role("button", name="Upload and label").click()
    page.locator("#batches .batch .badge.finished").wait_for(timeout=ANSWER_TIMEOUT_MS * 2)
    with page.expect_download() as started:
        page.locator("#batches .batch a", has_text="Download").click()
    scored_path = tmp_path / "scored.csv"
    started.value.save_as(scored_path)
    return pd.read_csv(scored_path, dtype=str, keep_default_na=False)


def open_model(page) -> None:
    page.get_by_role("link", name="Try the model").click()
    page.wait_for_url(re.compile(r"/models/[0-9a-f-]{36}/$"))


def test_multi_label_from_joined_labels_to_a_scored_spreadsheet(app, visitor, tmp_path):
    # The page suggests multi-label, says why, and shows the fields multi-label uses.
    path = tmp_path / "tagged-reviews.csv"
    person, words = arrive_with(visitor, app, "mia", tagged_reviews(80), path, "multi_label")
    page = person.page
    assert "We suggest “Multi-label classification”" in words, words
    assert 'separated by ";"' in words, words
    assert page.input_value("#id_text_column") == "review"
    assert page.input_value("#id_label_column") == "tags"
    assert page.input_value("#id_label_separator") == ";"
    multi = ("label_column", "label_separator", "label_columns", "text_pair_column")
    assert_fields(page, shown=multi)
    page.select_option("#id_task", "regression")  # another task hides what it does not use
    assert_fields(page, shown=["label_column"], hidden=["label_separator", "label_columns"])
    page.select_option("#id_task", "multi_label")
    assert_fields(page, shown=multi)
    snap(page, "tasks-01-multi-label-mapping")

    # The data check counts labels per row and the labels that come together.
    health = check_data(page)
    assert 'Multi-label classification: text "review", label "tags"' in health, health
    assert "labels per row on average" in health, health
    assert "Labels that often come together" in health, health
    assert page.locator("#health table.labels tbody tr").count() == len(TAGS)
    assert re.search(r"\b[a-z]+ \+ [a-z]+\b", health), health  # e.g. "boredom + praise"
    snap(page, "tasks-02-multi-label-health")

    # A test row counts as correct when it gets exactly its labels.
    status = train_and_evaluate(page, "Review tags")
    assert re.search(r"correct on \d+ of \d+ test rows", status), status

    # The evaluation: micro and macro F1, and one row per label with its threshold.
    figures = page.locator(".figures").first.inner_text()
    assert "Micro F1" in figures and "Macro F1" in figures, figures
    card = page.locator(".card", has=page.get_by_role("heading", name="Per label"))
    assert "Threshold" in card.locator("thead").inner_text()
    rows = [row.split("\t") for row in card.locator("tbody tr").all_inner_texts()]
    assert sorted(row[0] for row in rows) == sorted(TAGS), rows
    assert all(0 < float(row[-1]) < 1 for row in rows), rows
    assert page.locator("table.confusion").count() == 0  # a single-label figure does not apply
    snap(page, "tasks-03-multi-label-evaluation")

    # Try it: the labels that reach their thresholds, a bar per label with its threshold line.
    open_model(page)
    result = try_it(page, "the plot was great and the ending boring")
    assert result.locator("table.bars .bar").count() == len(TAGS)
    assert result.locator("table.bars .threshold").count() == len(TAGS)
    chosen = [t.removesuffix(" ✓") for t in result.locator("tr.chosen th").all_inner_texts()]
    answer = result.locator("p.big").inner_text()
    if chosen:
        assert sorted(answer.split(", ")) == sorted(chosen), (answer, chosen)
    else:
        assert answer.startswith("None of the labels"), answer
    snap(page, "tasks-04-multi-label-try")

    # Score a small spreadsheet and download it: the labels and one score column per label.
    texts = ["excellent film", "the acting was awful", "the story"]
    scored = score_on_model_page(page, pd.DataFrame({"review": texts}), tmp_path)
    assert list(scored.columns) == ["review", "prediction"] + [f"score {t}" for t in sorted(TAGS)]
    assert scored["review"].tolist() == texts
    for tag in TAGS:
        assert all(0 <= float(v) <= 1 for v in scored[f"score {tag}"])
    for cell in scored["prediction"]:
        assert set(filter(None, cell.split("; "))) <= set(TAGS), cell
    snap(page, "tasks-05-multi-label-scored")

    person.assert_clean()


def test_regression_from_decimal_commas_to_a_number(app, visitor, tmp_path):
    # "3,5" is a number: the page suggests regression and asks for one label column only.
    path = tmp_path / "starred-reviews.xlsx"
    person, words = arrive_with(visitor, app, "rex", starred_reviews(60), path, "regression")
    page = person.page
    assert (
        "We suggest “Regression: predict a number”" in words and '"stars" holds numbers' in words
    ), words
    assert page.input_value("#id_label_column") == "stars"
    assert_fields(
        page,
        shown=["text_column", "label_column", "text_pair_column", "split_column"],
        hidden=["label_separator", "label_columns"],
    )
    snap(page, "tasks-06-regression-mapping")

    health = check_data(page)
    assert "range of the values" in health, health
    assert re.search(r"\b1 to 4\.50*\b", health), health  # "4,5" read as 4.5, not 45
    assert "labels per row" not in health and "different labels" not in health, health

    status = train_and_evaluate(page, "Review stars")
    assert re.search(r"Typical error \(MAE\) [\d.]+ on \d+ test rows", status), status

    # The evaluation: the predicted-against-true chart and the largest errors.
    assert page.locator("canvas#eval-scatter").is_visible()
    page.wait_for_function(
        "() => { const c = document.getElementById('eval-scatter');"
        " const chart = window.Chart && Chart.getChart(c);"
        " return chart && chart.data.datasets[0].data.length > 0; }"
    )
    card = page.locator(".card", has=page.get_by_role("heading", name="The largest errors"))
    rows = [row.split("\t") for row in card.locator("tbody tr").all_inner_texts()]
    assert rows, "no rows under the largest errors"
    for row in rows:
        assert re.search(r"[a-z]", row[1]) and all(NUMBER.match(c) for c in row[2:5]), row
    assert page.locator("table.confusion").count() == 0
    assert "Wrong answers" not in page.locator("main").inner_text()
    snap(page, "tasks-07-regression-evaluation")

    # Try it answers a number, higher for a "superb" review of the file than for an "awful" one.
    open_model(page)
    assert page.locator("#try textarea").count() == 1
    assert page.locator("#try button[type=submit]").inner_text() == "Predict"
    reviews = starred_reviews(60)
    values = []
    for word in ("awful", "superb"):
        text = next(t for t in reviews["review"] if word in t.split())
        answer = try_it(page, text).locator("p.big").inner_text()
        assert NUMBER.match(answer), answer
        values.append(float(answer))
    assert 0.5 < values[0] < values[1] < 5.5, values  # scaled back to the file's stars
    snap(page, "tasks-08-regression-try")

    person.assert_clean()


def test_sentence_pairs_from_two_text_columns_to_two_boxes(app, visitor, tmp_path):
    # Both text roles are filled, and the suggestion says it learns from pairs.
    path = tmp_path / "question-pairs.csv"
    person, words = arrive_with(visitor, app, "pat", question_pairs(60), path, "single_label")
    page = person.page
    assert 'Its second text is "answer", so it learns from pairs of texts.' in words, words
    assert page.input_value("#id_text_column") == "question"
    assert page.input_value("#id_text_pair_column") == "answer"
    assert page.input_value("#id_label_column") == "match"
    assert_fields(
        page,
        shown=["text_column", "text_pair_column", "label_column"],
        hidden=["label_separator", "label_columns"],
    )
    snap(page, "tasks-09-pairs-mapping")

    health = check_data(page)
    assert 'text "question", second text "answer", label "match"' in health, health
    status = train_and_evaluate(page, "Question pairs")
    assert re.search(r"correct on \d+ of \d+ test rows", status), status
    assert page.locator("table.confusion td.cell").count() == 4

    # Try it: two boxes, and a label with a bar per label.
    open_model(page)
    assert page.locator("#try textarea").count() == 2
    assert page.locator("#try label", has_text="Second text").is_visible()
    result = try_it(page, "the story and the plot", "the ending was lovely")
    assert re.match(r"(same|different) \(\d+(\.\d+)?% sure\)", result.locator("p.big").inner_text())
    assert result.locator("table.bars .bar").count() == 2
    snap(page, "tasks-10-pairs-try")

    person.assert_clean()
