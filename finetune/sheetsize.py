"""How far a sheet's cells reach, found before python-calamine lays the sheet out in memory.

    extent = xlsx_extent(path, "Sheet1")    # Extent(top=0, bottom=30, left=0, right=2) or None
    extent.rows, extent.columns, extent.cells, extent.last_row_cell   # 31, 3, 93, "C31"
    extents = ods_extents(path)             # the same for each table of an .ods
    extent = xlsb_extent(path, "Sheet1")    # the same for a sheet of an .xlsb
    extent = sheet_extent(calamine_sheet)   # the same for a sheet calamine has already read

python-calamine gives every position between the first and the last cell holding a value a
slot of 32 bytes when it opens a sheet, so one stray value at XFD1048576 in a 2 KB .xlsx asks
for 512 GB. For .xlsx, .xlsm and .ods this module reads the sheet's XML as a stream of tags
(never more than a chunk in memory) to find that rectangle first, so that finetune.data can
refuse a sheet that is too large before calamine touches it. Cells without a value (only a
style) do not count, as calamine skips them too. For .xlsb it reads the sheet's binary records
the same way, a chunk at a time.
"""

import html
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path

CHUNK_BYTES = 1024 * 1024  # bytes of sheet XML scanned at a time
MAX_TAG_BYTES = 64 * 1024  # a tag longer than this is not from a spreadsheet program

