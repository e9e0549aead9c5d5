"""One-click data fixes on the data check, on real messy spreadsheets, through the web views:
"can't train yet" -> fixes -> ready -> a run that trains on the fixed data (the job runs in
process, as the worker runs it) and whose pages list the fixes it trained with.
"""

import csv
import html
import io
import json
import re

from django.test import override_settings
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import make_tiny_base_model, rows
from webapp.runs import jobs
from webapp.runs.models import TrainingRun
from webapp.spreadsheets.models import Spreadsheet

TRAIN_FORM = {
    "name": "Fixed reviews", "base_model": "local:tiny-bert", "hub_id": "", "epochs": "1",
    "max_length": "32", "learning_rate": "3e-3", "batch_size": "16", "warmup_ratio": "0",
    "weight_decay": "0.01", "patience": "0", "seed": "42", "validation_fraction": "0.1",
    "test_fraction": "0.1", "max_steps": "0", "extend_vocabulary": "auto",
}  # fmt: skip
FIX_FORM = re.compile(
    r'<form method="post" action="(?P<action>[^"]+/fixes/(?:apply|undo)/)".*?</form>', re.S
)


def csv_bytes(header, body) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(body)
    return out.getvalue().encode()


def messy_rows() -> list[tuple[str, str]]:
    """60 clean rows (positive, negative, <script>…) and everything a real sheet gets wrong."""
    body = rows(60)
    body += [(f"lovely story number {i}", "Positive") for i in range(2)]
    body += [(f"great film number {i}", "POSITIVE ") for i in range(2)]
    body += [("", "negative"), ("   ", "positive"), ("dull plot twist", "")]  # empty cells
    body += [body[0], body[1], body[1]]  # exact duplicates
    body += [("the acting was quite something", "positive")] * 1
    body += [("the acting was quite something", "negative")]  # same text, two labels
    body += [("meh whatever", "neutral")]  # a label with one row
    return body


def fix_forms(page: str) -> list[dict]:
    """The fix and undo buttons of a page: each form's URL and the fields it posts."""
    forms = []
    for match in FIX_FORM.finditer(page):
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', match[0]))
        fields = {k: html.unescape(v) for k, v in fields.items() if k != "csrfmiddlewaretoken"}
        forms.append({"action": html.unescape(match["action"]), "fields": fields, "html": match[0]})
    return forms


class FixesTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def check(self, sheet, text, label):
        url = reverse("spreadsheets:detail", args=[sheet.uuid])
        data = {"task": "single_label", "text_column": text, "label_column": label}
        self.assertRedirects(self.client.post(url, data), url)
        return html.unescape(self.client.get(url).content.decode())

    def click(self, sheet, kind: str, **extra) -> str:
        """Press the first button on the data check whose fix is of `kind`; the next page."""
        page = self.client.get(reverse("spreadsheets:detail", args=[sheet.uuid])).content.decode()
        offers = [f for f in fix_forms(page) if f["action"].endswith("/apply/")]
        form = next(f for f in offers if json.loads(f["fields"]["fix"])["kind"] == kind)
        response = self.client.post(form["action"], form["fields"] | extra)
        self.assertEqual(response.status_code, 302)
        return html.unescape(self.client.get(response["Location"]).content.decode())

    def test_it_takes_a_messy_sheet_from_cant_train_to_a_trained_model(self):
        sheet = self.make_spreadsheet(csv_bytes(["review", "sentiment"], messy_rows()))
        original = sheet.path.read_bytes()
        page = self.check(sheet, "review", "sentiment")
        self.assertIn("Training can't start until these are fixed.", page)
        self.assertIn("Use the fixes below", page)
        self.assertIn('Merge the labels "POSITIVE" and "Positive" into "positive".', page)
        self.assertIn("Merge the label “neutral” into", page)
        self.assertNotIn("Choose a model and train", page)

        # 1. One click each, the rare label into the label picked in its list.
        self.click(sheet, "merge_labels")
        page = self.click(sheet, "merge_labels", into="negative")
        self.assertIn('Merged the label "neutral" into "negative" (1 row).', page)
        self.click(sheet, "drop_empty")
        self.click(sheet, "drop_duplicates")
        page = self.click(sheet, "drop_conflicts")  # the first offer: keep the first row
        sheet.refresh_from_db()
        self.assertEqual(
            [f["kind"] for f in sheet.fixes],
            ["merge_labels", "merge_labels", "drop_empty", "drop_duplicates", "drop_conflicts"],
        )
        self.assertIn("Your data is ready for training.", page)
        self.assertIn('Merged the labels "POSITIVE" and "Positive" into "positive" (4 rows).', page)
        self.assertIn("Dropped the rows with an empty text or label (3 rows).", page)
        self.assertIn("(same text, same label) (3 rows).", page)
        self.assertIn(
            "Kept only the first row of each text that appears with different labels (1 row).", page
        )
        self.assertNotIn("Fix it here", page)
        self.assertEqual(sheet.health["rows_used"], 60 + 4 + 1 + 1)
        self.assertEqual(sheet.health["warnings"], [])
        self.assertEqual(sheet.path.read_bytes(), original)  # the file never changes
        download = self.client.get(reverse("spreadsheets:download", args=[sheet.uuid]))
        self.assertEqual(b"".join(download.streaming_content), original)

        # 2. Undo brings the problem back and offers the fix again; do it again.
        page = self.click_undo(sheet)  # the first merge
        self.assertIn("Training can't start", page)
        self.assertIn('The label "Positive" has only 2 rows', page)
        sheet.refresh_from_db()
        self.assertEqual(len(sheet.fixes), 4)
        page = self.click(sheet, "merge_labels")
        self.assertIn("Your data is ready for training.", page)

        # 3. Checking the same columns again keeps the fixes.
        page = self.check(sheet, "review", "sentiment")
        self.assertIn("Your data is ready for training.", page)
        sheet.refresh_from_db()
        self.assertEqual(len(sheet.fixes), 5)

        # 4. Train: the run freezes the fixes; the job applies them to the file it reads.
        folder = self.media_root / "local-models"
        make_tiny_base_model(folder / "tiny-bert")
        with override_settings(LABELTUNE_LOCAL_MODELS_DIR=str(folder)):
            response = self.client.post(reverse("runs:new", args=[sheet.uuid]), TRAIN_FORM)
        run = TrainingRun.objects.get()
        self.assertRedirects(response, reverse("runs:detail", args=[run.uuid]))
        self.assertEqual(run.fixes, sheet.fixes)
        self.assertEqual(jobs.train_run(run.pk), "finished", run.message)
        run.refresh_from_db()
        used = run.metrics["train_rows"] + run.metrics["validation_rows"] + run.metrics["test_rows"]
        self.assertEqual(used, 66)
        labels = json.loads((run.out_dir / "labeltune.json").read_text())["head"]["labels"]
        self.assertNotIn("Positive", labels)
        self.assertNotIn("neutral", labels)
        for url in (reverse("runs:detail", args=[run.uuid]),
                    reverse("catalog:detail", args=[run.model.uuid])):  # fmt: skip
            page = html.unescape(self.client.get(url).content.decode())
            self.assertIn("Trained on the data with these fixes", page)
            self.assertIn('Merged the label "neutral" into "negative".', page)
            self.assertIn("Dropped the rows with an empty text or label.", page)

        # 5. Other columns start afresh: the fixes were for these ones.
        self.check(sheet, "sentiment", "review")
        sheet.refresh_from_db()
        self.assertEqual(sheet.fixes, [])
        run.refresh_from_db()
        self.assertEqual(len(run.fixes), 5)  # the run keeps its copy

    def test_it_offers_to_swap_columns_that_look_swapped(self):
        # The "text" column holds the labels and "label" the reviews.
        body = [(label, f"{text}, said reviewer {i}") for i, (text, label) in enumerate(rows(40))]
        sheet = self.make_spreadsheet(csv_bytes(["text", "label"], body), "swapped.csv")
        page = self.check(sheet, "text", "label")
        self.assertIn("Training can't start", page)
        forms = fix_forms(
            self.client.get(reverse("spreadsheets:detail", args=[sheet.uuid])).content.decode()
        )
        self.assertEqual([json.loads(f["fields"]["fix"])["kind"] for f in forms], ["swap_columns"])
        page = self.click(sheet, "swap_columns")
        self.assertIn(
            'Swapped the text and label columns: "label" is the text, "text" the label.', page
        )
        self.assertIn("Your data is ready for training.", page)
        # The form shows the columns training uses; the run freezes them with the swap.
        self.assertRegex(page, r'<option value="label" selected>')
        sheet.refresh_from_db()
        self.assertEqual(sheet.mapping["text"], "text")  # the user's choice is kept
        self.assertEqual(sheet.fixed_mapping.text, "label")
        with override_settings(LABELTUNE_LOCAL_MODELS_DIR=str(self.media_root)):
            make_tiny_base_model(self.media_root / "tiny-bert")
            self.client.post(reverse("runs:new", args=[sheet.uuid]), TRAIN_FORM)
        run = TrainingRun.objects.get()
        self.assertEqual((run.mapping["text"], run.mapping["label"]), ("label", "text"))
        self.assertEqual(jobs.train_run(run.pk), "finished", run.message)
        # Undo of the swap goes back to the columns picked.
        page = self.click_undo(sheet)
        self.assertIn("Training can't start", page)

    def click_undo(self, sheet) -> str:
        page = self.client.get(reverse("spreadsheets:detail", args=[sheet.uuid])).content.decode()
        undo = next(f for f in fix_forms(page) if "undo" in f["action"])
        response = self.client.post(undo["action"], undo["fields"])
        return html.unescape(self.client.get(response["Location"]).content.decode())

    def test_it_refuses_fixes_the_check_does_not_offer_and_stale_undos(self):
        sheet = self.make_spreadsheet(csv_bytes(["review", "sentiment"], messy_rows()))
        self.check(sheet, "review", "sentiment")
        apply_url = reverse("spreadsheets:fix_apply", args=[sheet.uuid])
        undo_url = reverse("spreadsheets:fix_undo", args=[sheet.uuid])
        for fix in ({"kind": "merge_labels", "into": "eggs", "labels": ["neutral"]},
                    {"kind": "swap_columns"}, "not json", [1]):  # fmt: skip
            body = {"fix": fix if isinstance(fix, str) else json.dumps(fix)}
            response = self.client.post(apply_url, body, follow=True)
            self.assertContains(response, "That fix no longer fits the data check.")
        self.assertEqual(Spreadsheet.objects.get(pk=sheet.pk).fixes, [])
        response = self.client.post(
            undo_url, {"index": "0", "fix": '{"kind": "drop_empty"}'}, follow=True
        )
        self.assertContains(response, "That fix was already undone.")
        self.assertEqual(self.client.get(apply_url).status_code, 405)
