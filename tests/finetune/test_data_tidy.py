"""Blank rows and columns go, the header is the first non-blank row, names are unique."""

from finetune.data import Table, read_table


def read(tmp_path, text):
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    return read_table(tmp_path / "a.csv")


def test_it_drops_blank_rows_and_columns_and_keeps_row_numbers(tmp_path):
    text = "\n,,,\n,text,,label\n,one,,a\n\n,  ,,\n,two,,b\n"
    table = read(tmp_path, text)
    assert table.columns == ["text", "label"]
    assert table.frame.values.tolist() == [["one", "a"], ["two", "b"]]
    assert [table.row_number(i) for i in range(2)] == [4, 7]


def test_it_keeps_a_column_with_data_but_no_header(tmp_path):
    table = read(tmp_path, "text,,label\none,note,a\ntwo,,b\n")
    assert table.columns == ["text", "column 2", "label"]
    assert table.frame["column 2"].tolist() == ["note", ""]


def test_it_keeps_a_column_with_a_header_but_no_data(tmp_path):
    table = read(tmp_path, "text,comment,label\none,,a\n")
    assert table.columns == ["text", "comment", "label"]


def test_it_gives_repeated_headers_distinct_names(tmp_path):
    table = read(tmp_path, "label,text,label,label (2),label\na,b,c,d,e\n")
    assert table.columns == ["label", "text", "label (2)", "label (2) (2)", "label (3)"]
    assert table.frame.iloc[0].tolist() == ["a", "b", "c", "d", "e"]


def test_it_tidies_spaces_in_header_names(tmp_path):
    table = read(tmp_path, '" text ","\tReview\ndate"\na,b\n')
    assert table.columns == ["text", "Review date"]


def test_it_names_a_blank_header_that_clashes_with_a_real_one(tmp_path):
    table = read(tmp_path, "column 2,,x\na,b,c\n")
    assert table.columns == ["column 2", "column 2 (2)", "x"]


def test_it_counts_rows_from_two_for_a_table_built_in_code():
    import pandas as pd

    table = Table(pd.DataFrame({"text": ["a", "b"]}))
    assert table.columns == ["text"]
    assert table.row_number(1) == 3
    assert table.sheets == [] and table.sheet is None
