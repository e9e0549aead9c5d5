"""Hostile sizes: a tiny file that claims a huge sheet is refused before it costs memory.

A 2 KB .xlsx with one value at XFD1048576 used to make python-calamine allocate 512 GB (the
process died); one at Z1000000 took 19 s and 2 GB; 20,000 columns took close to a minute.
"""

import struct
from pathlib import Path
from unittest import mock

import pytest

from finetune import data
from finetune.data import MAX_COLUMNS, read_table
from finetune.errors import FinetuneError
from finetune.sheetsize import xlsb_extent, xlsx_extent
from tests.data.make_workbooks import _brt, ods, xlsb, xlsx_cells

WIDE = "This sheet has 20,000 columns; LabelTune reads at most 500. "
REMOVE = "Remove the columns you don't need and upload it again."


def thirty_rows(**far) -> dict[str, str]:
    cells = {"A1": "text", "B1": "label"}
    for r in range(2, 32):
        cells |= {f"A{r}": f"review number {r}", f"B{r}": "good" if r % 2 else "bad"}
    return cells | far


def write(tmp_path, cells: dict[str, str], name="hostile.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx_cells(cells))
    return path


class NeverLaidOut:
    """A workbook whose sheets must never be laid out: refusal comes before that."""

    def __init__(self, book):
        self.book = book

    def __getattr__(self, name):
        return getattr(self.book, name)

    def get_sheet_by_name(self, name):
        raise AssertionError(f'sheet "{name}" was laid out before its size was checked')


def refused(path) -> str:
    opened = data._open_workbook
    with (
        mock.patch.object(data, "_open_workbook", lambda *a: NeverLaidOut(opened(*a))),
        pytest.raises(FinetuneError) as err,
    ):
        read_table(path)
    return str(err.value)


def test_it_refuses_a_tiny_workbook_with_a_cell_at_the_last_row_and_column(tmp_path):
    path = write(tmp_path, thirty_rows(XFD1048576="x"))
    assert path.stat().st_size < 5_000
    message = refused(path)
    assert message.startswith("This sheet has more than 1,000,000 rows, the most LabelTune reads")
    assert "XFD1048576" in message


def test_it_refuses_a_far_cell_that_would_lay_out_26_million_cells(tmp_path):
    message = refused(write(tmp_path, thirty_rows(Z1000000="x")))
    assert message.startswith("This sheet is too large to read: its cells span 1,000,000 rows")
    assert "(as far as cell Z1000000)" in message
    assert "Delete the rows and columns you don't need" in message


def test_it_refuses_a_far_cell_to_the_right(tmp_path):
    message = refused(write(tmp_path, thirty_rows(XFD3="x")))
    assert message == (
        "This sheet has 16,384 columns (as far as cell XFD3); LabelTune reads at most 500. "
        + REMOVE
    )


def test_it_reads_only_the_rows_holding_values_below_a_stray_cell(tmp_path):
    table = read_table(write(tmp_path, thirty_rows(C200000="stray note")))
    assert table.columns == ["text", "label", "column 3"]
    assert len(table.frame) == 31
    assert table.row_number(30) == 200000
    assert table.frame.iloc[30].tolist() == ["", "", "stray note"]


def test_it_ignores_cells_holding_only_a_style(tmp_path):
    path = tmp_path / "styled.xlsx"
    path.write_bytes(
        xlsx_cells(thirty_rows(), extra_xml='<row r="1048576"><c r="XFD1048576" s="1"/></row>')
    )
    assert len(read_table(path).frame) == 30


@pytest.mark.parametrize(
    "cell",
    [
        '<c t="inlineStr"><is><t>x</t></is></c>',  # no "r": placed after the last cell
        '<c s="1" r="XFD40" t="inlineStr"><is><t>x</t></is></c>',  # "r" not first
        '<c s=">" r="XFD40" t="inlineStr"><is><t>x</t></is></c>',  # a ">" in a value
        "<c\nr='XFD40' t=\"inlineStr\"><is><t>x</t></is></c>",  # other spacing, quotes
    ],
)
def test_it_finds_far_cells_however_they_are_written(tmp_path, cell):
    row = '<row r="40">' + "".join(f"<c><v>{i}</v></c>" for i in range(16_383)) + cell + "</row>"
    if "r=" in cell:
        row = f'<row r="40">{cell}</row>'
    path = tmp_path / "odd.xlsx"
    path.write_bytes(xlsx_cells(thirty_rows(), extra_xml=row))
    assert xlsx_extent(path, "Data").columns == 16_384
    assert "This sheet has 16,384 columns" in refused(path)


def test_it_caps_the_columns_of_a_workbook(tmp_path):
    from finetune.sheetsize import cell_name

    cells = {cell_name(r, c): f"c{c}" if r == 0 else "x" for r in range(3) for c in range(20_000)}
    message = refused(write(tmp_path, cells))
    assert message.startswith("This sheet has 20,000 columns (as far as cell ")
    assert message.endswith(f"LabelTune reads at most {MAX_COLUMNS}. " + REMOVE)


def test_it_caps_the_columns_of_a_text_file(tmp_path):
    path = tmp_path / "wide.csv"
    header = ",".join(f"column{i}" for i in range(20_000))
    path.write_text(header + "\n" + ",".join("x" * 20_000) + "\n")
    assert refused(path) == WIDE + REMOVE


def test_it_caps_the_columns_when_a_later_row_is_the_wide_one(tmp_path):
    path = tmp_path / "late.csv"
    path.write_text("text,label\n" + "hello,a\n" * 10 + ",".join(["x"] * 20_000) + "\n")
    assert refused(path) == WIDE + REMOVE


def test_it_reads_500_columns(tmp_path):
    path = tmp_path / "ok.csv"
    path.write_text(",".join(f"c{i}" for i in range(500)) + "\n" + ",".join(["x"] * 500) + "\n")
    assert len(read_table(path).columns) == 500


def test_it_never_lists_thousands_of_column_names(tmp_path):
    from finetune.data import require_columns

    path = tmp_path / "many.csv"
    path.write_text(",".join(f"c{i}" for i in range(400)) + "\n" + ",".join(["x"] * 400) + "\n")
    with pytest.raises(FinetuneError) as err:
        require_columns(read_table(path), "review")
    assert str(err.value) == (
        'The column "review" is not in this sheet. Its columns are: '
        "c0, c1, c2, c3, c4, c5, c6, c7, c8, c9 and 390 more."
    )


def rows_and_repeats(rows: int, columns: int, value: bool = True) -> str:
    """One OpenDocument row repeated `rows` times, its one cell repeated `columns` times."""
    cell = f'<table:table-cell table:number-columns-repeated="{columns}"'
    cell += ' office:value-type="string"><text:p>x</text:p></table:table-cell>' if value else "/>"
    return f'<table:table-row table:number-rows-repeated="{rows}">{cell}</table:table-row>'


def test_it_refuses_an_ods_that_repeats_a_cell_over_the_whole_sheet(tmp_path):
    # Under 1 KB, and calamine would lay out 17 billion cells.
    path = tmp_path / "repeats.ods"
    path.write_bytes(ods({"Data": [["text", "label"]]}, rows_and_repeats(1_048_576, 16_384)))
    assert path.stat().st_size < 2_000
    assert "This sheet has more than 1,000,000 rows" in refused(path)


def test_it_refuses_an_ods_repeating_a_cell_across_20000_columns(tmp_path):
    path = tmp_path / "wide.ods"
    path.write_bytes(ods({"Data": [["text", "label"]]}, rows_and_repeats(3, 20_000)))
    assert "This sheet has 20,000 columns" in refused(path)


def test_it_reads_an_ods_with_the_empty_repeats_libreoffice_writes(tmp_path):
    path = tmp_path / "libreoffice.ods"
    rows = [["text", "label"]] + [[f"review {i}", "ab"[i % 2]] for i in range(30)]
    path.write_bytes(
        ods({"Data": rows, "Other": [["x"]]}, rows_and_repeats(1_048_500, 1_024, False))
    )
    table = read_table(path)
    assert len(table.frame) == 30
    assert table.columns == ["text", "label"]


def test_it_refuses_an_xml_entity_bomb(tmp_path):
    # "Billion laughs": entities that expand each other; the reader does not expand them.
    import io
    import zipfile

    laughs = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)).replace(
        "&lol0;", "lol"
    )
    source = zipfile.ZipFile(io.BytesIO(xlsx_cells(thirty_rows(A2="BOMB"))))
    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for name in source.namelist():
            data = source.read(name)
            if name.endswith("sheet1.xml"):
                data = data.replace(b"?>", f"?><!DOCTYPE worksheet [{laughs}]>".encode(), 1)
                data = data.replace(b"BOMB", b"&lol9;")
            zf.writestr(name, data)
    assert "damaged or incomplete" in refused(path)


