"""The evaluation page of a finished run: headline, baselines, matrix, rows, downloads."""

import csv
import io
import json
from urllib.parse import urlencode

import openpyxl
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import SCRIPT_LABEL, finished_model
from webapp.runs.evaluation import headline, verdict
from webapp.runs.models import TrainingRun

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


class EvaluationTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice)
        self.run = self.model.run
        self.url = reverse("runs:evaluation", args=[self.run.uuid])
        self.evaluation = json.loads((self.run.out_dir / "evaluation.json").read_text())

    def get(self, user=None, **params):
        self.client.force_login(user or self.alice)
        return self.client.get(self.url + ("?" + urlencode(params) if params else ""))

    def test_it_requires_login(self):
        self.assertRedirects(self.client.get(self.url), f"{reverse('login')}?next={self.url}")

    def test_it_answers_404_to_another_team(self):
        self.assertEqual(self.get(self.bob).status_code, 404)
        for fmt in ("csv", "xlsx"):
            url = reverse("runs:predictions", args=[self.run.uuid, fmt])
            self.assertEqual(self.client.get(url).status_code, 404)

    def test_it_shows_the_headline_and_the_baselines(self):
        metrics = self.run.metrics
        response = self.get()
        self.assertContains(
            response, f"Correct on {metrics['test_correct']} of {metrics['test_rows']} test rows"
        )
        self.assertContains(response, "TF-IDF + logistic regression")
        self.assertContains(response, "Always the most common label")
        self.assertContains(response, verdict(self.run))

    def test_it_puts_the_verdict_in_words(self):
        base = {"baseline_tfidf_macro_f1": 0.80}

        def said(**metrics):
            return verdict(TrainingRun(task="single_label", metrics=base | metrics))

        self.assertIn("Fine-tuning helped", said(test_macro_f1=0.9))
        self.assertIn("about as well", said(test_macro_f1=0.805))
        self.assertIn("baseline did better", said(test_macro_f1=0.7))
        run = TrainingRun(task="single_label", metrics={"test_correct": 91, "test_rows": 100})
        self.assertEqual(headline(run), "Correct on 91 of 100 test rows (91%)")

    def test_it_judges_a_lower_is_better_metric_the_right_way(self):
        run = TrainingRun(task="regression", metrics={"test_rmse": 0.5, "baseline_tfidf_rmse": 0.9})
        self.assertIn("Fine-tuning helped", verdict(run))
        run.metrics = {"test_rmse": 0.9, "baseline_tfidf_rmse": 0.5}
        self.assertIn("baseline did better", verdict(run))

    def test_it_escapes_label_names(self):
        response = self.get()
        self.assertNotContains(response, SCRIPT_LABEL)
        self.assertContains(response, ESCAPED)
        rows = self.get(true=SCRIPT_LABEL, pred=SCRIPT_LABEL)
        self.assertNotContains(rows, SCRIPT_LABEL)

    def test_it_links_matrix_cells_to_their_rows(self):
        labels, matrix = self.evaluation["labels"], self.evaluation["confusion"]
        count, i, j = max((n, i, j) for i, row in enumerate(matrix) for j, n in enumerate(row))
        true, pred = labels[i], labels[j]
        response = self.get()
        self.assertContains(
            response, "?" + urlencode({"true": true, "pred": pred}).replace("&", "&amp;")
        )
        rows = self.get(true=true, pred=pred)
        self.assertContains(rows, f"{count} row{'s' if count != 1 else ''}")
        section = rows.content.decode().split('id="cell-rows"')[1].split("</table>")[0]
        self.assertEqual(section.count("<tr>") - 1, count)  # minus the header row

    def test_it_lists_wrong_answers_with_confidence(self):
        response = self.get()
        wrong = sum(sum(row) for row in self.evaluation["confusion"]) - sum(
            self.evaluation["confusion"][i][i] for i in range(len(self.evaluation["labels"]))
        )
        if wrong:
            self.assertContains(response, f"{wrong} test row")
        else:
            self.assertContains(response, "No wrong answers on the test rows.")

    def test_it_carries_the_training_curves(self):
        self.assertContains(self.get(), 'id="eval-history"')

    def test_it_downloads_test_predictions_as_csv_and_xlsx(self):
        self.client.force_login(self.alice)
        csv_response = self.client.get(reverse("runs:predictions", args=[self.run.uuid, "csv"]))
        self.assertIn("attachment", csv_response["Content-Disposition"])
        text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
        table = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(len(table), self.run.metrics["test_rows"])
        self.assertEqual(
            set(table[0]), {"row", "text", "label", "prediction", "confidence", "correct"}
        )
        xlsx = self.client.get(reverse("runs:predictions", args=[self.run.uuid, "xlsx"]))
        book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
        self.assertEqual(book.active.max_row, self.run.metrics["test_rows"] + 1)
        self.assertEqual(
            self.client.get(reverse("runs:predictions", args=[self.run.uuid, "exe"])).status_code,
            404,
        )

    def test_it_waits_for_unfinished_runs(self):
        TrainingRun.objects.filter(pk=self.run.pk).update(status="running")
        response = self.get()
        self.assertRedirects(response, reverse("runs:detail", args=[self.run.uuid]))
