"""Invisible control characters (NUL and the other C0 controls) are removed when a file is
read, counted, and mentioned in the health report; tab, line feed and carriage return stay.

PostgreSQL refuses a NUL in a text or JSON value, so a column name or label holding one used
to answer 500 on the mapping page, and texts holding one broke the downloads.
"""

from finetune.data import read_table
from finetune.health import check
from finetune.mapping import ColumnMapping
from tests.data.make_workbooks import xlsx_cells


def nul_workbook(tmp_path):
    cells = {"A1": "re\x00view", "B1": "label\x1f"}
    for r in range(2, 32):
        text = f"review\x00 number {r}\tand a tab" if r == 2 else f"review number {r}"
        cells |= {f"A{r}": text, f"B{r}": "go\x00od" if r % 2 else "bad\x01"}
    path = tmp_path / "nul.xlsx"
    path.write_bytes(xlsx_cells(cells))
    return path


def test_it_removes_control_characters_from_headers_and_cells(tmp_path):
    table = read_table(nul_workbook(tmp_path))
    assert table.columns == ["review", "label"]
    assert table.frame["review"][0] == "review number 2\tand a tab"
    assert set(table.frame["label"]) == {"good", "bad"}
    assert "\x00" not in "".join(table.frame.to_numpy().ravel())


def test_it_counts_the_cells_it_cleaned(tmp_path):
    table = read_table(nul_workbook(tmp_path))
    assert table.cleaned_cells == 2 + 1 + 30  # headers, one text, every label


def test_it_cleans_text_files_too(tmp_path):
    path = tmp_path / "nul.csv"
    rows = [
        f"review number {i} with enough words to look like text,{'ab'[i % 2]}" for i in range(2000)
    ]
    rows[1500] = "a text with a NUL\x00 inside,a"
    path.write_text("text,label\r\n" + "\r\n".join(rows) + "\r\n")
    table = read_table(path)
    assert table.frame["text"][1500] == "a text with a NUL inside"
    assert table.cleaned_cells == 1


def test_it_counts_nothing_for_a_clean_file(tmp_path):
    path = tmp_path / "clean.csv"
    path.write_text('text,label\nline one\ttabbed,a\n"two\nlines",b\n')
    table = read_table(path)
    assert table.cleaned_cells == 0
    assert table.frame["text"].tolist() == ["line one\ttabbed", "two\nlines"]


def test_the_health_report_says_so(tmp_path):
    table = read_table(nul_workbook(tmp_path))
    report = check(table, ColumnMapping(text="review", label="label"), task="single_label")
    assert "33 cells contained invisible control characters; LabelTune removed them." in (
        report.warnings
    )