def xlsb_with(tmp_path, *records: bytes, sheets=None) -> Path:
    """Thirty rows in an .xlsb's first sheet, with `records` (BIFF12) added at its end."""
    import io
    import zipfile

    rows = [["text", "label"]] + [[f"review number {r}", "ab"[r % 2]] for r in range(30)]
    source = zipfile.ZipFile(io.BytesIO(xlsb(sheets or {"Data": rows})))
    path = tmp_path / "hostile.xlsb"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in source.namelist():
            part = source.read(name)
            if name == "xl/worksheets/sheet1.bin":  # before BrtEndSheetData and BrtEndSheet
                part = part[:-6] + b"".join(records) + part[-6:]
            zf.writestr(name, part)
    return path


def row_header(row: int) -> bytes:
    return _brt(0x00, struct.pack("<I", row).ljust(17, b"\0"))


def number_cell(column: int) -> bytes:
    return _brt(0x05, struct.pack("<IId", column, 0, 1.0))


def test_it_refuses_an_xlsb_with_a_far_cell_before_laying_it_out(tmp_path):
    path = xlsb_with(tmp_path, row_header(999_999), number_cell(25))
    assert path.stat().st_size < 5_000
    message = refused(path)
    assert message.startswith("This sheet is too large to read: its cells span 1,000,000 rows")
    assert "(as far as cell Z1000000)" in message


