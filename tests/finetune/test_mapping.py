"""The column mapping by role, numbers as people write them, label separators, and the
task suggested from the columns (with its reason)."""

import pandas as pd
import pytest

from finetune.errors import FinetuneError
from finetune.mapping import ColumnMapping, detect_separator, parse_number, truthy
from finetune.suggest import suggest, task_for


def test_it_round_trips_a_mapping_through_a_dict():
    mapping = ColumnMapping(text="review", text_pair="reply", labels=["a", "b"], split="split")
    data = mapping.to_dict()
    assert data["labels"] == ["a", "b"] and data["text_pair"] == "reply"
    assert ColumnMapping.from_dict(data | {"unknown": 1}) == mapping
    assert ColumnMapping.from_dict({"text": "t"}) == ColumnMapping(text="t")
    assert mapping.used() == ["review", "reply", "a", "b", "split"]


def test_it_refuses_a_mapping_without_a_text_column():
    with pytest.raises(FinetuneError, match="No text column was chosen"):
        ColumnMapping.from_dict({"label": "x"})


def test_it_says_the_mapping_in_words():
    words = ColumnMapping(text="q1", text_pair="q2", label="dup").in_words()
    assert words == 'text "q1", second text "q2", label "dup"'


@pytest.mark.parametrize(
    "cell, number",
    [
        ("3", 3.0),
        ("3.5", 3.5),
        ("3,5", 3.5),
        ("-0,25", -0.25),
        ("1,234", 1234.0),
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        ("1 234", 1234.0),
        ("1.234.567", 1234567.0),
        ("0,125", 0.125),
        (" 42 ", 42.0),
        ("four", None),
        ("", None),
        ("3.5 stars", None),
        ("1,2,3", None),
    ],
)
def test_it_reads_numbers_the_way_people_write_them(cell, number):
    assert parse_number(cell) == number


def test_it_reads_yes_no_cells():
    assert [truthy(v) for v in ["1", "yes", "X", "true", "0", "no", "", "maybe"]] == [
        True, True, True, True, False, False, False, None,
    ]  # fmt: skip


def test_it_detects_the_label_separator():
    assert detect_separator(["billing; refund", "bug", "bug; ui", "refund"]) == ";"
    assert detect_separator(["a|b", "b", "c|a"]) == "|"
    assert detect_separator(["spam", "ham", "spam"]) is None


def test_it_suggests_multi_label_from_joined_labels():
    frame = pd.DataFrame(
        {
            "ticket": [f"my invoice number {i} is wrong and the app crashed" for i in range(40)],
            "tags": ["billing; bug", "billing", "bug", "ui; bug"] * 10,
        }
    )
    suggestion = suggest(frame)
    assert suggestion.task == "multi_label"
    assert suggestion.mapping.label == "tags" and suggestion.mapping.label_separator == ";"
    assert '"tags"' in suggestion.reason and '";"' in suggestion.reason


def test_it_suggests_multi_label_from_0_1_columns():
    frame = pd.DataFrame(
        {
            "comment": [f"this is comment number {i}, quite long" for i in range(30)],
            "anger": ["1", "0", ""] * 10,
            "joy": ["0", "1", "1"] * 10,
            "fear": ["yes", "no", "no"] * 10,
        }
    )
    suggestion = suggest(frame)
    assert suggestion.task == "multi_label"
    assert suggestion.mapping.labels == ["anger", "joy", "fear"]
    assert "3 columns hold only 0/1 values" in suggestion.reason


def test_it_suggests_regression_for_a_numeric_label():
    frame = pd.DataFrame(
        {
            "review": [f"review text number {i} about the product" for i in range(50)],
            "price": [f"{10 + i * 1.5:.2f}".replace(".", ",") for i in range(50)],
        }
    )
    suggestion = suggest(frame)
    assert suggestion.task == "regression" and suggestion.mapping.label == "price"
    assert "numbers" in suggestion.reason


def test_it_reads_decimal_commas_as_numbers_not_joined_labels():
    # Few distinct values: "2,5" split at the comma would look like labels "2" and "5".
    stars = ["1", "2,5", "3,5", "4", "4,5"] * 10
    assert detect_separator(stars) is None
    frame = pd.DataFrame({"review": [f"review number {i} of the film" for i in range(50)]})
    suggestion = suggest(frame.assign(stars=stars))
    assert suggestion.task == "regression" and suggestion.mapping.label == "stars"
    assert suggestion.mapping.label_separator is None


def test_it_keeps_classes_when_a_numeric_column_has_few_values():
    frame = pd.DataFrame(
        {"review": [f"a review about thing {i}" for i in range(30)], "label": ["0", "1"] * 15}
    )
    assert suggest(frame).task == "single_label"


