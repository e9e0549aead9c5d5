"""Text files in every encoding Excel and other programs write are read back exactly."""

import pytest

from finetune.data import read_table
from finetune.errors import FinetuneError

ROWS = [["text", "label"], ["Great value, would buy again", "NA"], ["Not for me", "None"],
        ["Order 007", "null"]]  # fmt: skip
CHINESE = [["文本", "标签"], ["这部电影很好看，演员的表演非常精彩", "正面"],
           ["太无聊了，我看了一半就走了", "负面"],
           ["还可以吧，不过结局有点仓促", "中性"]]  # fmt: skip
WESTERN = [["Kommentar", "Bewertung"], ["Größe passt, Qualität sehr gut", "positiv"],
           ["São Paulo: ação rápida, señor", "positiv"], ["Café trop sucré – déçu", "négatif"],
           ["“Smart quotes” and … ellipsis", "neutral"]]  # fmt: skip


def write(path, rows, encoding, delimiter=",", bom=b""):
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    path.write_bytes(bom + text.encode(encoding))
    return path


def assert_rows(table, rows):
    assert table.columns == rows[0]
    assert table.frame.values.tolist() == rows[1:]


def quoted(rows):
    return [[f'"{cell}"' if "," in cell else cell for cell in row] for row in rows]


def test_it_reads_utf8_without_bom(tmp_path):
    table = read_table(write(tmp_path / "a.csv", quoted(ROWS), "utf-8"))
    assert_rows(table, ROWS)
    assert table.encoding == "utf-8"
    assert table.delimiter == ","


def test_it_reads_utf8_with_bom(tmp_path):
    table = read_table(write(tmp_path / "a.csv", quoted(ROWS), "utf-8-sig"))
    assert_rows(table, ROWS)  # no "\ufefftext" header
    assert table.encoding == "utf-8-sig"


def test_it_reads_excel_unicode_text_utf16_le_with_bom(tmp_path):
    # Excel's "Unicode Text (*.txt)": UTF-16 LE with a BOM, tab separated.
    table = read_table(write(tmp_path / "a.txt", ROWS, "utf-16-le", "\t", b"\xff\xfe"))
    assert_rows(table, ROWS)
    assert table.encoding == "utf-16-le"
    assert table.delimiter == "\t"


def test_it_reads_utf16_be_with_bom(tmp_path):
    table = read_table(write(tmp_path / "a.txt", CHINESE, "utf-16-be", "\t", b"\xfe\xff"))
    assert_rows(table, CHINESE)
    assert table.encoding == "utf-16-be"


def test_it_reads_utf16_le_without_bom(tmp_path):
    table = read_table(write(tmp_path / "a.tsv", ROWS, "utf-16-le", "\t"))
    assert_rows(table, ROWS)
    assert table.encoding == "utf-16-le"


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_it_reads_chinese_excel_csv(tmp_path, encoding):
    table = read_table(write(tmp_path / "a.csv", CHINESE, encoding))
    assert_rows(table, CHINESE)
    assert table.encoding == "gb18030"


def test_it_reads_windows_1252(tmp_path):
    table = read_table(write(tmp_path / "a.csv", WESTERN, "cp1252", ";"))
    assert_rows(table, WESTERN)
    assert table.encoding == "cp1252"
    assert table.delimiter == ";"


def test_it_reads_short_windows_1252_that_also_decodes_as_gbk(tmp_path):
    rows = [["name", "city"], ["Müller", "São Paulo"], ["Ärzte", "ação"]]
    (tmp_path / "a.csv").write_bytes("name,city\nMüller,São Paulo\nÄrzte,ação\n".encode("cp1252"))
    assert_rows(read_table(tmp_path / "a.csv"), rows)


def test_it_refuses_text_in_an_unknown_encoding(tmp_path):
    # 0x81 and 0x8D mean nothing in Windows-1252, and the bytes are not UTF-8 or GBK text.
    (tmp_path / "a.csv").write_bytes(b"text,label\n\x81\x8d\x81,\x8d\x90\n")
    with pytest.raises(FinetuneError, match='save it as "CSV UTF-8"'):
        read_table(tmp_path / "a.csv")


def test_it_refuses_a_broken_utf16_file(tmp_path):
    (tmp_path / "a.txt").write_bytes(
        b"\xff\xfe" + "text\tlabel\n".encode("utf-16-le") + b"\x00\xd8"
    )
    with pytest.raises(FinetuneError, match="character encoding we cannot read"):
        read_table(tmp_path / "a.txt")
