"""Data fixes: applied to hand-made frames, offered by the health report, said in words."""

import pandas as pd
import pytest

from finetune import FinetuneError
from finetune.data import Table
from finetune.fixes import apply, apply_counting, apply_table, describe, matches_offer, suggest
from finetune.health import check
from finetune.mapping import ColumnMapping

COLUMNS = ColumnMapping(text="text", label="label")


def frame(rows, columns=("text", "label")):
    return pd.DataFrame(rows, columns=list(columns), dtype=str)


def test_it_merges_spellings_into_one_label_ignoring_spaces():
    rows = [("a", "Spam"), ("b", "spam "), ("c", "SPAM"), ("d", "ham"), ("e", "spam")]
    fix = {"kind": "merge_labels", "into": "spam", "labels": ["Spam", "spam", "SPAM"]}
    out, mapping, counts = apply_counting(frame(rows), COLUMNS, [fix])
    assert out["label"].tolist() == ["spam", "spam", "spam", "ham", "spam"]
    assert counts == [3]  # "spam " -> "spam" counts: the cell changed
    assert mapping == COLUMNS


def test_it_leaves_the_frame_it_was_given_alone():
    given = frame([("a", "Spam"), ("", "ham")])
    apply(given, COLUMNS, [{"kind": "merge_labels", "into": "ham", "labels": ["Spam"]}])
    apply(given, COLUMNS, [{"kind": "drop_empty"}])
    assert given["label"].tolist() == ["Spam", "ham"] and len(given) == 2


def test_it_merges_labels_inside_cells_of_several_labels():
    rows = [("a", "bug; Billing"), ("b", "billing"), ("c", "bug"), ("d", "billing; Billing")]
    fix = {"kind": "merge_labels", "into": "billing", "labels": ["Billing", "billing"]}
    out, _ = apply(frame(rows), COLUMNS, [fix], task="multi_label")
    assert out["label"].tolist() == ["bug; billing", "billing", "bug", "billing"]


def test_it_merges_0_1_columns_into_one():
    rows = [("a", "1", "0"), ("b", "0", "1"), ("c", "0", "0")]
    mapping = ColumnMapping(text="text", labels=["refund", "Refund", "other"][:2])
    data = frame([(*r,) for r in rows], columns=("text", "refund", "Refund"))
    fix = {"kind": "merge_labels", "into": "refund", "labels": ["refund", "Refund"]}
    out, fixed, counts = apply_counting(data, mapping, [fix], task="multi_label")
    assert out["refund"].tolist() == ["1", "1", "0"] and counts == [1]
    assert fixed.labels == ["refund"]


def test_it_drops_a_label_with_its_rows_where_a_row_has_one_label():
    rows = [("a", "spam"), ("b", "urgent "), ("c", "ham"), ("d", "urgent")]
    fix = {"kind": "drop_label", "label": "urgent"}
    out, mapping, counts = apply_counting(frame(rows), COLUMNS, [fix])
    assert out["text"].tolist() == ["a", "c"] and out.index.tolist() == [0, 2]
    assert counts == [2] and mapping == COLUMNS


def test_it_drops_a_label_from_cells_of_several_labels_keeping_the_rows():
    rows = [("a", "bug; urgent"), ("b", "urgent"), ("c", "bug")]
    fix = {"kind": "drop_label", "label": "urgent"}
    out, _, counts = apply_counting(frame(rows), COLUMNS, [fix], task="multi_label")
    assert out["label"].tolist() == ["bug", "", "bug"] and counts == [2]


def test_it_drops_a_0_1_column_from_the_labels():
    data = frame([("a", "1", "0", "1"), ("b", "0", "1", "0")], columns=("text", "x", "y", "z"))
    mapping = ColumnMapping(text="text", labels=["x", "y", "z"])
    fix = {"kind": "drop_label", "label": "z"}
    out, fixed, counts = apply_counting(data, mapping, [fix], task="multi_label")
    assert fixed.labels == ["x", "y"] and counts == [1] and len(out) == 2