def test_it_suggests_pairs_from_two_long_text_columns():
    frame = pd.DataFrame(
        {
            "sentence1": [f"A man is playing the guitar on stage number {i}." for i in range(40)],
            "sentence2": [f"Someone plays an instrument in hall number {i}." for i in range(40)],
            "label": ["entailment", "not_entailment"] * 20,
        }
    )
    suggestion = suggest(frame)
    assert suggestion.task == "single_label"
    assert {suggestion.mapping.text, suggestion.mapping.text_pair} == {"sentence1", "sentence2"}
    assert "pairs of texts" in suggestion.reason


def test_it_takes_the_left_text_column_as_the_first_text_of_pairs():
    # "Sentence B" has the longer texts, so the guess alone would make it the first text.
    frame = pd.DataFrame(
        {
            "Sentence A": [f"A man plays the guitar {i}." for i in range(40)],
            "Sentence B": [
                f"Someone is playing an instrument on a stage, take {i}." for i in range(40)
            ],
            "score": [str(i % 11 / 2) for i in range(40)],
        }
    )
    suggestion = suggest(frame)
    assert (suggestion.mapping.text, suggestion.mapping.text_pair) == ("Sentence A", "Sentence B")
    assert suggestion.reasons["text"] == (
        'It is the first of the two text columns; "Sentence B" is the second text.'
    )
    assert suggestion.task == "regression"
    assert suggestion.reasons["label"] == (
        "It holds the numbers to predict (11 different values from 0 to 5)."
    )


def test_it_does_not_take_a_row_id_for_a_number_to_predict():
    frame = pd.DataFrame(
        {"id": [str(i) for i in range(30)], "text": [f"some text {i}" for i in range(30)]}
    )
    suggestion = suggest(frame)
    assert suggestion.task == "single_label" and suggestion.mapping.label is None


def test_it_keeps_old_mappings_loading_and_round_trips_the_entity_roles():
    stored = {"text": "review", "label": "stars", "labels": [], "split": None}  # before entities
    assert ColumnMapping.from_dict(stored).entities is None
    mapping = ColumnMapping(text="word", tags="tag", sentence="Sentence #", split="part")
    assert ColumnMapping.from_dict(mapping.to_dict()) == mapping
    assert mapping.used() == ["word", "tag", "Sentence #", "part"]
    assert (
        mapping.in_words() == 'token "word", tags "tag", sentence number "Sentence #", split "part"'
    )
    listed = ColumnMapping(text="tweet", entities="names", entity_layout="entities")
    assert listed.in_words() == 'text "tweet", entities "names"'
    assert ColumnMapping(text="tokens", tags="tags").in_words() == 'tokens "tokens", tags "tags"'


def test_it_suggests_entities_from_a_column_listing_them():
    frame = pd.DataFrame(
        {
            "id": [str(i) for i in range(8)],
            "tweet": [f"Flying from Paris to New York with Ada, day {i}" for i in range(8)],
            "found": ["Paris = LOC; New York = LOC; Ada = PER", "Ada (PER)", "LOC: Paris", ""] * 2,
        }
    )
    suggestion = suggest(frame)
    assert suggestion.task == "ner"
    assert suggestion.mapping == ColumnMapping(
        text="tweet", entities="found", entity_layout="entities"
    )
    assert suggestion.reason == (
        'Cells of "found" list names with their types (like "Paris = LOC"), so the model '
        'learns to find such names in "tweet".'
    )
    assert "label" not in suggestion.reasons and "entities" in suggestion.reasons


def test_it_suggests_entities_from_one_tag_per_row_with_sentence_numbers():
    frame = pd.DataFrame(
        {
            "Sentence #": ["Sentence: 1", "", "", "", "Sentence: 2", "", ""],
            "Word": ["Thousands", "marched", "in", "London", "Iraq", "said", "no"],
            "POS": ["NNS", "VBD", "IN", "NNP", "NNP", "VBD", "DT"],
            "Tag": ["O", "O", "O", "B-geo", "B-geo", "O", "O"],
        }
    )
    suggestion = suggest(frame)
    assert suggestion.task == "ner"
    assert suggestion.mapping == ColumnMapping(
        text="Word", tags="Tag", sentence="Sentence #", entity_layout="token_rows"
    )
    assert '"Tag" holds one entity tag (like "B-geo") for each word of "Word"' in suggestion.reason
    assert '"Sentence #" numbers the sentences' in suggestion.reason


def test_it_suggests_entities_from_bare_tags_between_blank_rows():
    frame = pd.DataFrame(
        {"词": list("张三在北京工作"), "标注": ["PER", "PER", "O", "LOC", "LOC", "O", "O"]}
    )
    suggestion = suggest(frame)
    assert suggestion.task == "ner"
    assert suggestion.mapping == ColumnMapping(text="词", tags="标注", entity_layout="token_rows")
    assert "blank rows end the sentences" in suggestion.reason


