"""Numbers in sentences agree with their nouns: "1 row", never "1 rows"."""

import re

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from webapp.runs.models import TrainingRun

ONE_PLURAL = re.compile(r"\b1 (rows|texts|labels|values)\b")


class PluralsTestCase(BaseTestCase):
    def assert_no_one_plural(self, html: str):
        self.assertIsNone(ONE_PLURAL.search(html), ONE_PLURAL.search(html))

    def test_it_says_one_row_on_the_data_check(self):
        sheet = self.make_spreadsheet()
        sheet.row_count = 1
        sheet.health = {
            "rows_total": 1, "rows_used": 1, "labels": [{"label": "spam", "count": 1}],
            "duplicate_texts": 1, "truncated": 1, "numbers": None,
            "problems": ["Only 1 row can be used for training; at least 10 are needed."],
            "warnings": [],
        }  # fmt: skip
        sheet.save()
        self.client.force_login(self.alice)
        html = self.client.get(reverse("spreadsheets:detail", args=[sheet.uuid])).content.decode()
        self.assert_no_one_plural(html)
        for words in ("of 1 row will be used", "different label<", "row repeats an earlier",
                      "text longer than the model reads"):  # fmt: skip
            self.assertIn(words, html)

    def test_it_says_one_test_row_on_a_finished_run(self):
        run = TrainingRun.objects.create(
            team=self.alice_team, name="Tiny", task="single_label", status="finished",
            mapping={"text": "t", "label": "l"},
            metrics={"test_rows": 1, "test_correct": 1, "test_accuracy": 1.0, "test_macro_f1": 1.0},
        )  # fmt: skip
        self.client.force_login(self.alice)
        html = self.client.get(reverse("runs:detail", args=[run.uuid])).content.decode()
        self.assertIn("correct on 1 of 1 test row.", html)
        self.assert_no_one_plural(html)