def test_it_drops_empty_texts_and_labels_and_keeps_the_original_positions():
    rows = [("a", "x"), ("", "x"), ("b", ""), ("  ", "y"), ("c", "y")]
    out, _, counts = apply_counting(frame(rows), COLUMNS, [{"kind": "drop_empty"}])
    assert out["text"].tolist() == ["a", "c"] and out.index.tolist() == [0, 4]
    assert counts == [3]
    only_text, _ = apply(frame(rows), COLUMNS, [{"kind": "drop_empty", "roles": ["text"]}])
    assert only_text["text"].tolist() == ["a", "b", "c"]


def test_it_drops_exact_duplicates_but_not_conflicts():
    rows = [("hi", "a"), ("hi ", "a"), ("hi", "b"), ("yo", "a"), ("yo", "a")]
    out, _, counts = apply_counting(frame(rows), COLUMNS, [{"kind": "drop_duplicates"}])
    assert out.index.tolist() == [0, 2, 3] and counts == [2]


def test_it_keeps_the_first_of_conflicting_rows_or_none():
    rows = [("hi", "a"), ("yo", "b"), ("hi", "b"), ("hi", "a"), ("ok", "a"), ("ok", "a")]
    first, _ = apply(frame(rows), COLUMNS, [{"kind": "drop_conflicts", "keep": "first"}])
    assert first.index.tolist() == [0, 1, 4, 5]  # "ok" repeats but does not conflict
    none, _ = apply(frame(rows), COLUMNS, [{"kind": "drop_conflicts", "keep": "none"}])
    assert none.index.tolist() == [1, 4, 5]


def test_it_judges_numbers_as_the_regression_task_reads_them():
    rows = [("hi", "3"), ("hi", "3.0"), ("yo", "1"), ("yo", "2")]
    out, _ = apply(
        frame(rows), COLUMNS, [{"kind": "drop_conflicts", "keep": "none"}], task="regression"
    )
    assert out.index.tolist() == [0, 1]  # 3 and 3.0 are the same number


def test_it_swaps_text_and_label_once():
    swap = {"kind": "swap_columns", "text": "label", "label": "text"}
    out, mapping = apply(frame([("a", "b")]), COLUMNS, [swap])
    assert (mapping.text, mapping.label) == ("label", "text")
    _, again = apply(out, mapping, [swap])  # applied to the mapping it made: no change
    assert (again.text, again.label) == ("label", "text")
    with pytest.raises(FinetuneError):
        apply(out, ColumnMapping(text="x", label="y"), [swap])


def test_it_refuses_a_merge_without_a_target_and_unknown_kinds():
    with pytest.raises(FinetuneError, match="Pick the label"):
        apply(
            frame([("a", "b")]), COLUMNS, [{"kind": "merge_labels", "into": None, "labels": ["b"]}]
        )
    with pytest.raises(FinetuneError, match="Pick the label to drop"):
        apply(frame([("a", "b")]), COLUMNS, [{"kind": "drop_label", "label": " "}])
    with pytest.raises(FinetuneError):
        apply(frame([("a", "b")]), COLUMNS, [{"kind": "rm -rf"}])


def test_apply_table_keeps_the_spreadsheet_row_numbers():
    table = Table(frame([("a", "x"), ("", "x"), ("", "y"), ("b", "")]), row_numbers=[5, 6, 8, 9])
    fixed, _, _ = apply_table(table, COLUMNS, [{"kind": "drop_empty", "roles": ["text"]}])
    assert fixed.frame["text"].tolist() == ["a", "b"]
    assert [fixed.row_number(i) for i in range(2)] == [5, 9]
    assert check(fixed, COLUMNS).skipped[0]["rows"] == [9]  # the row the user sees


def messy_rows():
    rows = [(f"free money now {i}", "spam") for i in range(8)]
    rows += [(f"see you at lunch {i}", "ham") for i in range(8)]
    rows += [(f"WIN a prize {i}", "Spam") for i in range(2)] + [("claim it", "SPAM ")]
    rows += [("call me", "urgent")]  # a rare label
    rows += [("", "ham"), ("no label", "")]
    rows += [("see you at lunch 0", "ham"), ("free money now 0", "ham")]  # duplicate, conflict
    return rows


