"""A text file reads into exactly the Table the slow, obvious reading gives, whichever way
finetune.data takes: pandas reading the file itself (in parallel threads when it is large),
pandas reading from memory (other encodings, more lines than rows allowed), or the csv
module (ragged rows, a blank first line).

The obvious reading: Python's codecs, the csv module, and a loop per row and per column.
"""

import csv
import io
from unittest import mock

import pandas as pd
import pytest

from finetune import data
from finetune.data import INVISIBLE, Table, read_table
from finetune.textfiles import parse_delimited

CASES = {
    "quoted newlines": (
        'text,label\r\n"two\nlines, one cell",pos\r\n"crlf\r\ninside",neg\r\n'
        '"say ""hi""",pos\r\n"",\r\nlast,neg\r\n',
        "utf-8", ",",
    ),
    "ragged rows": (
        "text,label\nshort\n" + "review,pos\n" * 9 + "long,neg,extra,more\n\nlast,pos\n",
        "utf-8", ",",
    ),
    "blank rows, columns and spaces": (
        "\n,,,\n,text,\u3000,label\n,one, ,a\n\n, \t,\xa0,\n,two,,b\n,,,\n , ,\u2003, \n,three,,c\n",
        "utf-8", ",",
    ),
    "header cells of spaces": ("text,\u3000, ,label\none,,,a\ntwo,,\t,b\n", "utf-8", ","),
    "a blank first line": ("\ntext;label\nun;a\ndeux;b\n", "utf-8", ";"),
    "old mac line endings": ("text|label\rone|a\r\rtwo|b\r", "utf-8", "|"),
    "ragged, old mac": ("text;label\r" + "un;a\r" * 9 + "deux;b;c\r\r\"x\ry\";z\r", "utf-8", ";"),
    "BOM and CRLF": ("text,label\r\nGrüße,pos\r\n\r\n\"a, b\",neg\r\n", "utf-8-sig", ","),
    "two BOMs": ("\ufefftext,label\none,a\n", "utf-8-sig", ","),
    "UTF-16 with BOM": ("text\tlabel\r\nfirst\tpos\r\n\t\r\n中文\tneg\r\n", "utf-16-le", "\t"),
    "Windows-1252": ("Kommentar;Bewertung\nGröße passt;positiv\n;\nCafé – déçu;négatif\n", "cp1252", ";"),
    "GB18030": ("文本,标签\n这部电影很好看,正面\n,\n太无聊了,负面\n", "gb18030", ","),
    "control characters": (
        "te\x01xt,label\x1f\none\x01,a\n\x02,\x03\n" + "a longer review,b\n" * 30
        + "two,b\x0b\nform\x0cfeed,a\n",
        "utf-8", ",",
    ),
}  # fmt: skip


def encoded(text: str, encoding: str) -> bytes:
    if encoding == "utf-16-le":
        return b"\xff\xfe" + text.encode(encoding)
    return text.encode(encoding)


def plain_table(path, encoding: str, delimiter: str) -> Table:
    """The Table, read the slow and obvious way."""
    text = path.read_bytes().decode(encoding).removeprefix("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    cleaned = sum(bool(INVISIBLE.search(cell)) for row in rows for cell in row)
    width = max(len(row) for row in rows)
    rows = [[INVISIBLE.sub("", cell) for cell in row] + [""] * (width - len(row)) for row in rows]
    numbered = [(i + 1, row) for i, row in enumerate(rows) if any(c.strip() for c in row)]
    keep = [j for j in range(width) if any(row[j].strip() for _, row in numbered)]
    (_, header), *body = numbered
    names = data._column_names([header[j] for j in keep], keep)
    frame = pd.DataFrame([[row[j] for j in keep] for _, row in body], columns=names, dtype=str)
    return Table(frame, [], None, encoding, delimiter, [n for n, _ in body], cleaned)


def assert_same(got: Table, want: Table) -> None:
    pd.testing.assert_frame_equal(got.frame, want.frame)
    assert got.row_numbers == want.row_numbers
    assert (got.encoding, got.delimiter) == (want.encoding, want.delimiter)
    assert got.cleaned_cells == want.cleaned_cells


@pytest.mark.parametrize("case", CASES)
def test_it_reads_tricky_files_as_the_plain_reading_does(tmp_path, case):
    text, encoding, delimiter = CASES[case]
    path = tmp_path / "tricky.csv"
    path.write_bytes(encoded(text, encoding))
    assert_same(read_table(path), plain_table(path, encoding, delimiter))


def big_file(path, quoted_every: int) -> None:
    """6 MB, over pandas' 5 MB for reading in parallel: line breaks quoted inside a cell,
    between what looks like rows (its chunks may start there), blank rows, spaces, CRLF."""
    lines, size, i = ["id,text,label,note"], 0, 0
    while size < 6 * 1024 * 1024:
        text = f"review {i}\r\n" + f"{i:07d},fake,pos,x\r\n" * 10
        text = f'"{text}"' if i % quoted_every == 0 else f"review {i} " * 6
        lines.append(f"{i:07d},{text},{'pos' if i % 3 else 'neg'},{' ' if i % 5 else 'x'}")
        if i % 1000 == 999:
            lines.append(",,,")
        size, i = size + len(lines[-1]) + 2, i + 1
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


@pytest.mark.parametrize("quoted_every", [97, 3])  # chunks likely whole; surely cut in cells
def test_it_reads_a_large_file_as_the_plain_reading_does(tmp_path, quoted_every):
    path = tmp_path / "big.csv"
    big_file(path, quoted_every)
    assert_same(read_table(path), plain_table(path, "utf-8", ","))


def test_it_reads_more_lines_than_rows_allowed_when_records_span_lines(tmp_path):
    path = tmp_path / "lines.csv"
    rows = "".join(f'"line one of {i}\nline two",{i % 2}\n' for i in range(1200))
    path.write_text("text,label\n" + rows, encoding="utf-8")
    table = read_table(path, max_rows=1200)  # 2,401 lines, 1,201 records
    assert_same(table, plain_table(path, "utf-8", ","))


def test_it_parses_the_bytes_it_checked_when_the_file_changes_meanwhile(tmp_path):
    path = tmp_path / "moving.csv"
    path.write_text("text,label\none,a\ntwo,b\n", encoding="utf-8")
    want = plain_table(path, "utf-8", ",")
    to_utf8 = data.to_utf8

    def then_rewritten(raw):
        checked = to_utf8(raw)
        path.write_text("text,label\nswapped\x00,z\nafter,y\nthe,x\ncheck,w\n", encoding="utf-8")
        return checked

    with mock.patch.object(data, "to_utf8", then_rewritten):
        assert_same(read_table(path), want)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_it_parses_no_more_than_the_limit_whichever_way_it_reads(tmp_path, ending):
    path = tmp_path / "long.csv"
    path.write_bytes(ending.join(f"row {i},{i}" for i in range(100)).encode())
    for file in (path, None):
        raw = parse_delimited(path.read_bytes(), ",", 10, file=file)
        assert raw[0].tolist() == [f"row {i}" for i in range(10)]
