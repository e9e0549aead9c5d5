"""Batch scoring when the file names its columns differently: a column picker with the guess
preselected; and the scored file comes back in the format uploaded, columns as they were."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, finished_model
from webapp.catalog import jobs
from webapp.catalog.models import BatchPrediction

OTHER_NAMES = b"id,comment,stars\n1,the film was great and lovely,5\n2,awful plot and dull,1\n"


class BatchColumnsTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice)
        self.client.force_login(self.alice)

    def upload(self, content, name):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("catalog:batch_new", args=[self.model.uuid]),
                {"file": SimpleUploadedFile(name, content)},
            )

    def download(self, batch) -> bytes:
        response = self.client.get(reverse("catalog:batch_download", args=[batch.uuid]))
        return b"".join(response.streaming_content)

    def test_it_asks_for_the_text_column_with_the_guess_picked(self):
        response = self.upload(OTHER_NAMES, "other.csv")
        self.assertEqual(response.status_code, 200)
        self.assertFalse(BatchPrediction.objects.exists())
        self.assertContains(response, "has no column named “review”")
        self.assertContains(response, '<option value="comment" selected>comment</option>')
        token = response.context["column_picker"]["pending"].value()

        with self.captureOnCommitCallbacks(execute=True):
            started = self.client.post(
                reverse("catalog:batch_columns", args=[self.model.uuid]),
                {"pending": token, "text_column": "comment"},
            )
        self.assertRedirects(
            started, reverse("catalog:detail", args=[self.model.uuid]) + "#batches"
        )
        batch = BatchPrediction.objects.get()
        self.assertEqual((batch.status, batch.text_column), ("queued", "comment"))
        self.assertEqual(jobs.score_batch(batch.pk), 2)
        rows = list(csv.DictReader(io.StringIO(self.download(batch).decode("utf-8-sig"))))
        self.assertEqual(list(rows[0])[:3], ["id", "comment", "stars"])
        self.assertEqual(rows[1]["stars"], "1")
        self.assertEqual(list(self.media_root.glob("batches/pending/*")), [])

    def test_it_refuses_a_forged_or_foreign_token(self):
        url = reverse("catalog:batch_columns", args=[self.model.uuid])
        response = self.client.post(url, {"pending": "forged", "text_column": "x"}, follow=True)
        self.assertContains(response, "Upload the file again.")
        self.assertFalse(BatchPrediction.objects.exists())

    def test_it_starts_at_once_when_the_names_match(self):
        response = self.upload(b"review\nthe film was great\n", "same.csv")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(BatchPrediction.objects.get().text_column, "")

    def test_it_gives_a_utf16_tab_file_back_as_utf16_tab_text(self):
        content = "review\tnote\nthe film was great\tfirst\ndull plot\tsecond\n"
        self.upload(("\ufeff" + content).encode("utf-16-le"), "export.txt")
        batch = BatchPrediction.objects.get()
        jobs.score_batch(batch.pk)
        self.assertEqual(batch.download_name, "export with predictions.txt")
        data = self.download(batch)
        self.assertTrue(data.startswith(b"\xff\xfe"))  # Excel's "Unicode text"
        lines = data.decode("utf-16").splitlines()
        self.assertEqual(lines[0].split("\t")[:2], ["review", "note"])
        self.assertEqual(lines[2].split("\t")[:2], ["dull plot", "second"])

    def test_it_keeps_a_semicolon_csv_semicolon_separated(self):
        self.upload(b"review;note\nthe film was great;a, b\n", "semi.csv")
        batch = BatchPrediction.objects.get()
        jobs.score_batch(batch.pk)
        text = self.download(batch).decode("utf-8-sig")
        self.assertTrue(text.startswith("review;note;prediction"), text)
        self.assertIn("the film was great;a, b;", text)