def test_it_suggests_what_the_report_finds():
    report = check(frame(messy_rows()), COLUMNS)
    offers = suggest(report, COLUMNS)
    assert offers[0] == {"kind": "merge_labels", "into": "spam", "labels": ["SPAM", "Spam", "spam"]}
    rare = offers[1]
    assert rare["labels"] == ["urgent"] and rare["into"] is None
    assert rare["choices"][:2] == ["ham", "spam"]  # largest first: 10 ham, 9 spam
    assert offers[2] == {"kind": "drop_label", "label": "urgent"}
    assert offers[3:] == [
        {"kind": "drop_empty", "roles": ["text", "label"]},
        {"kind": "drop_duplicates"},
        {"kind": "drop_conflicts", "keep": "first"},
        {"kind": "drop_conflicts", "keep": "none"},
    ]
    assert suggest(report.to_dict(), COLUMNS.to_dict()) == offers  # from what a page stored


def test_the_fixes_it_suggests_make_the_data_ready():
    data = frame(messy_rows())
    assert not check(data, COLUMNS).ok
    offers = suggest(check(data, COLUMNS), COLUMNS)
    chosen = [offers[0], {**offers[1], "into": "ham"}, offers[3], offers[4], offers[5]]
    chosen[1].pop("choices")
    fixed, mapping = apply(data, COLUMNS, chosen)
    report = check(fixed, mapping)
    assert report.ok and not report.warnings and report.rows_used == 20
    assert report.labels == [{"label": "spam", "count": 11}, {"label": "ham", "count": 9}]
    assert suggest(report, mapping, applied=chosen) == []


def test_an_applied_fix_is_not_offered_again_and_offers_are_checked():
    report = check(frame(messy_rows()), COLUMNS)
    offers = suggest(report, COLUMNS, applied=[{"kind": "drop_empty", "roles": ["text", "label"]}])
    assert {"kind": "drop_empty", "roles": ["text", "label"]} not in offers
    rare = {"kind": "merge_labels", "into": "ham", "labels": ["urgent"]}
    assert matches_offer(rare, offers)
    assert not matches_offer({**rare, "into": "eggs"}, offers)
    assert not matches_offer({"kind": "drop_conflicts", "keep": "all"}, offers)


def test_it_suggests_a_swap_when_labels_look_like_the_texts():
    reviews = [f"This is the {i}th long review text written by a customer" for i in range(20)]
    data = frame([(["good", "bad"][i % 2], text) for i, text in enumerate(reviews)])
    report = check(data, COLUMNS)
    assert len(report.rare_labels) == 20
    offers = suggest(report, COLUMNS)
    assert offers == [{"kind": "swap_columns", "text": "label", "label": "text"}]
    swapped, mapping = apply(data, COLUMNS, offers)
    assert check(swapped, mapping).ok


def test_it_does_not_suggest_a_swap_for_short_rare_labels():
    rows = [(f"a fairly long text number {i}", f"L{i % 8}") for i in range(16)]
    offers = suggest(check(frame(rows), COLUMNS), COLUMNS)
    assert all(o["kind"] != "swap_columns" for o in offers)
    assert [o["kind"] for o in offers] == ["merge_labels", "drop_label"] * 8


def test_it_says_each_fix_in_a_sentence():
    merge = {"kind": "merge_labels", "into": "spam", "labels": ["SPAM", "Spam", "spam"]}
    assert describe(merge) == 'Merged the labels "SPAM" and "Spam" into "spam".'
    assert (
        describe(merge, done=False, rows=3)
        == 'Merge the labels "SPAM" and "Spam" into "spam" (3 rows).'
    )
    rare = {"kind": "merge_labels", "into": None, "labels": ["urgent"]}
    assert describe(rare, done=False) == 'Merge the label "urgent" into another label.'
    drop = {"kind": "drop_label", "label": "urgent"}
    assert describe(drop, rows=1) == 'Dropped the label "urgent" (1 row).'
    assert describe({"kind": "drop_empty"}, rows=1) == (
        "Dropped the rows with an empty text or label (1 row)."
    )
    assert describe({"kind": "drop_duplicates"}) == (
        "Dropped the rows that repeat an earlier row (same text, same label)."
    )
    assert describe({"kind": "drop_conflicts", "keep": "first"}) == (
        "Kept only the first row of each text that appears with different labels."
    )
    assert describe({"kind": "drop_conflicts", "keep": "none"}, done=False) == (
        "Drop every row whose text appears with different labels."
    )
    swap = {"kind": "swap_columns", "text": "review", "label": "stars"}
    assert (
        describe(swap)
        == 'Swapped the text and label columns: "review" is the text, "stars" the label.'
    )
