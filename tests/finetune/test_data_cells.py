"""Every cell becomes the text the user sees: nothing is parsed, guessed or lost."""

import datetime as dt

import openpyxl

from finetune.data import read_table


def one_column_xlsx(path, values):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["value"])
    for value in values:
        sheet.append([value])
    book.save(path)
    return path


def test_it_keeps_na_none_null_and_leading_zeros_in_text_files(tmp_path):
    text = "text,label\nNA,None\nnull,NaN\n007,#N/A\n-,n/a\n"
    (tmp_path / "a.csv").write_text(text, encoding="utf-8")
    table = read_table(tmp_path / "a.csv")
    assert table.frame.values.tolist() == [["NA", "None"], ["null", "NaN"], ["007", "#N/A"],
                                           ["-", "n/a"]]  # fmt: skip
    assert all(isinstance(v, str) for v in table.frame.to_numpy().ravel())


def test_it_keeps_empty_cells_as_empty_strings(tmp_path):
    (tmp_path / "a.csv").write_text("text,label,note\nfine,,\n,pos,x\n", encoding="utf-8")
    table = read_table(tmp_path / "a.csv")
    assert table.frame.values.tolist() == [["fine", "", ""], ["", "pos", "x"]]


def test_it_keeps_spaces_inside_cells(tmp_path):
    (tmp_path / "a.csv").write_text("text,label\n  padded  ,spam \n", encoding="utf-8")
    assert read_table(tmp_path / "a.csv").frame.values.tolist() == [["  padded  ", "spam "]]


def test_it_writes_whole_numbers_stored_as_floats_without_a_decimal_point(tmp_path):
    values = [3, 3.0, -12.0, 2.5, 0.1 + 0.2, 1234567890123, 1e20, "007", "3.0"]
    table = read_table(one_column_xlsx(tmp_path / "n.xlsx", values))
    assert table.frame["value"].tolist() == [
        "3", "3", "-12", "2.5", "0.3", "1234567890123", "1e+20", "007", "3.0",
    ]  # fmt: skip


def test_it_writes_dates_and_times_as_iso_text(tmp_path):
    values = [dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 1, 13, 45, 7), dt.date(1999, 12, 31),
              dt.time(9, 30)]  # fmt: skip
    table = read_table(one_column_xlsx(tmp_path / "d.xlsx", values))
    assert table.frame["value"].tolist() == [
        "2024-03-01", "2024-03-01 13:45:07", "1999-12-31", "09:30:00",
    ]  # fmt: skip


def test_it_writes_booleans_as_excel_shows_them(tmp_path):
    table = read_table(one_column_xlsx(tmp_path / "b.xlsx", [True, False, "true"]))
    assert table.frame["value"].tolist() == ["TRUE", "FALSE", "true"]


def test_it_keeps_newlines_and_unicode_in_workbook_cells(tmp_path):
    values = ["line one\nline two", "emoji 👍 and 中文", "=not a formula"]
    book = openpyxl.Workbook()
    book.active.append(["value"])
    for value in values:
        book.active.append([value])
    book.active["A4"].data_type = "s"  # stored as text, not as a formula
    book.save(tmp_path / "u.xlsx")
    assert read_table(tmp_path / "u.xlsx").frame["value"].tolist() == values
