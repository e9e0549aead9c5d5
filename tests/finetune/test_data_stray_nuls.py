"""A text file holding a few NULs is text: it is read in every encoding and its NULs are
removed from the cells they sat in. A binary file (a program, random bytes, a zip, a PDF, an
image) is still refused, told apart by the share of control characters, not by one byte
(PNG, PDF and zip files keep their own messages: tests/finetune/test_data_errors.py).
"""

import random
import sys
from pathlib import Path

import pytest

from finetune.data import read_table
from finetune.errors import FinetuneError

ROWS = [["review", "label"], ["Great value, would buy again", "pos"], ["Not for me", "neg"],
        ["Arrived late and broken", "neg"]]  # fmt: skip
CHINESE = [["文本", "标签"], ["这部电影很好看，演员的表演非常精彩", "正面"],
           ["太无聊了，我看了一半就走了", "负面"], ["还可以吧，不过结局有点仓促", "中性"]]  # fmt: skip
NOT_READABLE = "This file is not a spreadsheet we can read."


def with_nuls(rows):
    """The rows with a NUL in a column name, in a text and at the end of a label."""
    dirty = [list(row) for row in rows]
    dirty[0][0] = dirty[0][0][:2] + "\x00" + dirty[0][0][2:]
    dirty[1][0] = dirty[1][0][:4] + "\x00" + dirty[1][0][4:]
    dirty[2][1] += "\x00"
    return dirty


def write(path: Path, rows, encoding: str, bom: bytes = b"", delimiter: str = "\t") -> Path:
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    path.write_bytes(bom + text.encode(encoding))
    return path


def refused(path: Path) -> str:
    with pytest.raises(FinetuneError) as err:
        read_table(path)
    return str(err.value)


def test_it_reads_a_small_csv_with_one_stray_nul(tmp_path):
    path = tmp_path / "reviews.csv"
    path.write_bytes(b"review,label\ngood film\x00,pos\nbad film,neg\n")
    table = read_table(path)
    assert table.columns == ["review", "label"]
    assert table.frame.values.tolist() == [["good film", "pos"], ["bad film", "neg"]]
    assert table.cleaned_cells == 1


@pytest.mark.parametrize(
    "rows, encoding, bom",
    [
        (ROWS, "utf-8", b""),
        (ROWS, "utf-8", b"\xef\xbb\xbf"),
        (ROWS, "cp1252", b""),
        (CHINESE, "gb18030", b""),
        (ROWS, "utf-16-le", b"\xff\xfe"),
        (CHINESE, "utf-16-be", b"\xfe\xff"),
        (ROWS, "utf-16-le", b""),
        (CHINESE, "utf-16-le", b""),
        (CHINESE, "utf-16-be", b""),
    ],
)
def test_it_reads_a_few_nuls_in_every_encoding(tmp_path, rows, encoding, bom):
    table = read_table(write(tmp_path / "reviews.txt", with_nuls(rows), encoding, bom))
    assert table.columns == rows[0]
    assert table.frame.values.tolist() == rows[1:]
    assert table.cleaned_cells == 3


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_it_reads_chinese_utf16_without_a_bom(tmp_path, encoding):
    # Few of its bytes are NUL (only the delimiters' and line breaks'), all on one side.
    table = read_table(write(tmp_path / "reviews.csv", CHINESE, encoding, delimiter=","))
    assert table.columns == CHINESE[0]
    assert table.frame.values.tolist() == CHINESE[1:]
    assert table.encoding == encoding


def test_it_refuses_a_program(tmp_path):
    program = Path(sys.executable).resolve().read_bytes()[:200_000]  # a real executable
    (tmp_path / "python.csv").write_bytes(program)
    assert refused(tmp_path / "python.csv").startswith(NOT_READABLE)
    # Without its first bytes, the share of control characters gives it away.
    (tmp_path / "headless.csv").write_bytes(program[64:])
    assert refused(tmp_path / "headless.csv").startswith(NOT_READABLE)


@pytest.mark.parametrize("size", [300, 4096, 100_000])
def test_it_refuses_random_bytes(tmp_path, size):
    (tmp_path / "junk.csv").write_bytes(random.Random(size).randbytes(size))
    assert refused(tmp_path / "junk.csv").startswith(NOT_READABLE)


def test_it_refuses_text_drowned_in_nuls(tmp_path):
    (tmp_path / "padded.csv").write_bytes(b"review,label\n" + bytes(5000) + b"good,pos\n")
    assert refused(tmp_path / "padded.csv").startswith(NOT_READABLE)
