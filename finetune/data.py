"""Read any spreadsheet a user has into a table of text.

    table = read_table("reviews.xlsx", sheet="2024")    # or .csv .tsv .txt .xlsm .xls .xlsb .ods
    table.frame                                          # a DataFrame, every cell a str
    table.row_number(0)                                  # 2: the row the user sees in Excel

Writing results back, formula-safe, is finetune.writer's (write_table, safe_cell).
The format comes from the file's first bytes, not its name (finetune.formats.detect).
Text files may be UTF-8 (with or without BOM), UTF-16, GB18030/GBK or Windows-1252, with
commas, tabs, semicolons or pipes between cells. Workbooks are read by python-calamine.
Every cell becomes text as the user typed it: "NA" and "007" stay as they are, whole numbers
stored by Excel as 3.0 become "3", dates become ISO text ("2024-03-01"). A formula gives
its last computed value; one never computed (a file written by a script and never opened in
Excel) and error cells ("#N/A") read as empty. Blank rows and blank columns are dropped;
the first remaining row is the header. Invisible control characters (NUL and the other C0
controls but tab, line feed and carriage return) are removed from every cell, header
included; `table.cleaned_cells` counts the cells that held one.

Hostile files are refused before they cost memory: more than MAX_ROWS rows or MAX_COLUMNS
columns, a workbook sheet whose cells span more than MAX_CELLS (one stray cell at
XFD1048576 is enough; finetune.sheetsize finds it before calamine lays the sheet out), and
zip bombs (finetune.formats.MAX_UNPACKED_BYTES). Every failure raises FinetuneError with one
or two plain sentences for the user.
"""

import datetime as dt
import re
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from finetune.errors import FinetuneError
from finetune.formats import (
    DAMAGED,
    EMPTY,
    FORMAT_SUFFIXES,
    MARKUP,
    PROTECTED,
    detect,
    file_suffix,
    not_a_spreadsheet,
)
from finetune.sheetsize import (
    Extent,
    TagTooLong,
    ods_extents,
    sheet_extent,
    xlsb_extent,
    xlsx_extent,
)
from finetune.textfiles import (
    DELIMITERS,
    UPLOAD_THESE,
    TooWide,
    first_row_width,
    looks_binary,
    parse_delimited,
    sample_text,
    sniff_delimiter,
    to_utf8,
)

SUPPORTED_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".xlsb", ".ods")
MAX_ROWS = 1_000_000  # data rows; Excel itself stops at 1,048,576
MAX_COLUMNS = 500  # columns; a table for training has a handful
SHEET_EXTENTS = {"xlsx": xlsx_extent, "xlsb": xlsb_extent}  # a sheet's size before calamine
MAX_CELLS = 20_000_000  # a workbook sheet's rectangle of cells: about 640 MB in calamine
ROW_SLACK = 1_000  # blank rows and a title above the header, read beyond max_rows

# Removed from every cell: C0 controls but tab, LF and CR (what XML and openpyxl refuse).
INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Every byte but those INVISIBLE matches: deleting these from UTF-8 leaves only the invisible
# characters (in UTF-8 a byte below 0x20 is always that character itself).
VISIBLE_BYTES = bytes(b for b in range(256) if not INVISIBLE.match(chr(b)))


@dataclass
class Table:
    frame: pd.DataFrame  # every cell a str ("" for empty); unique str column names
    sheets: list[str] = field(default_factory=list)  # sheet names for workbooks, [] for text
    sheet: str | None = None  # the sheet that was read
    encoding: str | None = None  # text files: the encoding detected
    delimiter: str | None = None  # text files: the delimiter detected
    row_numbers: list[int] = field(default_factory=list, repr=False)  # per frame row
    cleaned_cells: int = 0  # cells (header included) that held invisible control characters

    @property
    def columns(self) -> list[str]:
        return [str(c) for c in self.frame.columns]

    def row_number(self, i: int) -> int:
        """The spreadsheet row the user sees for frame row i (the header is row 1)."""
        return self.row_numbers[i] if self.row_numbers else i + 2


