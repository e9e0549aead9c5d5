"""The empty runs list names the buttons to press by the words they really show."""

import re

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import mapped_spreadsheet


class EmptyRunsListTestCase(BaseTestCase):
    def test_it_names_buttons_that_exist(self):
        self.client.force_login(self.alice)
        page = self.client.get(reverse("runs:list")).content.decode()
        self.assertIn("No training runs yet.", page)
        empty = re.search(r"<p>No training runs yet\..*?</p>", page, re.S)[0]
        named = re.findall(r"“([^”]+)”", empty)
        self.assertTrue(named)

        # The buttons of a spreadsheet whose data check passed: the page the text leads to.
        sheet = mapped_spreadsheet(self)
        detail = self.client.get(reverse("spreadsheets:detail", args=[sheet.uuid]))
        buttons = re.findall(
            r"<(?:button|a class=\"button[^\"]*\")[^>]*>([^<]+)</", detail.content.decode()
        )
        shown = {b.strip().rstrip("→").strip() for b in buttons}
        for name in named:
            self.assertIn(name, shown)
