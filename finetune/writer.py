"""Write tables back formula-safe: every file LabelTune hands people goes through here.

    write_table(scored_frame, "scored.xlsx")     # or .csv (UTF-8 with BOM), .tsv, .txt
    write_table(frame, "out.csv", **text_format(table))   # a text file back as it came
    safe_cell("=1+2")                            # "'=1+2": a spreadsheet shows it, never runs it

A cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a
carriage return, and is not a plain number) gets a leading apostrophe, in the header too.
Reading is finetune.data's.
"""

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from finetune.errors import FinetuneError

EXCEL_MAX_CELL = 32_767  # characters Excel accepts in one cell
PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell as text, with a leading ' when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


TEXT_OUTPUTS = (".csv", ".tsv", ".txt")  # delimited text files write_table writes


def text_format(table) -> dict:
    """write_table's options that give a text file back as Excel opened the one read (a
    finetune.data.Table): its delimiter, UTF-16 for UTF-16 files (Excel's "Unicode text"), else UTF-8 with a BOM."""
    utf16 = (table.encoding or "").lower().replace("_", "-").startswith("utf-16")
    return {"delimiter": table.delimiter, "encoding": "utf-16" if utf16 else "utf-8-sig"}


def write_table(
    frame: pd.DataFrame, path, *, delimiter: str | None = None, encoding: str = "utf-8-sig"
) -> Path:
    """Write `frame` as .xlsx or delimited text (.csv: commas, .tsv and .txt: tabs, unless
    `delimiter` says; UTF-8 with BOM for Excel unless `encoding` says), formula-safe."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (*TEXT_OUTPUTS, ".xlsx"):
        raise FinetuneError(
            f'Results can be saved as .csv or .xlsx, not "{suffix or path.name}". '
            "Choose a file name ending in .csv or .xlsx."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    header = [safe_cell(c) for c in frame.columns]
    if suffix in TEXT_OUTPUTS:
        out = pd.DataFrame(
            {i: [_csv_value(v) for v in frame.iloc[:, i]] for i in range(frame.shape[1])},
            index=range(len(frame)),
        )
        out.columns = header
        # CRLF rows (RFC 4180), so a lone "\r" inside a cell is quoted too.
        sep = delimiter or ("," if suffix == ".csv" else "\t")
        out.to_csv(path, index=False, sep=sep, encoding=encoding, lineterminator="\r\n")
        return path
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(header)
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_xlsx_value(v) for v in row])
    book.save(path)
    return path


def _missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _csv_value(value):
    if isinstance(value, str):
        return safe_cell(value)
    return "" if _missing(value) else value


def _xlsx_value(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if _missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool | int | float | dt.date | dt.time):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))[:EXCEL_MAX_CELL]
