"""Results are written as CSV (UTF-8 with BOM) or XLSX, and no cell can run as a formula."""

import openpyxl
import pandas as pd
import pytest

from finetune.data import read_table
from finetune.errors import FinetuneError
from finetune.writer import safe_cell, write_table

FRAME = pd.DataFrame({
    "text": ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "plain"],
    "prediction": ["pos", "neg", "pos", "neg", "pos", "neg", "=cmd"],
    "confidence": [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3],
})  # fmt: skip
SAFE_TEXTS = ['\'=HYPERLINK("http://x")', "'+1+2", "'-2+3", "'@SUM(A1)", "'\tTab", "'\rCR", "plain"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("=1+1", "'=1+1"), ("+cmd", "'+cmd"), ("-cmd", "'-cmd"), ("@cmd", "'@cmd"),
     ("\tx", "'\tx"), ("\rx", "'\rx"), ("a=b", "a=b"), ("", ""), (None, ""), (3, "3"),
     ("-5", "-5"), ("+3.5", "+3.5"), ("-1,5", "-1,5")],
)  # fmt: skip
def test_it_quotes_cells_a_spreadsheet_would_run(value, expected):
    assert safe_cell(value) == expected


def test_it_writes_csv_as_utf8_with_bom(tmp_path):
    frame = pd.DataFrame({"text": ["café 中文", "line\nbreak"], "label": ["NA", "007"]})
    path = write_table(frame, tmp_path / "out.csv")
    assert path == tmp_path / "out.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbftext,label\r\n")
    table = read_table(path)
    assert table.encoding == "utf-8-sig"
    assert table.frame.values.tolist() == [["café 中文", "NA"], ["line\nbreak", "007"]]


def test_it_makes_csv_cells_formula_safe_and_keeps_numbers(tmp_path):
    path = write_table(FRAME, tmp_path / "out.csv")
    table = read_table(path)
    assert table.frame["text"].tolist() == SAFE_TEXTS
    assert table.frame["prediction"].iloc[-1] == "'=cmd"
    assert table.frame["confidence"].tolist()[:2] == ["0.9", "0.8"]


def test_it_writes_xlsx_with_numbers_as_numbers_and_formula_safe_text(tmp_path):
    path = write_table(FRAME, tmp_path / "sub" / "out.xlsx")
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("text", "prediction", "confidence")
    # XML turns a lone "\r" into "\n"; what matters is the leading quote.
    assert [r[0].replace("\n", "\r") for r in rows[1:]] == SAFE_TEXTS
    assert rows[1][2] == 0.9 and isinstance(rows[1][2], float)
    assert all(sheet.cell(row=i, column=1).data_type == "s" for i in range(2, 9))


def test_it_writes_xlsx_that_reads_back_the_same(tmp_path):
    frame = pd.DataFrame({"text": ["a", "", "007"], "n": [1, 2, 3], "x": [None, 1.5, float("nan")]})
    table = read_table(write_table(frame, tmp_path / "out.xlsx"))
    assert table.frame.to_dict("list") == {"text": ["a", "", "007"], "n": ["1", "2", "3"],
                                           "x": ["", "1.5", ""]}  # fmt: skip


def test_it_drops_characters_excel_cannot_store(tmp_path):
    frame = pd.DataFrame({"text": ["bell\x07 and nul\x00 gone"]})
    table = read_table(write_table(frame, tmp_path / "out.xlsx"))
    assert table.frame["text"].tolist() == ["bell and nul gone"]


def test_it_makes_header_names_formula_safe(tmp_path):
    frame = pd.DataFrame({"=evil()": ["x"]})
    assert read_table(write_table(frame, tmp_path / "out.csv")).columns == ["'=evil()"]


def test_it_refuses_other_suffixes(tmp_path):
    with pytest.raises(FinetuneError, match="Results can be saved as .csv or .xlsx"):
        write_table(FRAME, tmp_path / "out.json")
