"""A label with too few rows can be dropped from the data check, not only merged: its rows go,
Undo brings them back, and a run trains without it (the fix is frozen on the run)."""

import html
import json

from django.test import override_settings
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import WORDS, make_tiny_base_model, rows
from tests.webapp.test_spreadsheets_fixes import TRAIN_FORM, csv_bytes, fix_forms
from webapp.runs import jobs
from webapp.runs.models import TrainingRun

CHECK = {"task": "single_label", "text_column": "review", "label_column": "sentiment"}
DROP = {"kind": "drop_label", "label": "neutral"}


class DropLabelTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)
        body = rows(60) + [("meh whatever", "neutral")]  # a label with one row
        self.sheet = self.make_spreadsheet(csv_bytes(["review", "sentiment"], body))
        self.url = reverse("spreadsheets:detail", args=[self.sheet.uuid])
        self.client.post(self.url, CHECK)

    def page(self) -> str:
        return html.unescape(self.client.get(self.url).content.decode())

    def press(self, action: str, kind: str) -> str:
        """Press the apply or undo button of the first fix of `kind`; the page after it."""
        raw = self.client.get(self.url).content.decode()
        forms = [f for f in fix_forms(raw) if f["action"].endswith(f"/{action}/")]
        form = next(f for f in forms if json.loads(f["fields"]["fix"])["kind"] == kind)
        response = self.client.post(form["action"], form["fields"])
        self.assertRedirects(response, self.url + "#health", fetch_redirect_response=False)
        return self.page()

    def test_it_drops_a_one_row_label_and_undoes_it(self):
        page = self.page()
        self.assertIn("Training can't start", page)
        self.assertIn('The label "neutral" has only 1 row', page)
        self.assertIn("merge it into another label, or drop it.", page)
        self.assertIn("Drop the label “neutral” and its rows", page)
        self.assertIn("Drop this label</button>", page)

        page = self.press("apply", "drop_label")
        self.assertIn('Dropped the label "neutral".', page)  # the message
        self.assertIn('Dropped the label "neutral" (1 row).', page)  # the fix in use
        self.assertIn("Your data is ready for training.", page)
        self.sheet.refresh_from_db()
        self.assertEqual(self.sheet.fixes, [DROP])
        self.assertEqual(self.sheet.health["rows_used"], 60)
        self.assertNotIn("neutral", [x["label"] for x in self.sheet.health["labels"]])

        page = self.press("undo", "drop_label")
        self.assertIn('Undone: Dropped the label "neutral".', page)
        self.assertIn("Training can't start", page)
        self.sheet.refresh_from_db()
        self.assertEqual((self.sheet.fixes, self.sheet.health["rows_used"]), ([], 61))

    def test_it_trains_without_the_dropped_label(self):
        self.press("apply", "drop_label")
        folder = self.media_root / "local-models"
        make_tiny_base_model(folder / "tiny-bert")
        with override_settings(LABELTUNE_LOCAL_MODELS_DIR=str(folder)):
            self.client.post(reverse("runs:new", args=[self.sheet.uuid]), TRAIN_FORM)
        run = TrainingRun.objects.get()
        self.assertEqual(run.fixes, [DROP])
        self.assertEqual(jobs.train_run(run.pk), "finished", run.message)
        run.refresh_from_db()
        parts = ("train_rows", "validation_rows", "test_rows")
        self.assertEqual(sum(run.metrics[part] for part in parts), 60)
        head = json.loads((run.out_dir / "labeltune.json").read_text())["head"]
        self.assertEqual(head["labels"], sorted(WORDS))  # "neutral" is not one of them
        page = html.unescape(
            self.client.get(reverse("runs:detail", args=[run.uuid])).content.decode()
        )
        self.assertIn('Dropped the label "neutral".', page)
