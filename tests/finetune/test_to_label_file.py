"""The file of rows to label: written like the file read (CSV stays CSV with its delimiter and
encoding, a workbook stays a workbook), the user's columns kept, an empty label column named
as in the training data, the model's guess, and formula-looking cells made safe."""

import openpyxl
import pandas as pd
import pytest

from finetune.data import read_table
from finetune.predict import Predictor
from finetune.to_label import GUESS, SURE, pick_file

TEXTS = ["great film", '=HYPERLINK("http://x")', "awful plot", "dull acting", "nice story"]


@pytest.fixture(scope="module")
def predictor(trained_run):
    return Predictor.load(trained_run[0].out_dir)


def test_it_writes_a_csv_in_the_delimiter_and_encoding_it_read(predictor, tmp_path):
    source = tmp_path / "new.csv"
    lines = ["id;review;note"] + [f'{i};"{t.replace(chr(34), chr(34) * 2)}";n{i}'
                                  for i, t in enumerate(TEXTS)]  # fmt: skip
    source.write_text("\n".join(lines) + "\n", encoding="utf-16")

    out = tmp_path / "to label.csv"
    assert pick_file(predictor, source, out, rows=10) == len(TEXTS)  # all of them: 5 < 10
    raw = out.read_bytes()
    assert raw.startswith(b"\xff\xfe")  # UTF-16, as read
    text = raw.decode("utf-16")
    assert text.splitlines()[0] == f"id;review;note;sentiment;{GUESS};{SURE}"
    back = read_table(out).frame
    assert '\'=HYPERLINK("http://x")' in back["review"].tolist()  # formula-safe
    assert len(back) == len(TEXTS) and (back["sentiment"] == "").all()
    assert set(back["id"]) == {str(i) for i in range(len(TEXTS))}  # the user's columns kept
    assert back[GUESS].isin(predictor.labels).all()


def test_it_writes_a_workbook_back_as_a_workbook(predictor, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["text"])  # one column of any name: it is the text
    for text in TEXTS:
        book.active.append([text])
    book.save(tmp_path / "new.xlsx")

    out = tmp_path / "to label.xlsx"
    assert pick_file(predictor, tmp_path / "new.xlsx", out, rows=2) == 2
    sheet = openpyxl.load_workbook(out).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    # The text column takes the training data's name, so the file maps as that data did.
    assert rows[0] == ["review", "sentiment", GUESS, SURE]
    assert len(rows) == 3 and all(row[1] in (None, "") for row in rows[1:])
    cells = [row[0] for row in rows[1:]]
    assert all(not str(c).startswith("=") for c in cells)  # formula-safe in a workbook too


def test_it_keeps_columns_already_named_like_its_own(predictor, tmp_path):
    frame = pd.DataFrame({"review": TEXTS[:3], GUESS: ["mine"] * 3})
    frame.to_csv(tmp_path / "new.csv", index=False)
    out = tmp_path / "out.csv"
    pick_file(predictor, tmp_path / "new.csv", out, rows=3)
    back = read_table(out).frame
    assert list(back.columns) == ["review", GUESS, "sentiment", f"{GUESS} (2)", SURE]
    assert (back[GUESS] == "mine").all()
