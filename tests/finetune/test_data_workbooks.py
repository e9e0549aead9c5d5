"""Workbooks: XLSX, XLSM, XLS, XLSB and ODS, any sheet, tidied the same way as text files."""

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pytest

from finetune.data import list_sheets, read_table
from finetune.errors import FinetuneError
from tests.data.make_workbooks import SAMPLE, ods, xls, xlsb

DATA = Path(__file__).parent.parent / "data"
SAMPLE_COLUMNS = ["text", "label", "score", "label (2)"]
SAMPLE_ROWS = [["Great product", "positive", "5", "x"], ["NA", "None", "2.5", "y"],
               ["Arrived broken", "negative", "2024-03-01", "TRUE"]]  # fmt: skip


def two_sheet_xlsx(path: Path) -> Path:
    """Blank rows and columns around the table, numbers, dates, a repeated header, 2 sheets."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Reviews"
    first["B3"], first["C3"], first["E3"], first["F3"] = " Review ", "label", "label", "when"
    first.append([None, "Loved it", "pos", 3, 3.5, dt.datetime(2024, 3, 1)])
    first.append([])
    first.append([None, "Hated it", "neg", 1, 0.25, dt.datetime(2024, 3, 1, 13, 45)])
    second = book.create_sheet("Second sheet")
    second.append(["text", "label"])
    second.append(["other", "x"])
    book.save(path)
    return path


def test_it_reads_the_first_sheet_of_an_xlsx(tmp_path):
    table = read_table(two_sheet_xlsx(tmp_path / "reviews.xlsx"))
    assert table.sheets == ["Reviews", "Second sheet"]
    assert table.sheet == "Reviews"
    assert table.columns == ["Review", "label", "column 4", "label (2)", "when"]
    assert table.frame.values.tolist() == [
        ["Loved it", "pos", "3", "3.5", "2024-03-01"],
        ["Hated it", "neg", "1", "0.25", "2024-03-01 13:45:00"],
    ]
    assert [table.row_number(i) for i in range(2)] == [4, 6]
    assert table.encoding is None and table.delimiter is None


def test_it_reads_the_sheet_asked_for(tmp_path):
    path = two_sheet_xlsx(tmp_path / "reviews.xlsx")
    table = read_table(path, sheet="Second sheet")
    assert table.sheet == "Second sheet"
    assert table.frame.to_dict("list") == {"text": ["other"], "label": ["x"]}
    assert list_sheets(path) == ["Reviews", "Second sheet"]


def test_it_names_the_sheets_when_the_sheet_asked_for_is_missing(tmp_path):
    path = two_sheet_xlsx(tmp_path / "reviews.xlsx")
    with pytest.raises(FinetuneError) as err:
        read_table(path, sheet="Sheet1")
    assert str(err.value) == (
        'This workbook has no sheet named "Sheet1". Its sheets are: Reviews, Second sheet.'
    )


def test_it_skips_a_hidden_first_sheet_by_default(tmp_path):
    path = two_sheet_xlsx(tmp_path / "reviews.xlsx")
    book = openpyxl.load_workbook(path)
    book["Reviews"].sheet_state = "hidden"
    book.active = 1
    book.save(path)
    assert read_table(path).sheet == "Second sheet"
    assert read_table(path, sheet="Reviews").sheet == "Reviews"


def test_it_points_to_the_other_sheets_when_the_first_is_empty(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Cover"
    book.create_sheet("Data").append(["text"])
    book.save(tmp_path / "book.xlsx")
    with pytest.raises(FinetuneError, match='The sheet "Cover" is empty. Pick another sheet: Data'):
        read_table(tmp_path / "book.xlsx")


def test_it_reads_an_xlsm_and_a_workbook_stored_without_a_suffix(tmp_path):
    path = two_sheet_xlsx(tmp_path / "reviews.xlsx")
    shutil.copy(path, tmp_path / "macros.xlsm")
    shutil.copy(path, tmp_path / "upload-1234")
    assert read_table(tmp_path / "macros.xlsm").columns[0] == "Review"
    assert read_table(tmp_path / "upload-1234", filename="reviews.xlsx").columns[0] == "Review"
    assert list_sheets(tmp_path / "upload-1234") == ["Reviews", "Second sheet"]


def test_it_reads_an_xlsx_renamed_csv_by_its_content(tmp_path):
    path = two_sheet_xlsx(tmp_path / "reviews.xlsx")
    path.rename(tmp_path / "reviews.csv")
    assert read_table(tmp_path / "reviews.csv").sheet == "Reviews"


@pytest.mark.parametrize("suffix", [".xls", ".xlsb", ".ods"])
def test_it_reads_xls_xlsb_and_ods(suffix):
    table = read_table(DATA / f"sample{suffix}")
    assert table.sheets == ["Reviews", "Notes"]
    assert table.columns == SAMPLE_COLUMNS
    assert table.frame.values.tolist() == SAMPLE_ROWS
    assert [table.row_number(i) for i in range(3)] == [3, 4, 6]
    notes = read_table(DATA / f"sample{suffix}", sheet="Notes")
    assert notes.frame.to_dict("list") == {"note": ["zweite Seite – ü"]}


@pytest.mark.parametrize("suffix", [".xls", ".xlsb", ".ods"])
def test_it_reads_xls_xlsb_and_ods_without_a_suffix(tmp_path, suffix):
    shutil.copy(DATA / f"sample{suffix}", tmp_path / "upload")
    assert read_table(tmp_path / "upload", filename=f"x{suffix}").columns == SAMPLE_COLUMNS


def test_it_keeps_the_committed_samples_as_the_script_builds_them():
    for suffix, build in ((".xls", xls), (".xlsb", xlsb), (".ods", ods)):
        assert (DATA / f"sample{suffix}").read_bytes() == build(SAMPLE), suffix


def test_it_matches_an_independent_reader_on_the_hand_built_xlsb_and_ods():
    # The samples are built by hand from the specifications; other readers must agree.
    import pandas as pd  # pyxlsb and odfpy (engines below) are in requirements-dev.txt

    for suffix, engine in ((".xlsb", "pyxlsb"), (".ods", "odf")):
        frame = pd.read_excel(DATA / f"sample{suffix}", engine=engine, header=1, dtype=str,
                              keep_default_na=False).dropna(how="all")  # fmt: skip
        assert frame.iloc[0, 1:4].tolist() == ["Great product", "positive", "5"], suffix
