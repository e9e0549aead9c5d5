"""Entity tags in every scheme people write them: the scheme detected, entities read as token
ranges, impossible sequences repaired and counted, and BIO tags written back."""

import pytest

from finetune.tasks.ner.tags import bio_tags, detect_scheme, entity_ranges, split_tag


@pytest.mark.parametrize(
    "tags, scheme",
    [
        (["B-PER", "I-PER", "O"], "BIO"),
        (["I-PER", "I-PER", "O", "I-LOC"], "IO"),
        (["B-PER", "E-PER", "S-LOC", "O"], "BIOES"),
        (["U-PER", "B-LOC", "L-LOC"], "BIOES"),  # BILOU reads as BIOES
        (["B-ORG", "M-ORG", "E-ORG", "S-NAME"], "BMES"),
        (["PER", "PER", "O", "", "LOC"], "bare"),
        (["O", "O"], "BIO"),
    ],
)
def test_it_detects_the_tag_scheme(tags, scheme):
    assert detect_scheme(tags) == scheme


def test_it_splits_tags_written_in_any_case_and_with_either_joiner():
    assert split_tag("B-creative-work") == ("B", "creative-work")
    assert split_tag("b_PER") == ("B", "PER")
    assert (
        split_tag(" O ") == ("O", "") and split_tag("") == ("O", "") and split_tag(None)[0] == "O"
    )
    assert split_tag("LOC") == ("", "LOC") and split_tag("Bob") == ("", "Bob")


@pytest.mark.parametrize(
    "tags, ranges",
    [
        (["B-PER", "I-PER", "O", "B-LOC", "B-LOC"], [(0, 2, "PER"), (3, 4, "LOC"), (4, 5, "LOC")]),
        (["I-PER", "I-PER", "O", "I-LOC"], [(0, 2, "PER"), (3, 4, "LOC")]),
        (["B-PER", "E-PER", "S-LOC", "S-LOC"], [(0, 2, "PER"), (2, 3, "LOC"), (3, 4, "LOC")]),
        (["B-ORG", "M-ORG", "M-ORG", "E-ORG", "O"], [(0, 4, "ORG")]),
        (["PER", "PER", "O", "LOC", "ORG"], [(0, 2, "PER"), (3, 4, "LOC"), (4, 5, "ORG")]),
        (["B-PER", "I-PER"], [(0, 2, "PER")]),
    ],
)
def test_it_reads_entities_as_token_ranges(tags, ranges):
    decoded = entity_ranges(tags)
    assert decoded.ranges == ranges
    assert decoded.repairs == []


def test_it_starts_an_entity_at_an_inside_tag_without_its_beginning_and_counts_it():
    decoded = entity_ranges(["O", "I-LOC", "I-LOC", "B-PER", "I-ORG"], "BIO")
    assert decoded.ranges == [(1, 3, "LOC"), (3, 4, "PER"), (4, 5, "ORG")]
    assert decoded.repairs == [
        (1, '"I-LOC" without "B-LOC" before it'),
        (4, '"I-ORG" without "B-ORG" before it'),
    ]
    # The same tags are how IO writes entities: nothing to repair there.
    assert entity_ranges(["O", "I-LOC", "I-LOC"], "IO").repairs == []


def test_it_repairs_middle_and_end_tags_and_entities_left_open():
    decoded = entity_ranges(["O", "M-ORG", "E-ORG", "B-TITLE", "O", "E-NAME"], "BMES")
    assert decoded.ranges == [(1, 3, "ORG"), (3, 4, "TITLE"), (5, 6, "NAME")]
    assert [i for i, _ in decoded.repairs] == [1, 3, 5]
    assert decoded.repairs[1] == (3, '"TITLE" entity has no end tag')


def test_it_writes_bio_tags_back_from_token_ranges():
    assert bio_tags(5, [(0, 2, "PER"), (3, 4, "LOC")]) == ["B-PER", "I-PER", "O", "B-LOC", "O"]
    for tags in (["B-ORG", "M-ORG", "E-ORG", "O", "S-NAME"], ["I-PER", "O", "I-LOC", "I-LOC"]):
        ranges = entity_ranges(tags).ranges
        assert entity_ranges(bio_tags(len(tags), ranges), "BIO").ranges == ranges
