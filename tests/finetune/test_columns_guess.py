"""The text and label columns are guessed from names and values, each with a plain reason."""

import pandas as pd
import pytest

from finetune.columns import ColumnGuess, guess_columns, named_like
from finetune.data import read_table
from finetune.tasks.ner.suggest import NAMES

REVIEWS = ["I loved every minute of this film", "The plot made no sense at all",
           "Decent, but far too long for what it is", "Best thing I have seen this year",
           "Would not watch it again", "Fine for a rainy afternoon"]  # fmt: skip


def test_it_guesses_columns_named_like_text_and_label():
    frame = pd.DataFrame({"id": [str(i) for i in range(6)], "review": REVIEWS,
                          "sentiment": ["pos", "neg", "neu", "pos", "neg", "neu"]})  # fmt: skip
    guess = guess_columns(frame)
    assert (guess.text, guess.label) == ("review", "sentiment")
    assert (
        guess.reasons["text"]
        == 'Its name, "review", suggests text (about 30 characters on average).'
    )
    assert (
        guess.reasons["label"]
        == 'Its name, "sentiment", suggests labels, and it has 3 distinct values.'
    )


def test_it_guesses_from_values_when_names_say_nothing():
    frame = pd.DataFrame({"a": ["x1", "x2", "x3", "x4", "x5", "x6"], "b": REVIEWS,
                          "c": ["red", "blue", "red", "green", "blue", "red"]})  # fmt: skip
    guess = guess_columns(frame)
    assert (guess.text, guess.label) == ("b", "c")
    assert guess.reasons["text"] == "It has the longest texts (about 30 characters on average)."
    assert guess.reasons["label"] == "It has 3 distinct values, like a list of categories."


def test_it_takes_numeric_labels_but_never_a_numeric_text():
    frame = pd.DataFrame({"score": ["0.5", "1.25", "3", "4.75", "2", "9"], "sentence": REVIEWS,
                          "label": ["0", "1", "1", "0", "1", "0"]})  # fmt: skip
    guess = guess_columns(frame)
    assert (guess.text, guess.label) == ("sentence", "label")


def test_it_passes_over_identifiers_split_columns_and_free_text():
    frame = pd.DataFrame({
        "review_id": ["r-1", "r-2", "r-3", "r-4", "r-5", "r-6"],
        "body": REVIEWS,
        "split": ["train", "train", "train", "train", "test", "validation"],
        "author": ["ann", "bob", "cy", "dee", "eve", "fay"],
        "stars": ["5", "1", "3", "5", "1", "3"],
    })  # fmt: skip
    guess = guess_columns(frame)
    assert (guess.text, guess.label) == ("body", "stars")


def test_it_guesses_a_one_column_table_as_text_without_a_label(tmp_path):
    (tmp_path / "a.txt").write_text("text\nhello there\nanother line\n", encoding="utf-8")
    guess = guess_columns(read_table(tmp_path / "a.txt"))
    assert guess == ColumnGuess(text="text", label=None,
                                reasons={"text": guess.reasons["text"]})  # fmt: skip
    assert "about 12 characters" in guess.reasons["text"]


def test_it_guesses_nothing_for_an_empty_or_numeric_table():
    assert guess_columns(pd.DataFrame()) == ColumnGuess(None, None, {})
    numbers = guess_columns(pd.DataFrame({"n": ["1", "2", "3", "4"]}))
    assert numbers.text is None and numbers.label is None


def test_it_ignores_empty_cells_when_judging_a_column():
    frame = pd.DataFrame(
        {"comment": REVIEWS + ["", ""], "tag": ["a", "b", "a", "", "b", "a", "", "a"]}
    )
    guess = guess_columns(frame)
    assert (guess.text, guess.label) == ("comment", "tag")
    assert "2 distinct values" in guess.reasons["label"]


def test_it_reads_many_labels_as_categories_when_rows_repeat_them():
    labels = [f"intent_{i % 120}" for i in range(600)]
    texts = [f"please help me with request number {i}" for i in range(600)]
    guess = guess_columns(pd.DataFrame({"utterance": texts, "intent": labels}))
    assert (guess.text, guess.label) == ("utterance", "intent")


def test_it_guesses_a_wide_sheet_from_its_first_columns():
    # 20,000 columns took most of a minute: one round of pandas calls per column. The guess
    # now looks at a sample of rows and the first columns only (speed: bench/, not here).
    columns = {f"c{i}": ["1"] * 3_000 for i in range(2_000)}
    columns["c7"] = [f"{REVIEWS[i % 6]} ({i})" for i in range(3_000)]
    columns["c9"] = ["yes" if i % 3 else "no" for i in range(3_000)]
    columns["review"] = ["a far away column that is never looked at"] * 3_000
    guess = guess_columns(pd.DataFrame(columns))
    assert (guess.text, guess.label) == ("c7", "c9")


def test_it_knows_chinese_column_names():
    frame = pd.DataFrame({"编号": ["1", "2", "3", "4"], "评论内容": ["很好", "太差了", "一般", "不错"],
                          "情感": ["正面", "负面", "中性", "正面"]})  # fmt: skip
    guess = guess_columns(frame)
    assert (guess.text, guess.label) == ("评论内容", "情感")
    assert guess.reasons["text"].startswith('Its name, "评论内容", suggests text')


@pytest.mark.parametrize(
    "column, role",
    [("文本", "text"), ("句子", "text"), ("类别", "label"), ("分类", "label"), ("标签", "label"),
     ("Word", "token"), ("tokens", "token"), ("字", "token"), ("词", "token"),
     ("ner_tags", "tags"), ("NER", "tags"), ("标注", "tags"), ("Sentence #", "sentence"),
     ("sentence_id", "sentence"), ("sent", "sentence"), ("Entities", "entities"),
     ("实体", "entities")],
)  # fmt: skip
def test_it_knows_the_names_of_each_role(column, role):
    assert named_like(column, NAMES.get(role, role))  # the entity roles' names are NER's own


def test_it_does_not_read_numbers_or_ids_as_names_of_text_or_tokens():
    assert not named_like("Sentence #", "text") and not named_like("句子编号", "text")
    assert not named_like("数字", NAMES["token"]) and not named_like("review_id", "text")