def read_table(
    path, *, sheet: str | None = None, filename: str | None = None, max_rows: int = MAX_ROWS
) -> Table:
    """Read a CSV/TSV/TXT file or one sheet of a workbook into a Table of text cells."""
    path = Path(path)
    kind = detect(path, filename)
    if kind == "text":
        return _read_text(path, file_suffix(path, filename), max_rows)
    return _read_workbook(path, kind, sheet, max_rows)


def list_sheets(path, filename: str | None = None) -> list[str]:
    """The worksheet names of a workbook, in order; [] for text files."""
    path = Path(path)
    kind = detect(path, filename)
    return [] if kind == "text" else _sheet_names(_open_workbook(path, kind))


def require_columns(table, *names: str | None) -> None:
    """FinetuneError naming the columns that exist when one of `names` is not among them."""
    frame = table.frame if isinstance(table, Table) else table
    existing = [str(c) for c in frame.columns]
    for name in names:
        if name is None or name in existing:
            continue
        message = f'The column "{name}" is not in this sheet. Its columns are: '
        message += name_list(existing) + "."
        close = [c for c in existing if c.strip().casefold() == str(name).strip().casefold()]
        if close:
            message += f' Did you mean "{close[0]}"?'
        raise FinetuneError(message)


def name_list(names: list[str], shown: int = 10) -> str:
    """Names for a message, the first `shown` of them: "a, b, c and 490 more"."""
    names = [str(n) for n in names]
    if len(names) <= shown:
        return ", ".join(names)
    return f"{', '.join(names[:shown])} and {len(names) - shown:,} more"


# Text files ---------------------------------------------------------------------------------


def _read_text(path: Path, suffix: str, max_rows: int) -> Table:
    stamp = _stamp(path)
    data, encoding = to_utf8(path.read_bytes())  # a UTF-8 file stays as it is
    sample, complete = sample_text(data)
    if not sample.strip().strip("".join(DELIMITERS) + "\r\n "):  # nothing but separators
        raise FinetuneError(EMPTY)
    if looks_binary(sample):  # a few stray NULs are text: the cells are cleaned below
        raise not_a_spreadsheet()
    if MARKUP.match(sample):
        raise FinetuneError(
            "This file looks like a web page or XML, not a spreadsheet. Open it in Excel, "
            "save it as .xlsx or .csv and upload that."
        )
    delimiter = sniff_delimiter(sample, complete=complete, suffix=suffix)
    if (width := first_row_width(data, delimiter)) > MAX_COLUMNS:  # before parsing it all
        raise _too_many_columns(width)
    limit = max_rows + 1 + ROW_SLACK
    # pandas reads a UTF-8 file itself (in parallel, which it cannot do from memory): its
    # size and time, unchanged, show that it read the bytes checked here.
    on_disk = path if stamp and encoding.startswith("utf-8") else None
    try:
        raw = parse_delimited(data, delimiter, limit, MAX_COLUMNS, on_disk)
        if on_disk and _stamp(path) != stamp:  # written to meanwhile: parse what was checked
            raw = parse_delimited(data, delimiter, limit, MAX_COLUMNS)
    except TooWide as err:
        raise _too_many_columns(err.width)
    if raw.shape[1] > MAX_COLUMNS:
        raise _too_many_columns(raw.shape[1])
    if len(raw) >= limit:
        raise _too_many_rows(max_rows)
    cleaned = 0
    if data.translate(None, VISIBLE_BYTES):  # rare: clean cell by cell, counting
        dirty = raw.map(lambda v: bool(INVISIBLE.search(v)))
        cleaned = int(dirty.to_numpy().sum())
        raw = raw.map(lambda v: INVISIBLE.sub("", v))
    frame, rows = _tidy(raw, max_rows)
    return Table(frame, [], None, encoding, delimiter, rows, cleaned)


def _stamp(path: Path) -> tuple[int, int] | None:
    """A regular file's size and modification time (None for a pipe or a device)."""
    status = path.stat()
    return (status.st_size, status.st_mtime_ns) if stat.S_ISREG(status.st_mode) else None


# Workbooks ----------------------------------------------------------------------------------


