"""The health report: counts, skipped rows, rare labels, conflicts, look-alike labels."""

import pandas as pd

from finetune.health import HealthReport, check
from finetune.mapping import ColumnMapping

COLUMNS = ColumnMapping(text="text", label="label")


def frame(rows):
    return pd.DataFrame(rows, columns=["text", "label"], dtype=str)


def healthy_rows():
    return [(f"message number {i}", "spam" if i % 2 else "ham") for i in range(30)]


def test_it_counts_rows_and_labels():
    report = check(frame(healthy_rows()), COLUMNS)
    assert report.ok and report.rows_total == report.rows_used == 30
    assert report.labels == [{"label": "ham", "count": 15}, {"label": "spam", "count": 15}]
    assert report.imbalance_ratio == 1.0


def test_it_skips_empty_texts_and_labels_and_names_their_rows():
    rows = healthy_rows() + [("", "spam"), ("   ", "ham"), ("no label here", "")]
    report = check(frame(rows), COLUMNS)
    assert report.rows_used == 30
    reasons = {s["reason"]: s for s in report.skipped}
    assert reasons["empty text"]["count"] == 2 and reasons["empty text"]["rows"] == [32, 33]
    assert reasons["empty label"]["rows"] == [34]


def test_it_refuses_labels_with_too_few_rows():
    report = check(frame(healthy_rows() + [("odd one", "eggs")]), COLUMNS)
    assert not report.ok and report.rare_labels == ["eggs"]
    assert 'The label "eggs" has only 1 row;' in report.problems[0]


def test_it_refuses_a_single_label():
    report = check(frame([(f"t{i}", "spam") for i in range(20)]), COLUMNS)
    assert any('only "spam"' in p for p in report.problems)


def test_it_finds_duplicates_and_conflicting_labels():
    rows = healthy_rows() + [("message number 0", "ham"), ("message number 1", "ham")]
    report = check(frame(rows), COLUMNS)
    assert report.duplicate_texts == 2
    assert report.conflicts == [
        {"text": "message number 1", "labels": ["ham", "spam"], "rows": [3, 33]}
    ]
    assert (
        "1 text appears more than once with different labels; the model cannot be right on "
        "both. Make them agree, or keep one."
    ) in report.warnings


def test_it_names_conflicting_answers_in_the_tasks_words():
    texts = [f"alice met bob number {i}" for i in range(12)]
    texts += ["alice met bob number 0", "alice met bob number 1"]
    names = ["alice = PER; bob = PER"] * 12 + ["alice = PER", ""]
    data = pd.DataFrame({"text": texts, "entities": names})
    report = check(data, ColumnMapping(text="text", entities="entities"), task="ner")
    assert any(w.startswith("2 texts appear more than once with different entities;")
               for w in report.warnings), report.warnings  # fmt: skip
    answers = [c["labels"] for c in report.conflicts]
    assert answers == [["alice = PER", "alice = PER; bob = PER"],
                       ["(none)", "alice = PER; bob = PER"]]  # fmt: skip


def test_it_spots_label_spellings_that_look_the_same():
    rows = (
        healthy_rows()
        + [(f"x{i}", "Spam ") for i in range(5)]
        + [(f"y{i}", "SPAM") for i in range(5)]
    )
    report = check(frame(rows), COLUMNS)
    assert report.similar_labels == [["SPAM", "Spam", "spam"]]
    assert any("look like the same label" in w for w in report.warnings)


def test_it_warns_about_imbalance():
    rows = [(f"a{i}", "common") for i in range(100)] + [(f"b{i}", "rare") for i in range(5)]
    report = check(frame(rows), COLUMNS)
    assert report.imbalance_ratio == 20.0
    assert any("20 times more rows" in w for w in report.warnings)


def test_it_counts_texts_longer_than_the_model_reads():
    rows = healthy_rows() + [("word " * 300, "spam"), ("长" * 200, "ham")]
    report = check(frame(rows), COLUMNS, max_length=128)
    assert report.truncated == 2 and report.truncated_estimated


def test_it_counts_with_a_real_tokenizer_when_given_one(tiny_model_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    rows = healthy_rows() + [("good " * 40, "spam")]
    report = check(frame(rows), COLUMNS, max_length=32, tokenizer=tokenizer)
    assert report.truncated == 1 and not report.truncated_estimated


def test_it_round_trips_through_json():
    report = check(frame(healthy_rows()), COLUMNS)
    again = HealthReport.from_dict(report.to_dict())
    assert again == report and report.to_dict()["ok"] is True


def test_it_reads_the_files_own_split_column_before_training_does():
    rows = [(t, label, "test" if i % 5 == 0 else "train") for i, (t, label) in
            enumerate(healthy_rows())]  # fmt: skip
    data = pd.DataFrame(rows, columns=["text", "label", "split"], dtype=str)
    with_split = ColumnMapping(text="text", label="label", split="split")
    report = check(data, with_split)
    assert report.ok, report.problems
    assert report.split_sizes["test_rows"] == 6
    assert report.split_sizes["train_rows"] + report.split_sizes["validation_rows"] == 24
    data.loc[3, "split"] = "later"  # the data check says what training would have failed on
    report = check(data, with_split)
    assert not report.ok and 'values LabelTune does not understand: "later"' in report.problems[0]
    assert check(data, COLUMNS).split_sizes == {}


def test_a_report_keeps_its_tasks_fields_in_its_section_and_reads_old_reports():
    report = check(pd.DataFrame({"t": [f"text {i}" for i in range(20)], "l": ["a", "b"] * 10}),
                   ColumnMapping(text="t", label="l"))  # fmt: skip
    assert report.task == "single_label" and "labels" in report.section
    data = report.to_dict()
    assert data["labels"] == data["section"]["labels"] == report.labels
    assert HealthReport.from_dict(data) == report
    saved = {"task": "regression", "rows_total": 3, "labels": [], "numbers": {"min": 1.0},
             "entity_types": [], "problems": [], "ok": True}  # fmt: skip
    old = HealthReport.from_dict(saved)
    assert old.numbers == {"min": 1.0} and old.section["entity_types"] == [] and old.ok
