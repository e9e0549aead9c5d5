"""Hostile uploads: a tiny workbook claiming a huge sheet, thousands of columns, NUL bytes in
names and cells, and failures while saving. Each ends in a plain sentence or a clean page,
and no file is ever left behind without its row.

CI runs this file on PostgreSQL too (DATABASE_URL=postgres://...), where a NUL in a text or
JSON value used to answer 500.
"""

from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse

from finetune.sheetsize import cell_name
from tests.data.make_workbooks import xlsx_cells
from tests.webapp.base import BaseTestCase
from webapp.spreadsheets.models import Spreadsheet


def thirty_rows(header=("review", "sentiment"), **far) -> dict[str, str]:
    cells = {"A1": header[0], "B1": header[1]}
    for r in range(2, 32):
        cells |= {f"A{r}": f"review number {r}, long enough to be a text", f"B{r}": "ab"[r % 2]}
    return cells | far


class HostileUploadTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def assertRefused(self, response, sentence: str):
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, sentence)
        self.assertFalse(Spreadsheet.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_it_refuses_a_tiny_workbook_with_a_cell_at_xfd1048576(self):
        response = self.upload(xlsx_cells(thirty_rows(XFD1048576="x")), "tiny.xlsx")
        self.assertRefused(response, "This sheet has more than 1,000,000 rows")

    def test_it_refuses_a_tiny_workbook_with_a_cell_at_z1000000(self):
        response = self.upload(xlsx_cells(thirty_rows(Z1000000="x")), "tiny.xlsx")
        self.assertRefused(response, "This sheet is too large to read")

    def test_it_refuses_20000_columns_saying_the_limit(self):
        cells = {
            cell_name(r, c): f"c{c}" if r == 0 else "x" for r in range(3) for c in range(20_000)
        }
        response = self.upload(xlsx_cells(cells), "wide.xlsx")
        self.assertRefused(response, "This sheet has 20,000 columns")
        self.assertContains(response, "LabelTune reads at most 500.")
        self.assertLess(len(response.content), 50_000)

    def test_it_refuses_a_csv_with_20000_columns(self):
        content = ",".join(f"c{i}" for i in range(20_000)) + "\n" + ",".join(["x"] * 20_000)
        response = self.upload(content.encode(), "wide.csv")
        self.assertRefused(
            response,
            "This sheet has 20,000 columns; LabelTune reads at most 500. "
            "Remove the columns you don&#x27;t need and upload it again.",
        )

    def test_it_takes_nul_bytes_in_a_column_name_a_label_and_a_text(self):
        cells = thirty_rows(header=("re\x00view", "senti\x00ment"))
        cells |= {"A2": "a text with a NUL\x00 inside", "B3": "b\x00"}
        response = self.upload(xlsx_cells(cells), "nul.xlsx")
        spreadsheet = Spreadsheet.objects.get()
        url = reverse("spreadsheets:detail", args=[spreadsheet.uuid])
        self.assertRedirects(response, url)
        self.assertEqual(spreadsheet.columns, ["review", "sentiment"])

        page = self.client.get(url)
        self.assertContains(page, "a text with a NUL inside")
        mapping = {"task": "single_label", "text_column": "review", "label_column": "sentiment"}
        self.assertRedirects(self.client.post(url, mapping), url)
        spreadsheet.refresh_from_db()
        self.assertEqual(spreadsheet.mapping["label"], "sentiment")
        self.assertIn(
            "4 cells contained invisible control characters; LabelTune removed them.",
            spreadsheet.health["warnings"],
        )
        self.assertContains(self.client.get(url), "invisible control characters")

    def test_it_leaves_no_file_when_saving_the_row_fails(self):
        upload = SimpleUploadedFile("reviews.xlsx", xlsx_cells(thirty_rows()))
        with mock.patch.object(Spreadsheet, "save", side_effect=DatabaseError("disk I/O error")):
            with self.assertRaises(DatabaseError):
                Spreadsheet.create_from_upload(self.alice_team, self.alice, upload)
        self.assertFalse(Spreadsheet.objects.exists())
        self.assertEqual(self.stored_files(), [])

    def test_it_leaves_no_file_when_the_request_is_stopped_while_reading(self):
        # gunicorn stops a request that runs past its timeout with SystemExit in the worker.
        upload = SimpleUploadedFile("reviews.xlsx", xlsx_cells(thirty_rows()))
        with mock.patch("webapp.spreadsheets.models.read_table", side_effect=SystemExit(1)):
            with self.assertRaises(SystemExit):
                Spreadsheet.create_from_upload(self.alice_team, self.alice, upload)
        self.assertEqual(self.stored_files(), [])
