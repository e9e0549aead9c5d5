"""The Train page counts the rows the run will learn from: after the spreadsheet's fixes and
without the rows the data check skips, not the rows of the file."""

import json

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import rows

CHECK = {"task": "single_label", "text_column": "review", "label_column": "sentiment"}


def sheet_csv() -> bytes:
    """50 rows: 44 to learn from, 4 repeating earlier rows, 2 without a label."""
    body = rows(44) + rows(44)[:4] + [("no label here", ""), ("nor here", "")]
    lines = ["review,sentiment"] + [f'"{text}",{label}' for text, label in body]
    return ("\n".join(lines) + "\n").encode()


class NewRunRowCountTestCase(BaseTestCase):
    def test_it_counts_the_rows_left_after_the_fixes(self):
        self.client.force_login(self.alice)
        sheet = self.make_spreadsheet(sheet_csv())
        detail = reverse("spreadsheets:detail", args=[sheet.uuid])
        self.client.post(detail, CHECK)
        train = reverse("runs:new", args=[sheet.uuid])
        page = self.client.get(train)
        self.assertContains(page, "48 rows to learn from.")
        self.assertNotContains(page, "50 rows")

        fix = {"fix": json.dumps({"kind": "drop_duplicates"})}
        self.client.post(reverse("spreadsheets:fix_apply", args=[sheet.uuid]), fix)
        sheet.refresh_from_db()
        self.assertEqual(sheet.fixes, [{"kind": "drop_duplicates"}])
        page = self.client.get(train)
        self.assertContains(page, "44 rows to learn from after your fixes.")
        self.assertNotContains(page, "50 rows")
