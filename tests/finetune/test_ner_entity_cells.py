"""The one-column entity list ("Paris = LOC; New York Times = ORG"): how its cells read, where
each entity is found in its text, and how spans are written back (with #n only when needed)."""

from finetune.tasks.ner.entities import ENTITY_FORMAT_HELP, Mention, place
from finetune.tasks.ner.layouts import format_entities, parse_entity_cell


def spans_of(text: str, cell: str):
    mentions, unreadable = parse_entity_cell(cell)
    assert unreadable == []
    placed = place(text, mentions)
    return [(text[s:e], t) for s, e, t in placed.spans], placed.unfound, placed.overlaps


def test_it_reads_the_three_ways_of_writing_an_entity():
    cell = "Paris = LOC; New York Times (ORG)；PER: Ada Lovelace\nParis#2 = LOC;北京（LOC）"
    mentions, unreadable = parse_entity_cell(cell)
    assert mentions == [
        Mention("Paris", "LOC"),
        Mention("New York Times", "ORG"),
        Mention("Ada Lovelace", "PER"),
        Mention("Paris", "LOC", 2),
        Mention("北京", "LOC"),
    ]
    assert unreadable == []
    assert "Paris#2 = LOC" in ENTITY_FORMAT_HELP


def test_it_reports_pieces_it_cannot_read_but_keeps_a_semicolon_inside_a_name():
    text = "Paris, Rome and Simon &amp; Schuster"
    cell = (
        "Paris = LOC; just words; Rome = LOC; = LOC; Paris = two words; Simon &amp; Schuster = ORG"
    )
    assert parse_entity_cell(cell, text) == (
        [Mention("Paris", "LOC"), Mention("Rome", "LOC"), Mention("Simon &amp; Schuster", "ORG")],
        ["just words", "= LOC", "Paris = two words"],
    )
    assert parse_entity_cell("") == ([], []) and parse_entity_cell(None) == ([], [])


def test_it_finds_every_occurrence_of_whole_words_only():
    text = "Paris and Parisian cafés: paris, PARIS."
    assert spans_of(text, "Paris = LOC") == ([("Paris", "LOC")], [], [])
    assert spans_of("Parisian cafés", "Paris = LOC") == ([], ["Paris = LOC"], [])
    # Not found as written: looked for ignoring case.
    assert spans_of("I love paris and PARIS", "Paris = LOC")[0] == [
        ("paris", "LOC"),
        ("PARIS", "LOC"),
    ]


def test_it_finds_the_nth_occurrence_when_numbered():
    text = "Jordan met Jordan in Jordan"
    found, unfound, _ = spans_of(
        text, "Jordan#1 = PER; Jordan#2 = PER; Jordan#3 = LOC; Jordan#4 = LOC"
    )
    assert found == [("Jordan", "PER"), ("Jordan", "PER"), ("Jordan", "LOC")]
    assert unfound == ["Jordan#4 = LOC"]
    mentions, _ = parse_entity_cell("Jordan#3 = LOC")
    assert place(text, mentions).spans == [(21, 27, "LOC")]


def test_it_finds_chinese_names_anywhere_by_character():
    text = "高勇，1966年出生于北京，现任北京大学ABC公司职员"
    found, unfound, _ = spans_of(text, "高勇 = NAME; 北京大学 = ORG; ABC公司 = ORG")
    assert found == [("高勇", "NAME"), ("北京大学", "ORG"), ("ABC公司", "ORG")]
    mentions, _ = parse_entity_cell("北京#2 = LOC")
    assert place(text, mentions).spans == [
        (text.index("北京大学"), text.index("北京大学") + 2, "LOC")
    ]


def test_it_drops_overlapping_entities_and_says_which():
    text = "The New York Times is in New York"
    found, _, overlaps = spans_of(text, "New York Times = ORG; New York = LOC")
    # "New York" inside "New York Times" is every occurrence, not a mistake: dropped quietly.
    assert found == [("New York Times", "ORG"), ("New York", "LOC")] and overlaps == []
    found, _, overlaps = spans_of(text, "New York Times = ORG; New York#1 = LOC; Times is = X")
    assert found == [("New York Times", "ORG")]
    assert overlaps == [
        '"New York" (LOC) overlaps "New York Times" (ORG)',
        '"Times is" (X) overlaps "New York Times" (ORG)',
    ]
    found, _, overlaps = spans_of("Paris", "Paris = LOC; Paris = PER; Paris = LOC")
    assert len(found) == 1 and len(overlaps) == 1  # listed twice the same: no overlap


def test_it_writes_spans_back_with_a_number_only_when_needed():
    text = "Jordan met Jordan in Jordan"
    assert format_entities(text, [(0, 6, "PER"), (11, 17, "PER"), (21, 27, "PER")]) == (
        "Jordan = PER"
    )
    assert format_entities(text, [(0, 6, "PER"), (21, 27, "LOC")]) == (
        "Jordan#1 = PER; Jordan#3 = LOC"
    )
    assert (
        format_entities("高勇在北京", [(0, 2, "NAME"), (3, 5, "LOC")]) == "高勇 = NAME; 北京 = LOC"
    )
    assert format_entities("no entity here", []) == ""


def test_it_reads_back_what_it_writes():
    cases = [
        ("Jordan met Jordan in Jordan", [(0, 6, "PER"), (21, 27, "LOC")]),
        ("The New York Times is in New York", [(4, 18, "ORG"), (25, 33, "LOC")]),
        ("北京大学在北京", [(0, 4, "ORG"), (5, 7, "LOC")]),
        ("M&amp;M 's melt", [(0, 7, "product")]),
    ]
    for text, spans in cases:
        mentions, unreadable = parse_entity_cell(format_entities(text, spans))
        assert unreadable == []
        assert place(text, mentions).spans == spans, text