def test_it_refuses_an_xlsb_cell_past_the_columns_excel_has(tmp_path):
    # calamine reads a cell's column as any 32-bit number: 4 billion columns in a 2 KB file.
    message = refused(xlsb_with(tmp_path, row_header(2), number_cell(4_000_000_000)))
    assert message.startswith("This sheet has 4,000,000,001 columns"), message


def test_it_finds_an_xlsb_far_cell_behind_a_record_longer_than_a_chunk(tmp_path):
    text = "x" * 1_500_000  # a 3 MB cell: its record is skipped, not kept whole
    long_cell = _brt(0x06, struct.pack("<II", 2, 0) + struct.pack("<I", len(text))
                     + text.encode("utf-16-le"))  # fmt: skip
    path = xlsb_with(tmp_path, row_header(31), long_cell, row_header(40), number_cell(19_999))
    assert "This sheet has 20,000 columns (as far as cell ACOF41)" in refused(path)


def test_it_bounds_only_the_xlsb_sheet_that_is_read(tmp_path):
    rows = [["text", "label"]] + [[f"review number {r}", "ab"[r % 2]] for r in range(30)]
    path = xlsb_with(tmp_path, row_header(999_999), number_cell(25),
                     sheets={"Huge": [["x"]], "Data": rows})  # fmt: skip
    assert xlsb_extent(path, "Huge").bottom == 999_999
    assert xlsb_extent(path, "Data").bottom == 30
    assert len(read_table(path, sheet="Data").frame) == 30