# A <row> or <c> start tag (any namespace prefix), attributes quoted with " or ' (a quoted
# value may hold ">"). Group 1: the tag name; group 2: the attributes ("/" at the end when
# the tag closes itself, i.e. the cell holds no value).
ATTRS = rb"((?:[^>\"']++|\"[^\"]*+\"|'[^']*+')*+)"
CELL_OR_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])" + ATTRS + rb">")
WHOLE_TAG = re.compile(rb"<" + ATTRS + rb">")
# A cell written the way Excel, LibreOffice and openpyxl write it, <c r="B7" ...>, holding a
# value (not closing itself): (letters, digits). The literal start keeps the search fast.
VALUED_CELL = re.compile(
    rb'<c r="([A-Z]{1,3})([0-9]{1,7})"(?:[^>"\'/]++|/(?!>)|"[^"]*+"|\'[^\']*+\')*+>'
)
# A cell written any other way: no "r" first, or a namespace prefix (<x:c>).
ODD_CELL = re.compile(rb'<c(?:[\t\n\r/>]| (?!r="[A-Z]{1,3}[0-9]{1,7}"))')
PREFIXED_CELL = re.compile(rb":c[\s/>]")
CELL_REF = re.compile(rb"(?:^|\s)r\s*=\s*[\"']\$?([A-Za-z]+)\$?([0-9]+)[\"']")
ROW_REF = re.compile(rb"(?:^|\s)r\s*=\s*[\"']([0-9]+)[\"']")
# OpenDocument: a table, row or cell start tag, or a table or row end tag (any prefix).
ODS_TAG = re.compile(
    rb"<(/?)(?:[\w.-]+:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])" + ATTRS + rb">"
)
SHEET = re.compile(rb"<(?:[\w.-]+:)?sheet(?=[\s/>])" + ATTRS + rb">")
RELATIONSHIP = re.compile(rb"<(?:[\w.-]+:)?Relationship(?=[\s/>])" + ATTRS + rb">")
ATTR = re.compile(rb"([\w.:-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
# Excel binary (BIFF12) records, as python-calamine reads a sheet: a row header sets the row,
# these cell records hold a value (column first), BrtEndSheetData or a row past the last one
# ends the sheet; BrtBundleSh in the workbook names each sheet and its relationship id.
XLSB_ROW, XLSB_END_DATA, XLSB_SHEET = 0x0000, 0x0092, 0x009C
XLSB_VALUED = frozenset(range(0x0002, 0x000B))  # Rk, Error, Bool, Real, St, Isst, Fmla*
XLSB_LAST_ROW = 0x10_0000
XLSB_HEAD_BYTES = 6  # a record's type (up to 2 bytes) and size (up to 4)
XLSB_BODY_BYTES = 4  # of a body, what is read: the row or the column


class TagTooLong(ValueError):
    """The sheet's XML holds a tag longer than MAX_TAG_BYTES: a damaged or hostile file."""


@dataclass
class Extent:
    top: int  # 0-based row of the first cell holding a value
    bottom: int  # 0-based row of the last one
    left: int  # 0-based column of the leftmost one
    right: int  # 0-based column of the rightmost one
    last_row_cell: str = ""  # the name of a cell in the bottom row ("Z1000000")
    last_column_cell: str = ""  # the name of a cell in the rightmost column

    @property
    def rows(self) -> int:
        """Spreadsheet rows from row 1 down to the last cell (blank rows above included)."""
        return self.bottom + 1

    @property
    def columns(self) -> int:
        """Columns from the leftmost cell to the rightmost one."""
        return self.right - self.left + 1

    @property
    def cells(self) -> int:
        """Slots calamine would lay out: the rectangle from the first to the last cell."""
        return (self.bottom - self.top + 1) * self.columns


def cell_name(row: int, column: int) -> str:
    """The A1-style name of a 0-based (row, column): (0, 25) -> "Z1"."""
    letters, n = "", column + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def sheet_extent(sheet) -> Extent | None:
    """The extent of a python-calamine CalamineSheet (None when it holds no value)."""
    if sheet.start is None or sheet.end is None:
        return None
    (top, left), (bottom, right) = sheet.start, sheet.end
    return Extent(top, bottom, left, right, cell_name(bottom, left), cell_name(top, right))


def xlsx_extent(path: Path, sheet: str) -> Extent | None:
    """The extent of the cells holding a value in the named sheet of an .xlsx or .xlsm.

    None when the sheet holds no value or cannot be found (calamine then says why). Raises
    zipfile and OS errors for damaged files, and TagTooLong.
    """
    with zipfile.ZipFile(path) as zf:
        parts = _sheet_parts(zf, sheet)
        extents = [_scan(zf, part) for part in parts]
    return _union([e for e in extents if e is not None])


def xlsb_extent(path: Path, sheet: str) -> Extent | None:
    """The extent of the cells holding a value in the named sheet of an .xlsb (None when it
    holds none or cannot be found). Raises zipfile and OS errors for damaged files."""
    bounds = _Bounds()
    with zipfile.ZipFile(path) as zf:
        for part in _xlsb_sheet_parts(zf, sheet):
            row = 0
            for kind, body in _xlsb_records(zf, part, XLSB_BODY_BYTES):
                if kind == XLSB_ROW and len(body) == 4:
                    row = struct.unpack("<I", body)[0]
                    if row > XLSB_LAST_ROW:
                        break
                elif kind == XLSB_END_DATA:
                    break
                elif kind in XLSB_VALUED and len(body) == 4:
                    bounds.add(row, struct.unpack("<I", body)[0])
    return bounds.extent()


def _xlsb_records(zf: zipfile.ZipFile, part: str, keep: int | None = None):
    """(type, body) of each BIFF12 record of a part, a chunk of the part in memory at a
    time; only the first `keep` bytes of each body when `keep` is given (the rest of a long
    body is skipped unread). Stops at a record cut short by the end of the part."""
    with zf.open(part) as stream:
        data, at = b"", 0
        while True:
            if len(data) - at < XLSB_HEAD_BYTES + (keep or 0):
                data, at = data[at:] + stream.read(CHUNK_BYTES), 0
            head = _xlsb_head(data, at)
            if head is None:
                return
            kind, size, at = head
            end = at + size
            if keep is None:  # the whole body: read on until it is here
                while len(data) < end and (more := stream.read(CHUNK_BYTES)):
                    data += more
            yield kind, data[at : end if keep is None else min(end, at + keep)]
            if end <= len(data):
                at = end
                continue
            left = end - len(data)
            while left:
                skipped = stream.read(min(left, CHUNK_BYTES))
                if not skipped:
                    return
                left -= len(skipped)
            data, at = b"", 0


def _xlsb_head(data: bytes, at: int) -> tuple[int, int, int] | None:
    """(type, body size, where the body starts) of the record at `at`; None at the end."""
    if at >= len(data):
        return None
    byte = data[at]
    kind, at = byte & 0x7F, at + 1
    if byte & 0x80:
        if at >= len(data):
            return None
        kind, at = kind | (data[at] & 0x7F) << 7, at + 1
    size = 0
    for shift in range(0, 28, 7):
        if at >= len(data):
            return None
        byte, at = data[at], at + 1
        size |= (byte & 0x7F) << shift
        if not byte & 0x80:
            break
    return kind, size, at


def _xlsb_sheet_parts(zf: zipfile.ZipFile, sheet: str) -> list[str]:
    """The zip part holding the named sheet of an .xlsb; every worksheet part when the links
    are unclear."""
    names = set(zf.namelist())
    targets = _targets(zf, "xl/_rels/workbook.bin.rels")
    if "xl/workbook.bin" in names:
        for kind, body in _xlsb_records(zf, "xl/workbook.bin"):
            if kind != XLSB_SHEET or len(body) < 12:
                continue
            relation, at = _wide_string(body, 8)
            name, _ = _wide_string(body, at)
            if name == sheet and targets.get(relation) in names:
                return [targets[relation]]
    return sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".bin"))


