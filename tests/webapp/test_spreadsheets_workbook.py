"""A workbook with several sheets: the page offers the sheets and re-reads the chosen one."""

import io

from django.urls import reverse
from openpyxl import Workbook

from tests.webapp.base import BaseTestCase
from webapp.spreadsheets.models import Spreadsheet


def two_sheet_workbook() -> bytes:
    book = Workbook()
    notes = book.active
    notes.title = "Notes"
    notes.append(["note", "author"])
    for i in range(6):
        notes.append([f"Remember to check batch {i}", "sam"])
    data = book.create_sheet("Tickets")
    data.append(["ticket text", "team"])
    for i in range(30):
        data.append([f"My invoice number {i} shows the wrong amount, please fix", "billing"])
        data.append([f"The app crashes when I open screen {i} on my phone", "tech"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class WorkbookTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.spreadsheet = self.make_spreadsheet(two_sheet_workbook(), "tickets.xlsx")
        self.url = reverse("spreadsheets:detail", args=[self.spreadsheet.uuid])
        self.client.force_login(self.alice)

    def test_it_reads_the_first_sheet_and_lists_all(self):
        self.assertEqual(self.spreadsheet.sheets, ["Notes", "Tickets"])
        self.assertEqual(self.spreadsheet.sheet, "Notes")
        self.assertEqual(self.spreadsheet.columns, ["note", "author"])

        response = self.client.get(self.url)
        self.assertContains(response, "This workbook has 2 sheets")
        self.assertContains(response, '<option value="Tickets">Tickets</option>', html=True)

    def test_it_shows_another_sheet_without_saving(self):
        response = self.client.get(self.url, {"sheet": "Tickets"})
        self.assertContains(response, "ticket text")
        self.assertContains(response, "My invoice number 0 shows the wrong amount")
        self.assertContains(
            response, '<option value="Tickets" selected>Tickets</option>', html=True
        )
        self.spreadsheet.refresh_from_db()
        self.assertEqual(self.spreadsheet.sheet, "Notes")

    def test_it_saves_the_sheet_with_the_mapping(self):
        response = self.client.post(
            self.url,
            {"sheet": "Tickets", "task": "single_label", "text_column": "ticket text",
             "label_column": "team"},
        )  # fmt: skip
        self.assertRedirects(response, self.url)
        spreadsheet = Spreadsheet.objects.get()
        self.assertEqual(spreadsheet.sheet, "Tickets")
        self.assertEqual(spreadsheet.columns, ["ticket text", "team"])
        self.assertEqual(spreadsheet.row_count, 60)
        self.assertEqual(spreadsheet.health["rows_used"], 60)
        self.assertEqual(self.client.get(self.url).context["sheet"], "Tickets")

    def test_it_ignores_an_unknown_sheet(self):
        response = self.client.get(self.url, {"sheet": "Nope"})
        self.assertEqual(response.context["sheet"], "Notes")
