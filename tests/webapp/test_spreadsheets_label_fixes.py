"""One-click fixes of labels that look wrong: change a row to the suggested label or another
one, drop it, or accept every suggestion above a confidence. Each is a data fix like the
others: listed with Undo, the row leaves the list (and comes back on Undo), and a run
started after it freezes it and trains on the fixed rows."""

import html

from django.urls import reverse

from finetune.fixes import apply_table
from tests.webapp.base import BaseTestCase
from tests.webapp.label_support import LabelIssuesMixin, label_forms
from tests.webapp.runs_support import RedisMixin
from tests.webapp.test_spreadsheets_fixes import TRAIN_FORM, fix_forms
from webapp.runs import jobs
from webapp.runs.models import TrainingRun


class LabelFixesTestCase(LabelIssuesMixin, RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.sheet = self.noisy_sheet()
        self.listed = self.look_for_wrong_labels(self.sheet)
        self.row, self.label = min((i + 2, label) for i, label in self.truth.items())

    def form(self, page: str, action: str, row: int | None = None) -> dict:
        return next(
            f for f in label_forms(page)
            if f["fields"].get("action") == action and f["fields"]["row"] == str(row or self.row)
        )  # fmt: skip

    def test_it_changes_a_row_to_the_suggested_label_undoably_and_freezes_it(self):
        given = "weather"  # the topic after "food": the wrong label the row was given
        page = self.press(self.form(self.listed, "suggested"))
        words = f'Changed the label of row {self.row} from "{given}" to "{self.label}".'
        self.assertIn(words, page)  # the message, and the fix in the list with Undo
        self.sheet.refresh_from_db()
        change = {"row": self.row, "from": given, "to": self.label}
        self.assertEqual(self.sheet.fixes, [{"kind": "relabel_rows", "changes": [change]}])
        self.assertIn("2 rows look wrong among 150 checked", page)
        self.assertNotIn(f'name="row" value="{self.row}"', page)
        table, _, counts = apply_table(
            self.sheet.read(), self.sheet.column_mapping, self.sheet.fixes
        )
        self.assertEqual(counts, [1])
        self.assertEqual(table.frame.topic[self.row - 2], self.label)

        # A run started now freezes the fix and trains on the changed row.
        response = self.client.post(reverse("runs:new", args=[self.sheet.uuid]),
                                    TRAIN_FORM | {"base_model": "local:topic-bert"})  # fmt: skip
        run = TrainingRun.objects.get()
        self.assertRedirects(response, reverse("runs:detail", args=[run.uuid]))
        self.assertEqual(run.fixes, self.sheet.fixes)
        self.assertEqual(jobs.train_run(run.pk), "finished", run.message)
        run_page = self.client.get(reverse("runs:detail", args=[run.uuid])).content.decode()
        self.assertIn(words, html.unescape(run_page))

        # Undo puts the row back on the list; the run keeps its copy.
        raw = self.client.get(reverse("spreadsheets:detail", args=[self.sheet.uuid]))
        undo = next(f for f in fix_forms(raw.content.decode()) if "undo" in f["action"])
        page = self.press(undo)
        self.assertIn(f"Undone: {words}", page)
        self.assertIn("3 rows look wrong among 150 checked", page)
        self.sheet.refresh_from_db()
        run.refresh_from_db()
        self.assertEqual((self.sheet.fixes, len(run.fixes)), ([], 1))

    def test_it_changes_a_row_to_another_label(self):
        form = self.form(self.listed, "other")
        self.assertIn('<option value="sport">sport</option>', form["html"])
        page = self.press(form, label="sport")
        self.assertIn(f'Changed the label of row {self.row} from "weather" to "sport".', page)
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.fixes[0]["changes"][0]["to"], "sport")
        # A label that is not one of the row's choices changes nothing.
        other = self.form(page, "other", row=max(i + 2 for i in self.truth))
        page = self.press(other, label="<b>bold</b>")
        self.assertIn("Pick the label to give this row.", page)
        self.sheet.refresh_from_db()
        self.assertEqual(len(self.sheet.fixes), 1)

    def test_it_drops_a_row(self):
        page = self.press(self.form(self.listed, "drop"))
        self.assertIn(f"Dropped row {self.row}.", page)
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.fixes, [{"kind": "drop_rows", "rows": [self.row]}])
        self.assertEqual(self.sheet.health["rows_used"], 149)
        # The same row again: it is no longer on the list.
        page = self.press(self.form(self.listed, "drop"))
        self.assertIn("That row is no longer on the list.", page)
        self.sheet.refresh_from_db()
        self.assertEqual(len(self.sheet.fixes), 1)

    def test_it_accepts_every_suggestion_above_a_confidence(self):
        lowest = min(int(100 * x["confidence"]) for x in self.sheet.label_checks.get().found.issues)
        at = max(p for p in (90, 80, 70, 60, 50) if p <= lowest)
        self.assertIn(f'<option value="{at}">{at}% sure of (3 rows)</option>', self.listed)
        response = self.client.post(
            reverse("spreadsheets:label_fix_all", args=[self.sheet.uuid]), {"percent": str(at)}
        )
        page = self.page(self.sheet)
        self.assertEqual(response.status_code, 302)
        self.sheet.refresh_from_db()
        [fix] = self.sheet.fixes
        self.assertEqual((fix["kind"], fix["suggested"]), ("relabel_rows", True))
        wrong = {i + 2: label for i, label in self.truth.items()}
        self.assertEqual({c["row"]: c["to"] for c in fix["changes"]}, wrong)
        self.assertRegex(
            page,
            r"Changed the labels of 3 rows to the ones LabelTune suggested \(rows \d+, \d+ and "
            r"\d+\)\.",
        )
        self.assertIn("No label looks wrong any more: each row on the list was fixed.", page)
        # A confidence the page did not offer changes nothing.
        self.client.post(
            reverse("spreadsheets:label_fix_all", args=[self.sheet.uuid]), {"percent": "1"}
        )
        self.sheet.refresh_from_db()
        self.assertEqual(len(self.sheet.fixes), 1)

    def test_it_says_the_list_is_stale_after_other_columns(self):
        url = reverse("spreadsheets:detail", args=[self.sheet.uuid])
        self.client.post(url, {"task": "single_label", "text_column": "topic",
                               "label_column": "text"})  # fmt: skip
        page = self.page(self.sheet)
        self.assertIn("Your data changed since its labels were checked.", page)
        self.assertEqual(label_forms(page), [])
        fix = {"row": str(self.row), "action": "suggested"}
        response = self.client.post(reverse("spreadsheets:label_fix", args=[self.sheet.uuid]), fix)
        self.assertEqual(response.status_code, 302)
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.fixes, [])