def _wide_string(body: bytes, at: int) -> tuple[str | None, int]:
    """An XLWideString (a count of UTF-16 units, then the units) at `at`, and what follows."""
    if at + 4 > len(body):
        return None, len(body)
    count = struct.unpack_from("<I", body, at)[0]
    if count == 0xFFFFFFFF:  # an empty nullable string
        return None, at + 4
    end = at + 4 + 2 * count
    return body[at + 4 : end].decode("utf-16-le", errors="replace"), end


def ods_extents(path: Path) -> list[Extent]:
    """The extent of the cells holding a value in each table of an .ods (calamine reads
    every table when it opens the file, so each one counts).

    OpenDocument repeats a cell or a row by a count ("number-columns-repeated"), and calamine
    lays every repeat out: a 1 KB file can ask for 17 billion cells. Empty repeats (how
    LibreOffice writes the rest of a sheet) do not count.
    """
    extents = []
    with zipfile.ZipFile(path) as zf:
        for text in _tag_chunks(zf, "content.xml"):
            for match in ODS_TAG.finditer(text):
                closing, name, attrs = match.groups()
                closes_itself = attrs.rstrip().endswith(b"/")
                if name == b"table":
                    if not closing and not closes_itself:
                        table = _Table()
                        extents.append(table)
                elif not extents:
                    continue
                elif name == b"table-row":
                    table.row_tag(closing, closes_itself, _repeats(attrs, b"rows"))
                elif not closing:  # a cell, or a cell covered by a merged one
                    valued = not closes_itself or b"value-type" in attrs
                    table.cell_tag(valued, _repeats(attrs, b"columns"))
    return [t.extent() for t in extents if t.bottom >= 0]


class _Table:
    """Where the rows and cells of one OpenDocument table reach, repeats included."""

    def __init__(self):
        self.top = self.left = 2**62
        self.bottom = self.right = -1
        self.row, self.rows, self.column = 0, 1, 0
        self.last_row_cell = self.last_column_cell = ""

    def row_tag(self, closing: bool, closes_itself: bool, repeats: int) -> None:
        if closing:
            self.row += self.rows
            return
        self.rows, self.column = repeats, 0
        if closes_itself:
            self.row += repeats

    def cell_tag(self, valued: bool, repeats: int) -> None:
        if valued:
            last_row, last_column = self.row + self.rows - 1, self.column + repeats - 1
            self.top, self.left = min(self.top, self.row), min(self.left, self.column)
            if last_row > self.bottom:
                self.bottom, self.last_row_cell = last_row, cell_name(last_row, last_column)
            if last_column > self.right:
                self.right, self.last_column_cell = last_column, cell_name(last_row, last_column)
        self.column += repeats

    def extent(self) -> Extent:
        return Extent(
            self.top, self.bottom, self.left, self.right,
            self.last_row_cell, self.last_column_cell,
        )  # fmt: skip


def _repeats(attrs: bytes, what: bytes) -> int:
    found = re.search(rb"number-" + what + rb"-repeated\s*=\s*[\"']([0-9]+)[\"']", attrs)
    return max(int(found[1]), 1) if found else 1


def _sheet_parts(zf: zipfile.ZipFile, sheet: str) -> list[str]:
    """The zip part holding the named sheet; every worksheet part when the links are unclear."""
    names = set(zf.namelist())
    targets = _targets(zf, "xl/_rels/workbook.xml.rels")
    if "xl/workbook.xml" in names:
        for attrs in SHEET.findall(zf.read("xl/workbook.xml")):
            found = _attributes(attrs)
            ids = [v for k, v in found.items() if k.endswith(":id")]
            if found.get("name") == sheet and ids and targets.get(ids[0]) in names:
                return [targets[ids[0]]]
    return sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))


def _targets(zf: zipfile.ZipFile, rels: str) -> dict[str, str]:
    """{relationship id: zip part} from the workbook's relationships part ({} if none)."""
    if rels not in zf.namelist():
        return {}
    targets = {}
    for attrs in RELATIONSHIP.findall(zf.read(rels)):
        found = _attributes(attrs)
        target = found.get("Target", "")
        if target.startswith("/"):
            target = target.lstrip("/")
        else:
            target = posixpath.normpath(posixpath.join("xl", target))
        targets[found.get("Id")] = target
    return targets


