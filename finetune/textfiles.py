"""Text files as a table: find the encoding, the delimiter, and split the rows.

    data, encoding = to_utf8(path.read_bytes())    # "utf-8", "utf-16-le", "gb18030", "cp1252"...
    sample, complete = sample_text(data)           # the first SNIFF_CHARS characters
    looks_binary(sample)                           # a program or random bytes, not a few NULs
    delimiter = sniff_delimiter(sample, complete=complete, suffix=".csv")
    raw = parse_delimited(data, delimiter, limit=1_000_000)   # str cells, blank lines kept

finetune.data.read_table calls these for .csv, .tsv and .txt files and tidies the result.
A UTF-8 file is checked a piece at a time and parsed as it is, never copied as a whole into
a Python str; other encodings are decoded and handed on as UTF-8. Every failure raises
FinetuneError with a plain sentence.
"""

import codecs
import csv
import io
import re
from collections import Counter
from itertools import islice
from pathlib import Path

import numpy as np
import pandas as pd

from finetune.errors import FinetuneError

SNIFF_CHARS = 64 * 1024  # text sample for the delimiter and binary checks
SNIFF_ROWS = 50
CHECK_BYTES = 1024 * 1024  # UTF-8 checked this many bytes at a time
DELIMITERS = (",", "\t", ";", "|")  # in order of preference when the evidence ties
BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Control characters, NUL included (tab, line breaks, vertical tab and form feed are text).
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
# A sample is a binary file, not text with a few stray NULs, when its control characters are
# more than BINARY_SHARE of it and more than BINARY_MIN: random bytes hold about 11%, a
# program far more, a CSV with a few NULs well under (reading removes them).
BINARY_SHARE = 0.05
BINARY_MIN = 8
PROGRAM_MAGIC = ("\x7fELF", "MZ\x90\x00", "\xcf\xfa\xed\xfe", "\xca\xfe\xba\xbe", "\x00asm")
UTF16_MIN_NULS = 4  # a header and one row hold at least two delimiters and two line breaks
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


def to_utf8(raw: bytes) -> tuple[bytes, str]:
    """The file's text as UTF-8 bytes without a BOM, and the encoding it was in (tried
    strictly, most telling first: a BOM, UTF-16's NUL bytes, UTF-8, GB18030, Windows-1252)."""
    encoding, start = _marked_encoding(raw) or ("utf-8", 0)
    if encoding.startswith("utf-8"):
        if _is_utf8(raw, start):
            return (raw[start:] if start else raw), encoding
        if start:
            raise FinetuneError(UNREADABLE)
        text, encoding = _decode_legacy(raw)
    else:
        text = _strict(raw[start:], encoding)
    return text.encode("utf-8"), encoding


def _marked_encoding(raw: bytes) -> tuple[str, int] | None:
    """The encoding a BOM or UTF-16's NUL bytes announce, and where the text starts."""
    for bom, name in BOMS:
        if raw.startswith(bom):
            return name, len(bom)
    # UTF-16 without a BOM: the NUL bytes of its ASCII characters (delimiters, line breaks,
    # digits; all of plain English) sit on one side of each byte pair, and its line breaks
    # fall on whole pairs. A binary file has NULs on both sides and many pairs of them (a
    # stray NUL character is one pair); a UTF-8 file with a stray NUL has too few.
    pairs = min(len(raw), 4096) // 2
    head = raw[: 2 * pairs]
    nul = np.frombuffer(head, dtype=np.uint8).reshape(-1, 2) == 0
    even = int(np.count_nonzero(nul[:, 0] & ~nul[:, 1]))
    odd = int(np.count_nonzero(nul[:, 1] & ~nul[:, 0]))
    both = int(np.count_nonzero(nul[:, 0] & nul[:, 1]))
    for name, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if nuls >= max(UTF16_MIN_NULS, 0.05 * pairs) and other <= nuls / 4 and both <= nuls / 2:
            if set("\r\n") & set(head.decode(name, errors="replace")):
                return name, 0
    return None


