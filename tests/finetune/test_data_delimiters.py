"""The delimiter is sniffed from several lines; quoted cells may hold delimiters and newlines."""

import pytest

from finetune.data import read_table


def read(tmp_path, text, name="data.csv"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return read_table(tmp_path / name)


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
def test_it_sniffs_each_delimiter(tmp_path, delimiter):
    rows = [["text", "label", "source"], ["first review", "pos", "web"],
            ["second review", "neg", "app"], ["third review", "pos", "mail"]]  # fmt: skip
    table = read(tmp_path, "\n".join(delimiter.join(r) for r in rows) + "\n", "data.txt")
    assert table.delimiter == delimiter
    assert table.columns == ["text", "label", "source"]
    assert table.frame["source"].tolist() == ["web", "app", "mail"]


def test_it_keeps_quoted_newlines_and_delimiters_inside_one_cell(tmp_path):
    text = 'text,label\n"Line one\nline two, with a comma",pos\n"He said ""hi""",neg\n'
    table = read(tmp_path, text)
    assert table.frame["text"].tolist() == ["Line one\nline two, with a comma", 'He said "hi"']
    assert table.row_number(1) == 3  # the row Excel shows, though the file line is 4


def test_it_prefers_semicolons_over_decimal_commas(tmp_path):
    text = "text;score;label\nok;1,5;a\nfine;2,5;b\ngood;3,0;a\n"
    table = read(tmp_path, text)
    assert table.delimiter == ";"
    assert table.frame["score"].tolist() == ["1,5", "2,5", "3,0"]


def test_it_reads_commas_in_tab_separated_text(tmp_path):
    text = "text\tlabel\nslow, loud, and late\tneg\nquick, quiet\tpos\nfine\tpos\n"
    table = read(tmp_path, text, "data.tsv")
    assert table.delimiter == "\t"
    assert table.frame["text"].tolist() == ["slow, loud, and late", "quick, quiet", "fine"]


def test_it_reads_a_one_column_file_whose_texts_contain_commas(tmp_path):
    text = "text\nhello, world\nplain\none, two, three\n"
    table = read(tmp_path, text, "notes.txt")
    assert table.columns == ["text"]
    assert table.frame["text"].tolist() == ["hello, world", "plain", "one, two, three"]


def test_it_reads_a_title_line_above_the_table(tmp_path):
    rows = "\n".join(f"review {i},{'pos' if i % 2 else 'neg'}" for i in range(20))
    table = read(tmp_path, f"Export of 2024-03-01\n\ntext,label\n{rows}\n")
    assert table.delimiter == ","
    assert table.columns == ["Export of 2024-03-01", "column 2"]  # the first non-blank row
    assert table.frame.iloc[0].tolist() == ["text", "label"]
    assert table.row_number(0) == 3


def test_it_pads_short_rows_and_keeps_extra_cells_of_ragged_rows(tmp_path):
    rows = "\n".join(f"review {i},pos" for i in range(20))
    table = read(tmp_path, f"text,label\n{rows}\nlast one,neg,extra\nshort\n")
    assert table.columns == ["text", "label", "column 3"]
    assert table.frame.iloc[-2].tolist() == ["last one", "neg", "extra"]
    assert table.frame.iloc[-1].tolist() == ["short", "", ""]


def test_it_uses_the_tsv_suffix_to_break_a_tie(tmp_path):
    (tmp_path / "upload").write_text("a,b\tc\n1,2\t3\n", encoding="utf-8")
    table = read_table(tmp_path / "upload", filename="export.tsv")
    assert table.delimiter == "\t"
    assert table.columns == ["a,b", "c"]


def test_it_handles_old_mac_and_windows_line_endings(tmp_path):
    (tmp_path / "mac.csv").write_bytes(b"text,label\rone,a\rtwo,b\r")
    (tmp_path / "win.csv").write_bytes(b"text,label\r\none,a\r\ntwo,b\r\n")
    for name in ("mac.csv", "win.csv"):
        table = read_table(tmp_path / name)
        assert table.frame.values.tolist() == [["one", "a"], ["two", "b"]]