def test_it_suggests_entities_from_token_and_tag_lists():
    frame = pd.DataFrame(
        {
            "words": ["John lives in Paris", "Mary left", "Hello there friend"],
            "ner_tags": ["B-PER O O B-LOC", "B-PER O", "O O O"],
        }
    )
    suggestion = suggest(frame)
    assert suggestion.task == "ner"
    assert suggestion.mapping == ColumnMapping(
        text="words", tags="ner_tags", entity_layout="token_lists"
    )
    assert suggestion.reason == (
        '"ner_tags" lists one entity tag (like "B-PER") for each word of "words", so the model '
        "learns to find names in text."
    )


def test_it_takes_the_users_own_entity_columns_as_entities():
    frame = pd.DataFrame({"text": ["Paris is big"], "names": ["Paris = LOC"], "stars": ["5"]})
    task, reason = task_for(frame, ColumnMapping(text="text", entities="names"))
    assert task == "ner" and '"names"' in reason and '"text"' in reason
    task, reason = task_for(frame, ColumnMapping(text="text", tags="names"))
    assert task == "ner" and '"names"' in reason


def test_it_does_not_take_notes_or_labels_for_entities():
    frame = pd.DataFrame(
        {
            "review": [f"The film was good, I liked it ({i})" for i in range(20)],
            "note": ["Status: open", "Status: closed"] * 10,
            "label": ["O", "P"] * 10,
        }
    )
    assert suggest(frame).task == "single_label"


def test_it_keeps_the_files_own_split_column_in_every_task():
    # Sorted by split, as exported data sets often are: the first thousand rows say "train".
    n = 1_200
    split = ["train"] * 1_100 + ["Validation"] * 50 + ["test"] * 50
    reviews = pd.DataFrame(
        {
            "review": [f"review number {i} was {'good' if i % 2 else 'bad'}" for i in range(n)],
            "sentiment": ["pos" if i % 2 else "neg" for i in range(n)],
            "part": split,
        }
    )
    suggestion = suggest(reviews)
    assert (suggestion.task, suggestion.mapping.label, suggestion.mapping.split) == (
        "single_label", "sentiment", "part"
    )  # fmt: skip
    assert suggestion.reasons["split"] == (
        "It says train / validation / test for each row, so training keeps your split"
    )
    tokens = pd.DataFrame(
        {
            "token": ["John", "lives", "in", "Paris", "Mary", "left"],
            "tag": ["B-PER", "O", "O", "B-LOC", "B-PER", "O"],
            "sentence": [1, 1, 1, 1, 2, 2],
            "split": ["train"] * 4 + ["test"] * 2,
        }
    )
    suggestion = suggest(tokens)
    assert (suggestion.task, suggestion.mapping.split) == ("ner", "split")
    assert suggestion.reasons["split"].startswith("It says train / test for each row")


@pytest.mark.parametrize(
    ("values", "taken"),
    [
        (["train", "test", "train", "dev", "train", "test"], True),
        (["train"] * 6, False),  # no test rows: the 80/10/10 split is used
        (["train", "test", "train", "later", "train", "test"], False),  # a value it can't read
        (["train", "test", "", "", "train", "test"], False),  # rows without a part
    ],
)
def test_it_takes_a_split_column_only_when_training_can_use_it(values, taken):
    frame = pd.DataFrame({"text": [f"text {i} here" for i in range(6)], "label": list("abab" "ab"),
                          "split": values})  # fmt: skip
    assert suggest(frame).mapping.split == ("split" if taken else None)


def test_it_lets_the_blank_rows_between_sentences_have_no_split():
    frame = pd.DataFrame(
        {
            "token": ["John", "lives", "", "Mary", "left", "", "Bob", "ran"],
            "tag": ["B-PER", "O", "", "B-PER", "O", "", "B-PER", "O"],
            "split": ["train", "train", "", "train", "train", "", "test", "test"],
        }
    )
    suggestion = suggest(frame)
    assert (suggestion.task, suggestion.mapping.split) == ("ner", "split")


def test_it_reads_mappings_saved_before_a_tasks_roles_were_kept_by_name():
    saved = {"text": "word", "text_pair": None, "label": None, "labels": [],
             "label_separator": None, "split": None, "entities": None, "tags": "tag",
             "sentence": "Sentence #", "entity_layout": "token_rows"}  # fmt: skip
    mapping = ColumnMapping.from_dict(saved)
    assert mapping.roles == {"tags": "tag", "sentence": "Sentence #", "entity_layout": "token_rows"}
    assert mapping.tags == "tag" and mapping.entities is None
    assert mapping.role("sentence") == "Sentence #" and mapping.role("label") is None
    assert mapping.used() == ["word", "tag", "Sentence #"], "a choice is not a column"
    assert mapping.answer_columns() == ["tag"]
    assert mapping.to_dict()["tags"] == "tag"
    assert ColumnMapping.from_dict(mapping.to_dict()) == mapping
    with pytest.raises(AttributeError):
        mapping.no_such_role  # noqa: B018
