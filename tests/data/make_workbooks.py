"""Build small .xls, .xlsb and .ods workbooks and OLE2 containers with nothing but the stdlib.

    python -m tests.data.make_workbooks      # rewrites tests/data/sample.{xls,xlsb,ods}

No writer for these formats is a project dependency (openpyxl writes only .xlsx), so the
bytes are laid out here by hand from the published specifications: [MS-CFB] (the OLE2
container), [MS-XLS] (BIFF8 records), [MS-XLSB] (BIFF12 records in a zip) and OpenDocument
1.2 (content.xml in a zip). Only the records a reader needs are written. The same helpers
build a password-locked workbook: an OLE2 file holding an "EncryptedPackage" stream, which is
how Office stores an .xlsx saved with a password.

A sheet is a list of rows; a cell is str, int, float, bool, datetime.date or None (empty).
"""

import datetime as dt
import struct
import zipfile
from pathlib import Path

HERE = Path(__file__).parent
EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's 1900 date system
SECTOR = 512
END, FREE, FAT_SECTOR, NO_STREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF

# What tests/data/sample.* hold: a title-free sheet with blank rows and columns, and a second.
SAMPLE = {
    "Reviews": [
        [None, None, None, None],
        [None, "text", "label", "score", None, "label"],
        [None, "Great product", "positive", 5, None, "x"],
        [None, "NA", "None", 2.5, None, "y"],
        [None, None, None, None],
        [None, "Arrived broken", "negative", dt.date(2024, 3, 1), None, True],
    ],
    "Notes": [["note"], ["zweite Seite – ü"]],
}