def _open_workbook(path: Path, kind: str, max_rows: int = MAX_ROWS) -> CalamineWorkbook:
    if kind == "ods":  # calamine lays out every table of an .ods when it opens it
        try:
            for extent in ods_extents(path):
                _check_extent(extent, max_rows)
        except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, TagTooLong) as err:
            raise FinetuneError(DAMAGED) from err
    try:
        if path.suffix.lower() == FORMAT_SUFFIXES[kind] or (
            kind == "xlsx" and path.suffix.lower() == ".xlsm"
        ):
            return CalamineWorkbook.from_path(str(path))
        with path.open("rb") as f:  # an odd or missing suffix: let calamine look inside
            return CalamineWorkbook.from_filelike(f)
    except PasswordError:
        raise FinetuneError(PROTECTED)
    except Exception as err:  # calamine's errors carry no user-facing meaning
        if "password" in str(err).lower():
            raise FinetuneError(PROTECTED)
        raise FinetuneError(DAMAGED)


def _sheet_names(book: CalamineWorkbook) -> list[str]:
    """Worksheets only: chart and macro sheets hold no table."""
    return [m.name for m in book.sheets_metadata if m.typ == SheetTypeEnum.WorkSheet]


def _read_workbook(path: Path, kind: str, sheet: str | None, max_rows: int) -> Table:
    book = _open_workbook(path, kind, max_rows)
    names = _sheet_names(book)
    if not names:
        raise FinetuneError(f"This workbook has no sheets with data. {UPLOAD_THESE}")
    if sheet is None:
        visible = [
            m.name
            for m in book.sheets_metadata
            if m.name in names and m.visible == SheetVisibleEnum.Visible
        ]
        sheet = (visible or names)[0]
    elif sheet not in names:
        raise FinetuneError(
            f'This workbook has no sheet named "{sheet}". Its sheets are: {name_list(names)}.'
        )
    # 1. Bound the sheet before calamine lays it out (32 bytes a cell, blanks included).
    if extent_of := SHEET_EXTENTS.get(kind):
        try:
            _check_extent(extent_of(path, sheet), max_rows)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, TagTooLong) as err:
            raise FinetuneError(DAMAGED) from err
    # 2. Read it; keep only rows holding a value (row i of the sheet is spreadsheet row i + 1).
    try:
        data = book.get_sheet_by_name(sheet)
        _check_extent(sheet_extent(data), max_rows)
        rows, numbers, cleaned = [], [], 0
        for i, row in enumerate(data.iter_rows()):
            if row.count("") == len(row):
                continue
            cells = [_cell_text(v) for v in row]
            if INVISIBLE.search("".join(cells)):  # rare: clean cell by cell, counting
                clean = [INVISIBLE.sub("", c) for c in cells]
                cleaned += sum(a != b for a, b in zip(cells, clean, strict=True))
                cells = clean
            rows.append(cells)
            numbers.append(i + 1)
    except FinetuneError:
        raise
    except Exception as err:
        raise FinetuneError(DAMAGED) from err
    raw = pd.DataFrame(rows, dtype=str)
    first_column = data.start[1] if data.start else 0
    others = [n for n in names if n != sheet]
    frame, numbers = _tidy(raw, max_rows, sheet, others, numbers, first_column)
    return Table(frame, names, sheet, None, None, numbers, cleaned)


def _check_extent(extent: Extent | None, max_rows: int) -> None:
    """FinetuneError when a sheet reaches too far down, too far right, or over too many cells."""
    if extent is None:
        return
    if extent.rows > max_rows + 1 + ROW_SLACK:
        raise _too_many_rows(max_rows, extent.last_row_cell)
    if extent.columns > MAX_COLUMNS:
        raise _too_many_columns(extent.columns, extent.last_column_cell)
    if extent.cells > MAX_CELLS:
        far = extent.last_row_cell if extent.rows > extent.columns else extent.last_column_cell
        raise FinetuneError(
            f"This sheet is too large to read: its cells span {extent.rows:,} rows and "
            f"{extent.columns:,} columns (as far as cell {far}), more than the "
            f"{MAX_CELLS:,} cells LabelTune reads. Delete the rows and columns you don't need, "
            "or save the sheet as CSV, and upload it again."
        )


