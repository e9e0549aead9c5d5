"""Named entities read from real spreadsheet files in each of the three layouts: the same texts
and spans whichever layout, malformed rows reported by spreadsheet row, Chinese by character."""

from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from bench.ner_layouts import expected, layout_frames, read_conll
from finetune.data import read_table
from finetune.errors import FinetuneError
from finetune.mapping import ColumnMapping
from finetune.tasks.ner.layouts import detect_layout, join_tokens, parse

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"
WNUT = DATASETS / "wnut17" / "train.conll"
RESUME = DATASETS / "resume_ner" / "train.char.bmes"
needs_data = pytest.mark.skipif(not WNUT.exists(), reason="../shared/datasets is not here")


def write(frame: pd.DataFrame, path: Path) -> Path:
    """The frame as a user's CSV or XLSX file; an all-empty row stays a blank row."""
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
        return path
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(frame.columns))
    for values in frame.itertuples(index=False):
        sheet.append([v if v != "" else None for v in values])
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a token "=" is text, not a formula
    book.save(path)
    return path


def read(frame: pd.DataFrame, path: Path):
    table = read_table(write(frame, path))
    return table, parse(table.frame, mapping_for(table.frame), table.row_numbers)


def mapping_for(frame: pd.DataFrame) -> ColumnMapping:
    if "entities" in frame.columns:
        return ColumnMapping(text="text", entities="entities")
    if "tokens" in frame.columns:
        return ColumnMapping(text="tokens", tags="tags")
    sentence = "sentence" if "sentence" in frame.columns else None
    return ColumnMapping(text="token", tags="tag", sentence=sentence)


@needs_data
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_it_reads_the_three_layouts_of_english_tweets_alike(tmp_path, suffix):
    sentences = read_conll(WNUT, limit=40)
    texts, spans = expected(sentences)
    assert sum(len(s) for s in spans) >= 10  # the sample has entities to find
    frames = layout_frames(sentences)
    frames["blank_rows"] = layout_frames(sentences, blank_rows=True)["token_rows"]
    for name, frame in frames.items():
        _, parsed = read(frame, tmp_path / f"{name}{suffix}")
        assert parsed.layout == ("token_rows" if name == "blank_rows" else name)
        assert parsed.texts == texts, name
        assert parsed.spans == spans, name
        assert not parsed.issues, name
    first = texts[0]
    assert [first[s:e] for s, e, _ in spans[0]] == ["Empire State Building", "ESB"]


@needs_data
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_it_reads_chinese_entities_by_character(tmp_path, suffix):
    sentences = read_conll(RESUME, limit=30)
    texts, spans = expected(sentences)
    for name, frame in layout_frames(sentences).items():
        _, parsed = read(frame, tmp_path / f"{name}{suffix}")
        assert (parsed.texts, parsed.spans) == (texts, spans), name
        assert parsed.scheme == ("" if name == "entities" else "BMES")
    assert texts[0] == "高勇：男，中国国籍，无境外居留权，"
    assert spans[0] == [(0, 2, "NAME"), (5, 9, "CONT")]
    assert "1966年" in texts[1]  # one character per row, joined back without spaces


def test_it_reports_entities_it_cannot_find_and_keeps_the_rest_of_the_row(tmp_path):
    frame = pd.DataFrame(
        {
            "text": ["Paris is big. I love Paris.", "", "Parisian food in Rome", "ACME hires"],
            "entities": ["Paris = LOC; Rome = LOC", "Paris = LOC", "Paris = LOC", "ACME = ORG; ?"],
        }
    )
    table, parsed = read(frame, tmp_path / "entities.csv")
    assert parsed.texts == ["Paris is big. I love Paris.", "Parisian food in Rome", "ACME hires"]
    assert parsed.spans == [[(0, 5, "LOC"), (21, 26, "LOC")], [], [(0, 4, "ORG")]]
    assert parsed.rows == [0, 2, 3]
    assert parsed.issues == {
        "entity not found in its text": [(2, "Rome = LOC"), (4, "Paris = LOC")],
        "empty text": [(3, "")],
        "unreadable entity": [(5, "?")],
    }
    assert parsed.skipped == {"empty text": [1]}


