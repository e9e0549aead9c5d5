"""Batch predictions: upload on the model page, a job on a real queue, the scored file back."""

import csv
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from rq.job import Job

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, finished_model
from webapp.catalog import jobs
from webapp.catalog.models import BatchPrediction

CSV = b"id,review\n1,the film was great\n2,awful plot and dull acting\n3,=1+2\n"


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


class BatchTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice)
        self.url = reverse("catalog:batch_new", args=[self.model.uuid])

    def upload(self, content=CSV, name="new.csv", user=None, client=None):
        client = client or self.client
        if client is self.client:
            client.force_login(user or self.alice)
        with self.captureOnCommitCallbacks(execute=True):
            return client.post(self.url, {"file": SimpleUploadedFile(name, content)})

    def test_it_enqueues_on_the_predictions_queue(self):
        response = self.upload()
        self.assertRedirects(
            response, reverse("catalog:detail", args=[self.model.uuid]) + "#batches"
        )
        batch = BatchPrediction.objects.get()
        self.assertEqual(
            (batch.status, batch.team, batch.original_name), ("queued", self.alice_team, "new.csv")
        )
        job = Job.fetch(batch.job_id, connection=self.redis)
        self.assertEqual(
            (job.origin, job.func_name), ("predictions", "webapp.catalog.jobs.score_batch")
        )
        status = self.client.get(reverse("catalog:batch_status", args=[batch.uuid]))
        self.assertContains(status, 'hx-trigger="every 2s"')

    def test_it_scores_a_csv_into_a_csv(self):
        self.upload()
        batch = BatchPrediction.objects.get()
        self.assertEqual(jobs.score_batch(batch.pk), 3)
        batch.refresh_from_db()
        self.assertEqual(batch.status, "finished")
        status = self.client.get(reverse("catalog:batch_status", args=[batch.uuid]))
        self.assertNotContains(status, "hx-trigger")
        self.assertContains(status, "3 rows labelled")
        response = self.client.get(reverse("catalog:batch_download", args=[batch.uuid]))
        self.assertIn('filename="new with predictions.csv"', response["Content-Disposition"])
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        table = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(list(table[0]), ["id", "review", "prediction", "confidence"])
        self.assertEqual(table[2]["review"], "'=1+2")  # formula-safe
        labels = self.model.info()["labels"]
        self.assertTrue(all(row["prediction"] in labels for row in table))

    def test_it_scores_a_workbook_into_a_workbook(self):
        self.upload(workbook([["review"], ["great film"], ["dull film"]]), "new.xlsx")
        batch = BatchPrediction.objects.get()
        jobs.score_batch(batch.pk)
        response = self.client.get(reverse("catalog:batch_download", args=[batch.uuid]))
        self.assertIn("new with predictions.xlsx", response["Content-Disposition"])
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        self.assertEqual([c.value for c in sheet[1]], ["review", "prediction", "confidence"])
        self.assertEqual(sheet.max_row, 3)

    def test_it_fails_in_plain_words_without_the_text_column(self):
        response = self.upload(b"a,b\n1,2\n3,4\n")
        self.assertContains(response, "Which of its columns should the model read?")
        self.assertFalse(BatchPrediction.objects.exists())  # a column picker, not a failure
        # A column picked earlier that the file no longer has: the job says so plainly.
        batch = BatchPrediction.objects.create(
            team=self.alice_team, model=self.model, original_name="new.csv", text_column="review"
        )
        batch.input.save("new.csv", SimpleUploadedFile("new.csv", b"a,b\n1,2\n3,4\n"))
        self.assertIsNone(jobs.score_batch(batch.pk))
        batch.refresh_from_db()
        self.assertEqual(batch.status, "failed")
        self.assertIn("review", batch.message)
        self.assertContains(
            self.client.get(reverse("catalog:batch_status", args=[batch.uuid])),
            "is not in this sheet",
        )
        self.assertEqual(
            self.client.get(reverse("catalog:batch_download", args=[batch.uuid])).status_code, 404
        )

    def test_it_refuses_files_it_cannot_read_and_big_files(self):
        self.assertContains(self.upload(b"MZ", "tool.exe"), "not a spreadsheet", status_code=400)
        with override_settings(MAX_UPLOAD_MB=0):
            self.assertContains(self.upload(), "the limit is 0 MB", status_code=400)
        self.assertFalse(BatchPrediction.objects.exists())

    def test_it_answers_404_to_another_team(self):
        self.upload()
        batch = BatchPrediction.objects.get()
        jobs.score_batch(batch.pk)
        self.assertEqual(self.upload(user=self.bob).status_code, 404)
        for name in ("catalog:batch_status", "catalog:batch_download"):
            self.assertEqual(self.client.get(reverse(name, args=[batch.uuid])).status_code, 404)

    def test_it_enforces_csrf(self):
        response = self.upload(client=self.csrf_client(self.alice))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(BatchPrediction.objects.exists())