def _cell_text(value) -> str:
    """One workbook cell as the text the user sees in it."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        minutes, seconds = divmod(round(value.total_seconds()), 60)
        return f"{minutes // 60}:{minutes % 60:02d}:{seconds:02d}"
    return str(value)


# Shared clean-up ----------------------------------------------------------------------------


def _tidy(
    raw: pd.DataFrame,
    max_rows: int,
    sheet: str | None = None,
    others: list[str] | None = None,
    numbers: list[int] | None = None,
    first_column: int = 0,
) -> tuple[pd.DataFrame, list[int]]:
    """Drop blank rows and columns, take the header, name columns; keep user row numbers.

    Row i of `raw` is spreadsheet row numbers[i] (i + 1 when not given); its column j is
    spreadsheet column first_column + j + 1. `sheet` and `others` only shape the messages.
    """
    where = f'The sheet "{sheet}"' if sheet else "This file"
    advice = f" Pick another sheet: {name_list(others)}." if others else ""
    positions, keep = _filled_rows_and_columns(raw)
    if len(positions) == 0:
        raise FinetuneError(
            f"{where} is empty.{advice or ' Add a header row and at least one row of data.'}"
        )
    header_at, data_at = positions[0], positions[1:]
    if len(data_at) == 0:
        raise FinetuneError(
            f"{where} has a header row but no rows of data under it."
            f"{advice or ' Add at least one row of data under the header.'}"
        )
    if len(data_at) > max_rows:
        raise _too_many_rows(max_rows)
    # A run of rows and every column (the usual file) is a slice: nothing is copied.
    first, last = data_at[0], data_at[-1]
    frame = raw.iloc[first : last + 1] if last - first == len(data_at) - 1 else raw.iloc[data_at]
    if len(keep) < raw.shape[1]:
        frame = frame.iloc[:, keep]
    frame = frame.reset_index(drop=True)
    header = raw.iloc[header_at, keep].tolist()
    frame.columns = _column_names(header, keep + first_column)
    rows = np.asarray(numbers)[data_at] if numbers is not None else data_at + 1
    return frame, rows.tolist()


def _filled_rows_and_columns(raw: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The positions of the rows, and of the columns, holding a cell with more than spaces.

    1. A column is filled when any of its cells is (the header's or a data row's: a blank
       row has none); its top cell, the header in a usual table, mostly settles it.
    2. A row is filled once one of its cells is, so each column looks only at the rows that
       no column before it filled: a usual table asks str.isspace about one cell a row.
    """
    rows, columns = np.zeros(len(raw), dtype=bool), np.zeros(raw.shape[1], dtype=bool)
    for j in range(raw.shape[1] if len(raw) else 0):
        cells = raw.iloc[:, j].to_numpy(dtype=object)  # no copy of a column of str
        columns[j] = cells[0] != "" and not cells[0].isspace()
        if columns[j] and rows.all():
            continue  # nothing left to learn from this column
        unempty = cells != ""
        columns[j] = columns[j] or any(not cell.isspace() for cell in cells[unempty])
        if not rows.all():
            at = np.flatnonzero(unempty & ~rows)
            rows[at] = ~np.fromiter(map(str.isspace, cells[at]), dtype=bool, count=len(at))
    return np.flatnonzero(rows), np.flatnonzero(columns)


def _column_names(header: list[str], positions) -> list[str]:
    """Header cells with spacing tidied; blanks named "column 3"; repeats made distinct."""
    names, seen = [], set()
    for cell, position in zip(header, positions, strict=True):
        base = " ".join(str(cell).split()) or f"column {position + 1}"
        name, n = base, 2
        while name in seen:
            name, n = f"{base} ({n})", n + 1
        seen.add(name)
        names.append(name)
    return names


def _too_many_rows(max_rows: int, far_cell: str = "") -> FinetuneError:
    reach = f" (it has a cell as far down as {far_cell})" if far_cell else ""
    return FinetuneError(
        f"This sheet has more than {max_rows:,} rows, the most LabelTune reads{reach}. "
        "Split it into smaller files, or remove the rows you don't need."
    )


def _too_many_columns(count: int, far_cell: str = "") -> FinetuneError:
    reach = f" (as far as cell {far_cell})" if far_cell else ""
    return FinetuneError(
        f"This sheet has {count:,} columns{reach}; LabelTune reads at most {MAX_COLUMNS:,}. "
        "Remove the columns you don't need and upload it again."
    )