def cfb(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file (version 3) holding the given streams in the root storage.

    Streams are padded to 4096 bytes so that all live in regular sectors (no mini stream).
    """
    # 1. Lay the streams out in consecutive sectors, then the directory, then the FAT.
    padded = {name: data.ljust(max(len(data), 4096), b"\0") for name, data in streams.items()}
    starts, sectors = {}, 0
    for name, data in padded.items():
        starts[name] = sectors
        sectors += -(-len(data) // SECTOR)
    entries = 1 + len(padded)
    dir_sectors = -(-entries // 4)
    dir_start = sectors
    fat_start = dir_start + dir_sectors
    total = fat_start + 1
    assert total <= SECTOR // 4, "one FAT sector is enough for these tiny files"

    # 2. The FAT: each stream and the directory are chains of consecutive sectors.
    fat = [FREE] * (SECTOR // 4)
    for name, data in padded.items():
        count = -(-len(data) // SECTOR)
        for i in range(count):
            fat[starts[name] + i] = starts[name] + i + 1 if i < count - 1 else END
    for i in range(dir_sectors):
        fat[dir_start + i] = dir_start + i + 1 if i < dir_sectors - 1 else END
    fat[fat_start] = FAT_SECTOR

    # 3. The directory: the root entry, then the streams as a chain of right siblings.
    def entry(name, kind, child, right, start, size):
        raw = name.encode("utf-16-le") + b"\0\0"
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            raw, len(raw), kind, 1, NO_STREAM, right, child, b"", 0, 0, 0, start, size,
        )  # fmt: skip

    names = list(padded)
    directory = entry("Root Entry", 5, 1 if names else NO_STREAM, NO_STREAM, END, 0)
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else NO_STREAM
        directory += entry(name, 2, NO_STREAM, right, starts[name], len(padded[name]))
    directory = directory.ljust(dir_sectors * SECTOR, b"\0")

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"", 0x3E, 3, 0xFFFE, 9, 6, b"",
        0, 1, dir_start, 0, 4096, END, 0, END, 0,
    )  # fmt: skip
    header += struct.pack("<109I", fat_start, *[FREE] * 108)
    body = b"".join(padded.values())
    return header + body + directory + struct.pack("<128I", *fat)


def encrypted_workbook() -> bytes:
    """What Office writes for an .xlsx saved with a password (the payload here is filler)."""
    return cfb({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b""})


# XLS (BIFF8) --------------------------------------------------------------------------------


def _record(kind: int, data: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(data)) + data


def _xls_string(text: str, length_format: str) -> bytes:
    return struct.pack(length_format, len(text)) + b"\x01" + text.encode("utf-16-le")


def _xls_cell(row: int, col: int, value) -> bytes:
    if isinstance(value, bool):
        return _record(0x0205, struct.pack("<HHHBB", row, col, 0, int(value), 0))  # BoolErr
    if isinstance(value, dt.date):
        serial = (value - EXCEL_EPOCH).days
        return _record(0x0203, struct.pack("<HHHd", row, col, 1, serial))  # Number, date XF
    if isinstance(value, int | float):
        return _record(0x0203, struct.pack("<HHHd", row, col, 0, value))  # Number
    return _record(0x0204, struct.pack("<HHH", row, col, 0) + _xls_string(value, "<H"))  # Label


def xls(sheets: dict[str, list[list]], *, password: bool = False) -> bytes:
    """A BIFF8 workbook (Excel 97-2003 .xls) in an OLE2 container.

    With `password`, a FilePass record marks it as encrypted (the cells stay readable
    bytes here; a reader must still refuse it).
    """
    bof = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    if password:
        bof += _record(0x002F, struct.pack("<HHH", 1, 1, 1).ljust(54, b"\0"))  # FilePass, RC4
    xfs = _record(0x00E0, struct.pack("<HH", 0, 0).ljust(20, b"\0"))  # XF 0: General
    xfs += _record(0x00E0, struct.pack("<HH", 0, 14).ljust(20, b"\0"))  # XF 1: a date
    bodies = []
    for rows in sheets.values():
        width = max((len(r) for r in rows), default=0)
        body = _record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
        body += _record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0))  # Dimensions
        for r, row in enumerate(rows):
            body += b"".join(_xls_cell(r, c, v) for c, v in enumerate(row) if v is not None)
        bodies.append(body + _record(0x000A))

    def globals_(offsets):
        out = bof + _record(0x0042, struct.pack("<H", 1200)) + xfs  # CodePage: UTF-16
        for offset, name in zip(offsets, sheets, strict=True):
            out += _record(0x0085, struct.pack("<IBB", offset, 0, 0) + _xls_string(name, "<B"))
        return out + _record(0x000A)

    start = len(globals_([0] * len(sheets)))
    offsets = []
    for body in bodies:
        offsets.append(start)
        start += len(body)
    return cfb({"Workbook": globals_(offsets) + b"".join(bodies)})


# XLSB (BIFF12 in a zip) ---------------------------------------------------------------------


def _brt(kind: int, data: bytes = b"") -> bytes:
    """A BIFF12 record: type and size as 7-bit groups, low bits first."""
    head = bytes([kind & 0x7F | 0x80, kind >> 7]) if kind >= 0x80 else bytes([kind])
    size, out = len(data), b""
    while True:
        out += bytes([size & 0x7F | (0x80 if size > 0x7F else 0)])
        size >>= 7
        if not size:
            return head + out + data


def _wide(text: str) -> bytes:
    return struct.pack("<I", len(text)) + text.encode("utf-16-le")


def _xlsb_cell(col: int, value, strings: dict[str, int]) -> bytes:
    if isinstance(value, bool):
        return _brt(0x04, struct.pack("<IIB", col, 0, int(value)))  # BrtCellBool
    if isinstance(value, dt.date):
        return _brt(0x05, struct.pack("<IId", col, 1, (value - EXCEL_EPOCH).days))  # date style
    if isinstance(value, int | float):
        return _brt(0x05, struct.pack("<IId", col, 0, value))  # BrtCellReal
    index = strings.setdefault(value, len(strings))  # shared strings, as Excel writes them
    return _brt(0x07, struct.pack("<III", col, 0, index))  # BrtCellIsst


def xlsb(sheets: dict[str, list[list]]) -> bytes:
    """An Excel binary workbook (.xlsb)."""
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    parts = {
        "[Content_Types].xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{pkg}/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="bin" '
            'ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.bin"/>'
            "</Relationships>"
        ),
    }
    book = _brt(0x83) + _brt(0x8F)  # BrtBeginBook, BrtBeginBundleShs
    for i, name in enumerate(sheets, start=1):
        book += _brt(0x9C, struct.pack("<II", 0, i) + _wide(f"rId{i}") + _wide(name))
    parts["xl/workbook.bin"] = book + _brt(0x90) + _brt(0x84)  # BrtEndBundleShs, BrtEndBook
    xf = struct.pack("<HH", 0, 0).ljust(16, b"\0")
    date_xf = struct.pack("<HH", 0, 14).ljust(16, b"\0")
    parts["xl/styles.bin"] = (
        _brt(0x116) + _brt(0x269, struct.pack("<I", 2)) + _brt(0x2F, xf) + _brt(0x2F, date_xf)
        + _brt(0x26A) + _brt(0x117)
    )  # fmt: skip
    strings: dict[str, int] = {}
    for i, rows in enumerate(sheets.values(), start=1):
        width = max((len(r) for r in rows), default=1)
        size = struct.pack("<IIII", 0, max(len(rows) - 1, 0), 0, width - 1)
        sheet = _brt(0x81) + _brt(0x94, size) + _brt(0x91)  # BeginSheet, WsDim, BeginSheetData
        for r, row in enumerate(rows):
            sheet += _brt(0x00, struct.pack("<I", r).ljust(17, b"\0"))  # BrtRowHdr
            cells = [_xlsb_cell(c, v, strings) for c, v in enumerate(row) if v is not None]
            sheet += b"".join(cells)
        parts[f"xl/worksheets/sheet{i}.bin"] = sheet + _brt(0x92) + _brt(0x82)
    count = struct.pack("<II", len(strings), len(strings))
    items = b"".join(_brt(0x13, b"\0" + _wide(text)) for text in strings)  # BrtSSTItem
    parts["xl/sharedStrings.bin"] = _brt(0x9F, count) + items + _brt(0xA0)
    links = "".join(
        f'<Relationship Id="rId{i}" Type="{rel}/worksheet" Target="worksheets/sheet{i}.bin"/>'
        for i in range(1, len(sheets) + 1)
    )
    parts["xl/_rels/workbook.bin.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
        f'{links}<Relationship Id="rIdS" Type="{rel}/styles" Target="styles.bin"/>'
        f'<Relationship Id="rIdT" Type="{rel}/sharedStrings" Target="sharedStrings.bin"/>'
        "</Relationships>"
    )
    return _zip(parts)


# XLSX by hand: any cell anywhere ---------------------------------------------------------------


def xlsx_cells(cells: dict[str, str], sheet: str = "Data", extra_xml: str = "") -> bytes:
    """A minimal .xlsx whose one sheet holds text `cells` by name ({"A1": "text"}).

    openpyxl would do for ordinary files; this writes the XML itself so a test can put one
    cell at XFD1048576 (or a NUL byte in a cell) in a file of a few kB. `extra_xml` goes
    into the sheet data after the rows, as it is.
    """
    from xml.sax.saxutils import escape, quoteattr

    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    pkg = "http://schemas.openxmlformats.org/package/2006"
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rows: dict[int, list[str]] = {}
    for ref, text in cells.items():
        row = int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
        cell = f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'
        rows.setdefault(row, []).append(cell)
    data = "".join(f'<row r="{r}">{"".join(rows[r])}</row>' for r in sorted(rows)) + extra_xml
    return _zip(
        {
            "[Content_Types].xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{pkg}/content-types">'
                '<Default Extension="rels" '
                'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
            ),
            "_rels/.rels": (
                f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ),
            "xl/workbook.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}">'
                f'<sheets><sheet name={quoteattr(sheet)} sheetId="1" r:id="rId1"/></sheets>'
                "</workbook>"
            ),
            "xl/_rels/workbook.xml.rels": (
                f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}/relationships">'
                f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
                "</Relationships>"
            ),
            "xl/worksheets/sheet1.xml": (
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}">'
                f"<sheetData>{data}</sheetData></worksheet>"
            ),
        }
    )


# ODS ----------------------------------------------------------------------------------------


def _ods_cell(value) -> str:
    from xml.sax.saxutils import escape, quoteattr

    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        kind = f'office:value-type="boolean" office:boolean-value="{str(value).lower()}"'
        return f"<table:table-cell {kind}><text:p>{str(value).upper()}</text:p></table:table-cell>"
    if isinstance(value, dt.date):
        kind = f'office:value-type="date" office:date-value="{value.isoformat()}"'
        return f"<table:table-cell {kind}><text:p>{value}</text:p></table:table-cell>"
    if isinstance(value, int | float):
        kind = f'office:value-type="float" office:value={quoteattr(repr(value))}'
        return f"<table:table-cell {kind}><text:p>{value}</text:p></table:table-cell>"
    paragraphs = "".join(f"<text:p>{escape(line)}</text:p>" for line in value.split("\n"))
    return f'<table:table-cell office:value-type="string">{paragraphs}</table:table-cell>'


def ods(sheets: dict[str, list[list]], extra_xml: str = "") -> bytes:
    """An OpenDocument spreadsheet (.ods); `extra_xml` goes after the first table's rows."""
    from xml.sax.saxutils import quoteattr

    ns = "urn:oasis:names:tc:opendocument:xmlns"
    tables = ""
    for name, rows in sheets.items():
        body = "".join(
            "<table:table-row>" + "".join(_ods_cell(v) for v in row) + "</table:table-row>"
            for row in rows
        )
        if not tables:
            body += extra_xml
        tables += f"<table:table table:name={quoteattr(name)}>{body}</table:table>"
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<office:document-content xmlns:office="{ns}:office:1.0" '
        f'xmlns:table="{ns}:table:1.0" xmlns:text="{ns}:text:1.0" office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body>"
        "</office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<manifest:manifest xmlns:manifest="{ns}:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:version="1.2" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    return _zip(
        {
            "mimetype": "application/vnd.oasis.opendocument.spreadsheet",
            "content.xml": content,
            "META-INF/manifest.xml": manifest,
        }
    )


def _zip(parts: dict[str, str | bytes]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in parts.items():
            stored = name == "mimetype"  # OpenDocument wants it first and uncompressed
            method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            zf.writestr(info, data, compress_type=method)
    return buffer.getvalue()


if __name__ == "__main__":
    for suffix, build in ((".xls", xls), (".xlsb", xlsb), (".ods", ods)):
        target = HERE / f"sample{suffix}"
        target.write_bytes(build(SAMPLE))
        print(target, target.stat().st_size, "bytes")
