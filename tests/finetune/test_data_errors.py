"""Every file that cannot be read fails with one plain sentence saying what to do."""

import io
import os
import struct
import zipfile

import openpyxl
import pytest

import finetune.formats
from finetune.data import read_table, require_columns
from finetune.errors import FinetuneError
from tests.data.make_workbooks import SAMPLE, cfb, encrypted_workbook, xls

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
PROTECTED = (
    "This workbook is protected with a password. Save a copy without the password and upload that."
)


def small_xlsx(path, rows=(("text", "label"), ("good", "pos"))):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    book.save(path)
    return path


def refused(path, **kwargs) -> str:
    with pytest.raises(FinetuneError) as err:
        read_table(path, **kwargs)
    return str(err.value)


def test_it_refuses_a_png_renamed_csv(tmp_path):
    (tmp_path / "photo.csv").write_bytes(PNG)
    assert refused(tmp_path / "photo.csv").startswith(
        "This file is a PNG image, not a spreadsheet."
    )


def test_it_refuses_a_pdf_renamed_xlsx(tmp_path):
    (tmp_path / "report.xlsx").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert "This file is a PDF document, not a spreadsheet." in refused(tmp_path / "report.xlsx")


def test_it_refuses_binary_junk(tmp_path):
    (tmp_path / "junk.csv").write_bytes(os.urandom(4096))
    assert "not a spreadsheet we can read" in refused(tmp_path / "junk.csv")


def test_it_refuses_a_web_page_saved_as_xls(tmp_path):
    (tmp_path / "export.xls").write_text("<html><body><table><tr><td>a</td></tr></table>")
    assert "looks like a web page or XML" in refused(tmp_path / "export.xls")


def test_it_reads_a_csv_whose_first_cell_starts_with_a_bracket(tmp_path):
    (tmp_path / "a.csv").write_text("<3 text,label\n<b>bold</b>,x\n")
    assert read_table(tmp_path / "a.csv").columns == ["<3 text", "label"]


def test_it_refuses_an_old_word_document(tmp_path):
    (tmp_path / "letter.xls").write_bytes(cfb({"WordDocument": b"\xec\xa5" + bytes(100)}))
    assert "This file is an Office document, not a spreadsheet." in refused(tmp_path / "letter.xls")


def test_it_refuses_a_word_document_and_a_zip_archive(tmp_path):
    with zipfile.ZipFile(tmp_path / "letter.xlsx", "w") as zf:
        zf.writestr("word/document.xml", "<w:document/>")
    with zipfile.ZipFile(tmp_path / "data.zip", "w") as zf:
        zf.writestr("data.csv", "text,label\na,b\n")
    assert "This file is a Word document, not a spreadsheet." in refused(tmp_path / "letter.xlsx")
    assert "Unzip it and upload the spreadsheet inside." in refused(tmp_path / "data.zip")


def test_it_refuses_a_truncated_xlsx(tmp_path):
    whole = small_xlsx(tmp_path / "whole.xlsx").read_bytes()
    (tmp_path / "cut.xlsx").write_bytes(whole[: len(whole) // 2])
    assert refused(tmp_path / "cut.xlsx").startswith("This workbook is damaged or incomplete")


def test_it_refuses_an_xlsx_whose_sheet_is_garbled(tmp_path):
    with zipfile.ZipFile(small_xlsx(tmp_path / "ok.xlsx")) as src:
        parts = {name: src.read(name) for name in src.namelist()}
    parts["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row><c r="
    with zipfile.ZipFile(tmp_path / "bad.xlsx", "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    assert "damaged or incomplete" in refused(tmp_path / "bad.xlsx")


def test_it_refuses_a_password_protected_xlsx(tmp_path):
    (tmp_path / "locked.xlsx").write_bytes(encrypted_workbook())
    assert refused(tmp_path / "locked.xlsx") == PROTECTED


def test_it_refuses_a_password_protected_xls(tmp_path):
    (tmp_path / "locked.xls").write_bytes(xls(SAMPLE, password=True))
    assert refused(tmp_path / "locked.xls") == PROTECTED


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \n", b",,,\n,,\n"])
def test_it_refuses_an_empty_file(tmp_path, content):
    (tmp_path / "empty.csv").write_bytes(content)
    assert refused(tmp_path / "empty.csv").startswith("This file is empty.")


def test_it_refuses_a_file_with_a_header_and_no_data_rows(tmp_path):
    (tmp_path / "header.csv").write_text("text,label\n\n,\n")
    message = refused(tmp_path / "header.csv")
    assert message == (
        "This file has a header row but no rows of data under it. "
        "Add at least one row of data under the header."
    )


def test_it_refuses_a_sheet_with_only_a_header(tmp_path):
    path = small_xlsx(tmp_path / "header.xlsx", rows=[("text", "label")])
    assert refused(path).startswith('The sheet "Sheet" has a header row but no rows of data')


def test_it_refuses_a_zip_bomb_before_unpacking_it(tmp_path, monkeypatch):
    # A real bomb: 11 MB of zeros squeezed into a few kB, against a 10 MB limit.
    monkeypatch.setattr(finetune.formats, "MAX_UNPACKED_BYTES", 10 * 2**20)
    path = small_xlsx(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/media/padding.bin", bytes(11 * 2**20))
    assert path.stat().st_size < 100_000
    assert refused(path).startswith("This workbook is too large when unpacked (over 10 MB).")


def test_it_trusts_no_declared_size_above_the_default_limit(tmp_path):
    # A small zip whose directory claims a 3.9 GB member: refused on the claim alone.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    data = bytearray(buffer.getvalue())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 0xF0000000)
    (tmp_path / "claims.xlsx").write_bytes(bytes(data))
    assert "too large when unpacked (over 500 MB)" in refused(tmp_path / "claims.xlsx")


def test_it_refuses_too_many_rows(tmp_path):
    (tmp_path / "big.csv").write_text("text\n" + "row\n" * 6)
    path = small_xlsx(tmp_path / "big.xlsx", rows=[("text",)] + [("row",)] * 6)
    for source in (tmp_path / "big.csv", path):
        assert refused(source, max_rows=5).startswith("This sheet has more than 5 rows")
        assert len(read_table(source, max_rows=6).frame) == 6


def test_it_refuses_a_missing_file(tmp_path):
    assert refused(tmp_path / "gone.csv") == 'The file "gone.csv" could not be found.'


def test_it_names_the_existing_columns_for_an_unknown_column(tmp_path):
    (tmp_path / "a.csv").write_text("Review,label\ngood,pos\n")
    table = read_table(tmp_path / "a.csv")
    require_columns(table, "Review", None, "label")  # present (None is skipped)
    with pytest.raises(FinetuneError) as err:
        require_columns(table, "Review", "sentiment")
    assert (
        str(err.value)
        == 'The column "sentiment" is not in this sheet. Its columns are: Review, label.'
    )
    with pytest.raises(FinetuneError, match='Did you mean "Review"'):
        require_columns(table.frame, "review")