def _is_utf8(raw: bytes, start: int) -> bool:
    """Whether raw[start:] is UTF-8, checked a piece at a time (no decoded copy of it all)."""
    check, view = codecs.getincrementaldecoder("utf-8")().decode, memoryview(raw)
    try:
        for at in range(start, len(raw), CHECK_BYTES):
            check(view[at : at + CHECK_BYTES])
        check(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decode_legacy(raw: bytes) -> tuple[str, str]:
    """Text that is not Unicode: GB18030 when it reads as Chinese, else Windows-1252."""
    if looks_binary(raw[:SNIFF_CHARS].decode("latin-1")):  # one character per byte
        raise FinetuneError(NOT_A_SPREADSHEET)
    try:
        text = raw.decode("gb18030")
        if _looks_chinese(text[:SNIFF_CHARS]):
            return text, "gb18030"
    except UnicodeDecodeError:
        pass
    return _strict(raw, "cp1252"), "cp1252"


def looks_binary(sample: str) -> bool:
    """Whether a file's first characters are a binary file's (a program, random bytes) rather
    than text holding a few stray control characters, which reading removes from its cells."""
    if sample.startswith(PROGRAM_MAGIC):
        return True
    controls = len(CONTROL_CHARS.findall(sample))
    return controls > max(BINARY_MIN, BINARY_SHARE * len(sample))


def sample_text(data: bytes) -> tuple[str, bool]:
    """The first SNIFF_CHARS characters of UTF-8 `data`, and whether that is all of it."""
    head = data[: 4 * SNIFF_CHARS]  # a character is at most 4 bytes
    whole = len(head) == len(data)
    text = codecs.utf_8_decode(head, "strict", whole)[0]  # a character cut at the end waits
    return text[:SNIFF_CHARS], whole and len(text) <= SNIFF_CHARS


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
        rows = csv.reader(io.StringIO(sample, newline=""), delimiter=d)
        try:  # the first SNIFF_ROWS rows that are not blank
            counts = list(islice((len(r) for r in rows if any(c.strip() for c in r)), SNIFF_ROWS))
        except csv.Error:
            continue
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


def first_row_width(data: bytes, delimiter: str) -> int:
    """Cells in the first line of UTF-8 `data` (quotes respected)."""
    end = data.find(b"\n")
    first_line = (data if end < 0 else data[:end]).decode("utf-8")
    try:
        return len(next(csv.reader([first_line], delimiter=delimiter), []))
    except csv.Error:
        return first_line.count(delimiter) + 1


def parse_delimited(
    data: bytes,
    delimiter: str,
    limit: int,
    max_columns: int | None = None,
    file: Path | None = None,
) -> pd.DataFrame:
    """The first `limit` records of UTF-8 `data`, each a row of str cells (blank lines kept,
    so row numbers stay right; a short row is filled with "").

    `file`: a file holding `data`, after a UTF-8 BOM if any. pandas then reads that file, in
    parallel threads when it is large (it cannot from memory), once a count of the lines
    shows that it holds no more than `limit` records.
    TooWide when a row has more than `max_columns` cells, found before the frame is built.
    """
    bounded = most_records(data) <= limit
    # pandas drops one BOM from the start: from the file's, or from `data` when it has one.
    on_disk = file is not None and bounded and not data.startswith(codecs.BOM_UTF8)
    try:
        # na_filter=False: no cell becomes NaN, a missing one is "" (nothing to fill after).
        return pd.read_csv(
            file if on_disk else io.BytesIO(data), encoding="utf-8",
            sep=delimiter, header=None, dtype=str, keep_default_na=False, na_filter=False,
            skip_blank_lines=False, nrows=None if bounded else limit, engine="c",
        )  # fmt: skip
    except (pd.errors.ParserError, pd.errors.EmptyDataError):
        pass  # rows of different lengths, or a blank first line: the csv module copes
    try:
        rows = []
        lines = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline="")
        for row in csv.reader(lines, delimiter=delimiter):
            rows.append(row)
            if len(rows) >= limit:
                break
    except csv.Error:
        raise FinetuneError(NOT_A_SPREADSHEET)
    width = max((len(r) for r in rows), default=0)
    if max_columns is not None and width > max_columns:
        raise TooWide(width)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows], dtype=str)


def most_records(data: bytes) -> int:
    """The lines of `data`, ended by LF, CRLF or a lone CR as pandas reads them: no fewer
    than its records, as a record is a line or more (a quoted cell may hold line breaks)."""
    codes = np.frombuffer(data, dtype=np.uint8)
    lines = int(np.count_nonzero(codes == ord("\n"))) + 1
    if b"\r" in data:
        returns = codes == ord("\r")
        crlf = np.count_nonzero(returns[:-1] & (codes[1:] == ord("\n")))
        lines += int(np.count_nonzero(returns)) - int(crlf)
    return lines