def _attributes(attrs: bytes) -> dict[str, str]:
    return {
        name.decode(errors="replace"): html.unescape((dq or sq).decode(errors="replace"))
        for name, dq, sq in ATTR.findall(attrs)
    }


def _scan(zf: zipfile.ZipFile, part: str) -> Extent | None:
    """The extent of one sheet part: the quick way when every cell is written as Excel,
    LibreOffice and openpyxl write them, else by following every row and cell tag."""
    try:
        return _scan_named_cells(zf, part)
    except _Unnamed:
        return _scan_every_tag(zf, part)


class _Unnamed(Exception):
    """A cell written another way (no "r" first, a namespace prefix): follow every tag."""


def _scan_named_cells(zf: zipfile.ZipFile, part: str) -> Extent | None:
    """Regular expressions and builtins over each chunk; no Python step per cell."""
    extents = []
    for text in _tag_chunks(zf, part):
        if ODD_CELL.search(text) or PREFIXED_CELL.search(text):
            raise _Unnamed
        found = VALUED_CELL.findall(text)
        if not found:
            continue
        letters, digits = zip(*found, strict=True)
        rows = list(map(int, digits))
        columns = {name: _column_index(name) for name in set(letters)}
        bottom, right = max(rows), max(columns.values())
        at_bottom = rows.index(bottom)
        at_right = letters.index(next(n for n, c in columns.items() if c == right))
        extents.append(
            Extent(
                min(rows) - 1,
                bottom - 1,
                min(columns.values()),
                right,
                cell_name(bottom - 1, columns[letters[at_bottom]]),
                cell_name(rows[at_right] - 1, right),
            )  # fmt: skip
        )
    return _union(extents)


def _scan_every_tag(zf: zipfile.ZipFile, part: str) -> Extent | None:
    """Follow rows and cells the way calamine places them: a cell's "r" when it has one, else
    the next column of the current row (rows without "r" follow the previous row)."""
    bounds = _Bounds()
    row, column = -1, -1
    for text in _tag_chunks(zf, part):
        for match in CELL_OR_ROW.finditer(text):
            name, attrs = match.groups()
            if name == b"row":
                ref = ROW_REF.search(attrs)
                row = int(ref[1]) - 1 if ref else row + 1
                column = -1
                continue
            ref = CELL_REF.search(attrs)
            if ref:
                column, cell_row = _column_index(ref[1]), int(ref[2]) - 1
            else:
                column, cell_row = column + 1, row
            if attrs.rstrip().endswith(b"/"):  # closes itself: no value
                continue
            bounds.add(cell_row, column)
    return bounds.extent()


class _Bounds:
    """The rectangle of the cells holding a value, grown a cell at a time."""

    def __init__(self):
        self.top = self.left = 2**62
        self.bottom = self.right = -1
        self.last_row_cell = self.last_column_cell = ""

    def add(self, row: int, column: int) -> None:
        self.top, self.left = min(self.top, row), min(self.left, column)
        if row > self.bottom:
            self.bottom, self.last_row_cell = row, cell_name(row, column)
        if column > self.right:
            self.right, self.last_column_cell = column, cell_name(row, column)

    def extent(self) -> Extent | None:
        if self.bottom < 0:
            return None
        return Extent(self.top, self.bottom, self.left, self.right, self.last_row_cell,
                      self.last_column_cell)  # fmt: skip


def _tag_chunks(zf: zipfile.ZipFile, part: str):
    """The part's XML in pieces of about CHUNK_BYTES, each cut between two tags."""
    tail = b""
    with zf.open(part) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            data = tail + chunk
            # What follows the last "<" waits for the next chunk unless it is a whole tag
            # already (a "<" never appears inside a tag).
            cut = data.rfind(b"<")
            if cut < 0 or WHOLE_TAG.match(data, cut):
                cut = len(data)
            tail = data[cut:]
            if len(tail) > MAX_TAG_BYTES:
                raise TagTooLong(part)
            yield data[:cut]
    yield tail


def _union(extents: list[Extent]) -> Extent | None:
    if not extents:
        return None
    bottom = max(extents, key=lambda e: e.bottom)
    right = max(extents, key=lambda e: e.right)
    return Extent(
        min(e.top for e in extents), bottom.bottom, min(e.left for e in extents), right.right,
        bottom.last_row_cell, right.last_column_cell,
    )  # fmt: skip


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ch - 64
    return n - 1
