"""Text files as a table: decode the bytes, find the delimiter, split the rows.

    text, encoding = decode(path.read_bytes())     # "utf-8", "utf-16-le", "gb18030", "cp1252"...
    delimiter = sniff_delimiter(text[:SNIFF_CHARS], complete=True, suffix=".csv")
    raw = parse_delimited(text, delimiter, limit=1_000_000)   # str cells, blank lines kept

finetune.data.read_table calls these for .csv, .tsv and .txt files and tidies the result.
Every failure raises FinetuneError with a plain sentence.
"""

import csv
import io
import re
from collections import Counter

import pandas as pd

from finetune.errors import FinetuneError

SNIFF_CHARS = 64 * 1024  # text sample for the delimiter and binary checks
SNIFF_ROWS = 50
DELIMITERS = (",", "\t", ";", "|")  # in order of preference when the evidence ties
CJK_RANGES = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
CJK = re.compile(f"[{CJK_RANGES}]")
CJK_IN_LATIN_WORD = re.compile(f"(?<=[A-Za-z])[{CJK_RANGES}]|[{CJK_RANGES}](?=[A-Za-z])")

UPLOAD_THESE = "Upload a .csv, .tsv, .txt, .xlsx, .xls, .xlsb or .ods file."
NOT_A_SPREADSHEET = f"This file is not a spreadsheet we can read. {UPLOAD_THESE}"
UNREADABLE = (
    "The text in this file uses a character encoding we cannot read. "
    'Open it in Excel, save it as "CSV UTF-8" and upload that file.'
)


class TooWide(ValueError):
    """A row has more cells than the caller reads."""

    def __init__(self, width: int):
        super().__init__(width)
        self.width = width


def decode(raw: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was in (tried strictly, most telling first)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return _strict(raw, "utf-8-sig"), "utf-8-sig"
    for bom, name in ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
                      (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):  # fmt: skip
        if raw.startswith(bom):
            return _strict(raw[len(bom) :], name), name
    # UTF-16 without a BOM: every other byte of plain text is a NUL.
    head = raw[:4096]
    half = max(len(head) // 2, 1)
    even, odd = head[0::2].count(0) / half, head[1::2].count(0) / half
    if odd > 0.3 and even < 0.05:
        return _strict(raw, "utf-16-le"), "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return _strict(raw, "utf-16-be"), "utf-16-be"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw[:SNIFF_CHARS]:
        raise FinetuneError(NOT_A_SPREADSHEET)
    try:
        text = raw.decode("gb18030")
        if _looks_chinese(text[:SNIFF_CHARS]):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    return _strict(raw, "cp1252"), "cp1252"


def _strict(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise FinetuneError(UNREADABLE)


def _looks_chinese(text: str) -> bool:
    """True for real GBK text, false for Windows-1252 text that happens to decode as GBK.

    Common Chinese characters are two bytes of 0xA1 or more, in runs; an accented Latin
    letter followed by a plain one decodes to a character with a second byte below 0x80,
    sitting inside a Latin word.
    """
    counts = Counter(ch for ch in text if ord(ch) > 127)
    cjk = sum(n for ch, n in counts.items() if CJK.match(ch))
    if not cjk:
        return False
    common = sum(n for ch, n in counts.items() if _gb2312_like(ch))
    in_words = len(CJK_IN_LATIN_WORD.findall(text))
    return common >= 0.5 * sum(counts.values()) and in_words < 0.5 * cjk


def _gb2312_like(ch: str) -> bool:
    encoded = ch.encode("gb18030")
    return len(encoded) == 2 and encoded[1] >= 0xA1


def sniff_delimiter(sample: str, *, complete: bool, suffix: str) -> str:
    """The delimiter that splits the sample's rows into the same number of cells most often.

    1. Parse the sample's first rows with each candidate (quotes respected), ignoring lines
       above the first row of the usual width (a title).
    2. Keep candidates giving two or more cells on at least 80% of rows; prefer the most
       consistent, then the most cells; the file suffix and csv.Sniffer's pick break ties.
    3. With no such candidate the file has one column: use a delimiter it does not contain.
    """
    if not complete:  # the last row may be cut in the middle
        sample = sample[: sample.rfind("\n") + 1] or sample
    try:
        sniffed = csv.Sniffer().sniff(sample[:8192], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    hint = "\t" if suffix == ".tsv" else None
    scores = {}
    for order, d in enumerate(DELIMITERS):
        try:
            rows = list(csv.reader(io.StringIO(sample), delimiter=d))
        except csv.Error:
            continue
        counts = [len(r) for r in rows if any(c.strip() for c in r)][:SNIFF_ROWS]
        if counts:
            width, hits = Counter(counts).most_common(1)[0]
            counts = counts[counts.index(width) :]  # a title line above the table is fine
            scores[d] = (width, hits / len(counts), d == hint, d == sniffed, -order)
    good = {d: s for d, s in scores.items() if s[0] >= 2 and s[1] >= 0.8}
    if good:
        return max(good, key=lambda d: (good[d][1] >= 0.95, good[d][0], *good[d][1:]))
    single = {d: s for d, s in scores.items() if s[0] == 1}
    if single:
        return max(single, key=lambda d: (single[d][1], single[d][2], single[d][4]))
    return max(scores, key=lambda d: scores[d][1:]) if scores else ","


def first_row_width(text: str, delimiter: str) -> int:
    """Cells in the first line (quotes respected)."""
    end = text.find("\n")
    first_line = text if end < 0 else text[:end]
    try:
        return len(next(csv.reader([first_line], delimiter=delimiter), []))
    except csv.Error:
        return first_line.count(delimiter) + 1


def parse_delimited(
    text: str, delimiter: str, limit: int, max_columns: int | None = None
) -> pd.DataFrame:
    """Every record as a row of str cells (blank lines kept, so row numbers stay right).

    TooWide when a row has more than `max_columns` cells, found before the frame is built.
    """
    try:
        # As UTF-8 bytes: pandas' C parser reads those faster than a str.
        frame = pd.read_csv(
            io.BytesIO(text.encode("utf-8")), encoding="utf-8", sep=delimiter, header=None,
            dtype=str, keep_default_na=False,
            na_filter=False, skip_blank_lines=False, nrows=limit, engine="c",
        )  # fmt: skip
        return frame.fillna("")
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        pass  # rows of different lengths, or a blank first line: the csv module copes
    try:
        rows = []
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        raise FinetuneError(NOT_A_SPREADSHEET)
    width = max((len(r) for r in rows), default=0)
    if max_columns is not None and width > max_columns:
        raise TooWide(width)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)
