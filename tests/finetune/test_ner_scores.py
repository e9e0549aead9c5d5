"""Entity scores against seqeval, and the dictionary baseline."""

import pytest
from seqeval.metrics import accuracy_score, classification_report
from seqeval.scheme import IOB2

from finetune.tasks.ner.dictionary import Dictionary
from finetune.tasks.ner.layouts import join_tokens
from finetune.tasks.ner.scores import confusions, entity_scores, token_accuracy
from finetune.tasks.ner.tags import entity_ranges

# Hand-made: (words, expected tags, found tags). Every kind of mistake is in here: a name
# missed, one found that is not there, a wrong type, a wrong end, and names found right.
SENTENCES = [
    (
        "John Smith lives in New York City .",
        "B-PER I-PER O O B-LOC I-LOC I-LOC O",
        "B-PER I-PER O O B-LOC I-LOC O O",  # New York City cut short
    ),
    (
        "Apple hired Tim Cook from IBM",
        "B-ORG O B-PER I-PER O B-ORG",
        "B-ORG O B-PER I-PER O B-LOC",  # IBM given the wrong type
    ),
    (
        "Paris and Berlin are far",
        "B-LOC O B-LOC O O",
        "B-LOC O O O B-PER",  # Berlin missed, "far" made a person
    ),
    ("Nothing to see here", "O O O O", "O O O O"),
    ("Mary met Anna in Rome", "B-PER O B-PER O B-LOC", "B-PER O B-PER O B-LOC"),
]


def spans_and_texts():
    texts, expected, found = [], [], []
    for words, gold, guess in SENTENCES:
        text, offsets = join_tokens(words.split())
        texts.append(text)
        for tags, into in ((gold, expected), (guess, found)):
            ranges = entity_ranges(tags.split(), "BIO").ranges
            into.append([(offsets[a][0], offsets[b - 1][1], t) for a, b, t in ranges])
    return texts, expected, found


def test_it_scores_entities_as_seqeval_does_in_strict_mode():
    texts, expected, found = spans_and_texts()
    gold = [g.split() for _, g, _ in SENTENCES]
    guess = [p.split() for _, _, p in SENTENCES]
    report = classification_report(
        gold, guess, mode="strict", scheme=IOB2, output_dict=True, zero_division=0
    )
    ours = entity_scores(expected, found)
    overall = ours["overall"]
    micro = report["micro avg"]
    assert overall["precision"] == pytest.approx(micro["precision"])
    assert overall["recall"] == pytest.approx(micro["recall"])
    assert overall["f1"] == pytest.approx(micro["f1-score"])
    assert overall["support"] == micro["support"] == 10
    for row in ours["types"]:
        theirs = report[row["type"]]
        assert row["precision"] == pytest.approx(theirs["precision"]), row["type"]
        assert row["recall"] == pytest.approx(theirs["recall"]), row["type"]
        assert row["f1"] == pytest.approx(theirs["f1-score"]), row["type"]
        assert row["support"] == theirs["support"], row["type"]
    assert token_accuracy(texts, expected, found) == pytest.approx(accuracy_score(gold, guess))


def test_it_lists_every_type_largest_first_even_without_support():
    _, expected, found = spans_and_texts()
    types = [row["type"] for row in entity_scores(expected, found, types=["MISC"])["types"]]
    assert types == ["LOC", "PER", "ORG", "MISC"]  # 4, 4 (a tie: by name), 2, 0


def test_it_counts_the_same_name_given_another_type():
    _, expected, found = spans_and_texts()
    assert confusions(expected, found) == [{"expected": "ORG", "predicted": "LOC", "count": 1}]


def test_it_reads_chinese_characters_as_words_for_token_accuracy():
    text = "张三在北京"
    assert token_accuracy([text], [[(0, 2, "PER"), (3, 5, "LOC")]], [[(0, 2, "PER")]]) == 0.6


def test_the_dictionary_finds_training_names_whole_words_and_longest_first():
    train_texts = ["I read the New York Times", "New York is big", "Paris is a PER here"]
    train_spans = [[(11, 25, "ORG")], [(0, 8, "LOC")], [(0, 5, "PER")]]
    lookup = Dictionary.learn(
        train_texts + ["Paris again", "Paris"], train_spans + [[(0, 5, "LOC")], [(0, 5, "LOC")]]
    )
    assert lookup.entries["Paris"] == "LOC"  # its most common type
    text = "The New York Times likes New York, not Parisian paris."
    assert lookup.find(text) == [(4, 18, "ORG"), (25, 33, "LOC")]


def test_the_dictionary_finds_names_anywhere_in_chinese():
    lookup = Dictionary.learn(["张三在北京"], [[(0, 2, "PER"), (3, 5, "LOC")]])
    assert lookup.find("昨天张三去了北京市") == [(2, 4, "PER"), (6, 8, "LOC")]


def test_the_dictionary_drops_a_name_the_training_rows_mostly_leave_unmarked():
    texts = ["经理王五在北京", "经理说好", "他是经理", "经理来了", "李四在北京"]
    spans = [[(0, 2, "TITLE"), (2, 4, "NAME"), (5, 7, "LOC")], [], [], [],
             [(0, 2, "NAME"), (3, 5, "LOC")]]  # fmt: skip
    lookup = Dictionary.learn(texts, spans)
    assert "经理" not in lookup.entries  # 1 of its 4 finds in training is marked
    assert {"王五", "北京", "李四"} <= set(lookup.entries)
    assert lookup.find("经理在北京见李四") == [(3, 5, "LOC"), (6, 8, "NAME")]
