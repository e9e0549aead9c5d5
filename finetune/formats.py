"""Which kind of file this is, from its first bytes (the name is only a hint), refusing what
is no spreadsheet, a password-locked or damaged workbook, and zip bombs, before any parsing.

    kind = detect(path, filename)     # "text", "xlsx", "xlsb", "ods" or "xls"; FinetuneError if none

Used by finetune.data, which reads the file once it knows its kind.
"""

import re
import zipfile
from pathlib import Path

from finetune.errors import FinetuneError
from finetune.textfiles import NOT_A_SPREADSHEET, UPLOAD_THESE

MAX_UNPACKED_BYTES = 500 * 1024 * 1024  # a workbook bigger than this unzipped is refused
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # stream of a password-locked xlsx
XLS_STREAMS = [name.encode("utf-16-le") for name in ("Workbook", "Book")]  # BIFF8, BIFF5
OTHER_MAGIC = {  # files people upload by mistake, by their first bytes
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a compressed (gzip) file",
    b"7z\xbc\xaf": "a 7-Zip archive",
    b"Rar!": "a RAR archive",
    b"{\\rtf": "a Word (RTF) document",
    b"SQLite format 3": "a database file",
    b"PAR1": "a Parquet file",
}
ZIP_PARTS = {  # a part that tells which kind of zip-based document this is
    "xl/workbook.bin": "xlsb",
    "xl/workbook.xml": "xlsx",
    "word/document.xml": "a Word document",
    "ppt/presentation.xml": "a PowerPoint presentation",
}
FORMAT_SUFFIXES = {"xlsx": ".xlsx", "xlsb": ".xlsb", "ods": ".ods", "xls": ".xls"}
MARKUP = re.compile(r"\s*<(!doctype|html|\?xml|table|head|body)\b", re.IGNORECASE)

PROTECTED = (
    "This workbook is protected with a password. Save a copy without the password and upload that."
)
DAMAGED = (
    "This workbook is damaged or incomplete (perhaps the upload was cut off). "
    "Open it in Excel, save a fresh copy and upload that."
)
EMPTY = "This file is empty. Upload a spreadsheet with a header row and at least one row of data."


def file_suffix(path: Path, filename: str | None) -> str:
    return Path(filename).suffix.lower() if filename else path.suffix.lower()


def detect(path: Path, filename: str | None) -> str:
    """'text', 'xlsx', 'xlsb', 'ods' or 'xls', from the first bytes (the name is only a hint)."""
    try:
        with path.open("rb") as f:
            head = f.read(16)
    except FileNotFoundError:
        raise FinetuneError(f'The file "{filename or path.name}" could not be found.')
    if not head:
        raise FinetuneError(EMPTY)
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return zip_kind(path)
    if head.startswith(OLE_MAGIC):  # an .xls, a password-locked .xlsx, or a .doc/.ppt
        data = path.read_bytes()
        if ENCRYPTED_PACKAGE in data:
            raise FinetuneError(PROTECTED)
        if not any(name in data for name in XLS_STREAMS):
            raise not_a_spreadsheet("an Office document")
        return "xls"
    for magic, what in OTHER_MAGIC.items():
        if head.startswith(magic):
            raise not_a_spreadsheet(what)
    return "text"


def zip_kind(path: Path) -> str:
    """Which zip-based document this is, refusing damaged files and zip bombs before parsing."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {info.filename for info in infos}
            mimetype = zf.read("mimetype")[:200] if "mimetype" in names else b""
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as err:
        raise FinetuneError(DAMAGED) from err
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise FinetuneError(
            f"This workbook is too large when unpacked (over {MAX_UNPACKED_BYTES // 2**20} MB). "
            "Save it as CSV, or split it into smaller files, and upload those."
        )
    if b"opendocument.spreadsheet" in mimetype:
        return "ods"
    for part, kind in ZIP_PARTS.items():
        if part in names:
            if kind in FORMAT_SUFFIXES:
                return kind
            raise not_a_spreadsheet(kind)
    if mimetype:
        raise not_a_spreadsheet("a text document")
    raise FinetuneError(
        "This file is a zip archive, not a spreadsheet. Unzip it and upload the spreadsheet inside."
    )


def not_a_spreadsheet(what: str | None = None) -> FinetuneError:
    if what is None:
        return FinetuneError(NOT_A_SPREADSHEET)
    return FinetuneError(f"This file is {what}, not a spreadsheet. {UPLOAD_THESE}")