def test_it_reports_rows_whose_tags_and_tokens_differ_in_number(tmp_path):
    frame = pd.DataFrame(
        {
            "tokens": ["John lives in Paris", "Mary left", "", '["New", "York", "!"]'],
            "tags": ["B-PER O O B-LOC", "B-PER", "O", '["B-LOC", "I-LOC", "O"]'],
        }
    )
    _, parsed = read(frame, tmp_path / "lists.xlsx")
    assert parsed.layout == "token_lists" and parsed.scheme == "BIO"
    assert parsed.texts == ["John lives in Paris", "New York !"]
    assert parsed.spans == [[(0, 4, "PER"), (14, 19, "LOC")], [(0, 8, "LOC")]]
    assert parsed.issues == {
        "tags and tokens of different lengths": [(3, "2 tokens, 1 tag")],
        "empty sentence": [(4, "")],
    }


def test_it_repairs_an_inside_tag_without_its_beginning_and_says_where(tmp_path):
    rows = [
        ("1", "John", "B-PER"),
        ("", "Smith", "I-PER"),  # a blank sentence cell continues sentence 1
        ("", "in", "O"),
        ("", "Paris", "I-LOC"),  # no B-LOC before it: starts the entity, counted
        ("2", "", ""),  # a sentence with no token
        ("3", "Rome", "B-LOC"),
    ]
    frame = pd.DataFrame(rows, columns=["sentence", "token", "tag"])
    _, parsed = read(frame, tmp_path / "rows.csv")
    assert parsed.texts == ["John Smith in Paris", "Rome"]
    assert parsed.spans == [[(0, 10, "PER"), (14, 19, "LOC")], [(0, 4, "LOC")]]
    assert parsed.repaired == 1
    assert parsed.issues == {
        "tags repaired": [(5, '"I-LOC" without "B-LOC" before it')],
        "empty sentence": [(6, 'sentence "2"')],
    }
    assert parsed.rows == [0, 5]


def test_it_splits_sentences_at_blank_rows_and_keeps_their_split(tmp_path):
    rows = [("Paris", "LOC", "train"), ("is", "O", "train"), ("", "", ""), ("", "", ""),
            ("Rome", "LOC", "test"), ("too", "O", "")]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["word", "ner", "split"])
    mapping = ColumnMapping(text="word", tags="ner", split="split")
    table = read_table(write(frame, tmp_path / "gaps.xlsx"))
    parsed = parse(table.frame, mapping, row_numbers=table.row_numbers)
    assert (parsed.layout, parsed.scheme) == ("token_rows", "bare")
    assert parsed.texts == ["Paris is", "Rome too"]
    assert parsed.spans == [[(0, 5, "LOC")], [(0, 4, "LOC")]]
    assert parsed.split_values == ["train", "test"]
    # Without the row numbers there is no blank row left to split at.
    assert parse(table.frame, mapping).texts == ["Paris is Rome too"]


def test_it_detects_the_layout_from_the_columns():
    rows = pd.DataFrame({"token": ["Paris", "is"], "tag": ["B-LOC", "O"]})
    lists = pd.DataFrame({"tokens": ["Paris is", "Rome"], "tags": ["B-LOC O", "B-LOC"]})
    assert detect_layout(rows, ColumnMapping(text="token", tags="tag")) == "token_rows"
    assert detect_layout(lists, ColumnMapping(text="tokens", tags="tags")) == "token_lists"
    chosen = ColumnMapping(text="tokens", tags="tags", entity_layout="token_rows")
    assert detect_layout(lists, chosen) == "token_rows"
    with pytest.raises(FinetuneError, match="Pick the column that lists the entities"):
        detect_layout(rows, ColumnMapping(text="token"))
    with pytest.raises(FinetuneError, match='"tables" is not a layout'):
        detect_layout(rows, ColumnMapping(text="token", tags="tag", entity_layout="tables"))
    with pytest.raises(FinetuneError, match='The column "tags" is not in this sheet'):
        parse(rows, ColumnMapping(text="token", tags="tags"))


def test_it_joins_tokens_with_spaces_but_not_between_chinese_characters():
    assert join_tokens(["New", "York", "!"]) == ("New York !", [(0, 3), (4, 8), (9, 10)])
    text, offsets = join_tokens(["我", "爱", "北京", "Python", "课程"])
    assert text == "我爱北京 Python 课程"
    assert [text[a:b] for a, b in offsets] == ["我", "爱", "北京", "Python", "课程"]
    assert join_tokens(list("1966年出生于北京，熟悉Java"))[0] == "1966年出生于北京，熟悉Java"
    assert join_tokens(["I", "a", "m"])[0] == "I a m"  # single letters, but not Chinese
