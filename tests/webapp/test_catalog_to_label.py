"""Pick rows to label: a trainer uploads texts without labels (or picks from a file the model
scored), a real RQ worker on the predictions queue picks the rows, and the page offers the file
to label, in the format uploaded. Real Redis, a real worker, a real tiny model."""

import csv
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rq import SimpleWorker
from rq.job import Job

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import RedisMixin, finished_model
from tests.webapp.test_catalog_batch import workbook
from webapp.catalog.models import BatchPrediction, RowPick

TEXTS = ["the film was great", "awful plot and dull acting", "=1+2", "the story and the ending",
         "lovely acting", "hack the script"]  # fmt: skip
CSV = ("id;review\n" + "".join(f"{i};{t}\n" for i, t in enumerate(TEXTS))).encode()


class PickRowsTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice)
        self.page = reverse("catalog:detail", args=[self.model.uuid])
        self.client.force_login(self.alice)

    def pick(self, content=CSV, name="new.csv", rows="2", client=None):
        url = reverse("catalog:pick_new", args=[self.model.uuid])
        data = {"pick-file": SimpleUploadedFile(name, content), "pick-rows": rows}
        with self.captureOnCommitCallbacks(execute=True):
            return (client or self.client).post(url, data)

    def work(self) -> None:
        """The predictions worker takes every job in line, then stops."""
        SimpleWorker(["predictions"], connection=self.redis).work(burst=True)

    def download(self, pick: RowPick):
        response = self.client.get(reverse("catalog:pick_download", args=[pick.uuid]))
        self.assertEqual(response.status_code, 200)
        return response, b"".join(response.streaming_content)

    def test_it_picks_rows_of_an_upload_on_the_predictions_worker(self):
        self.assertContains(self.client.get(self.page), "Pick rows to label")
        response = self.pick()
        self.assertRedirects(response, self.page + "#to-label", fetch_redirect_response=False)
        pick = RowPick.objects.get()
        self.assertEqual((pick.status, pick.wanted, pick.team), ("queued", 2, self.alice_team))
        job = Job.fetch(pick.job_id, connection=self.redis)
        self.assertEqual(
            (job.origin, job.func_name), ("predictions", "webapp.catalog.jobs.pick_rows")
        )
        status = reverse("catalog:pick_status", args=[pick.uuid])
        self.assertContains(self.client.get(status), 'hx-trigger="every 2s"')

        self.work()
        pick.refresh_from_db()
        self.assertEqual((pick.status, pick.rows), ("finished", 2), pick.log)
        partial = self.client.get(status)
        self.assertNotContains(partial, "hx-trigger")
        self.assertContains(partial, "2 rows to label")
        self.assertContains(self.client.get(self.page), "Download new to label.csv")
        response, data = self.download(pick)
        self.assertIn('filename="new to label.csv"', response["Content-Disposition"])
        table = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        self.assertEqual(table[0], ["id", "review", "sentiment", "model's guess", "how sure"])
        self.assertEqual(len(table), 3)
        self.assertTrue(all(row[2] == "" for row in table[1:]))  # to fill in
        self.assertTrue(all(row[1] in TEXTS or row[1] == "'=1+2" for row in table[1:]))

    def test_it_picks_rows_of_a_file_the_model_scored(self):
        batch_url = reverse("catalog:batch_new", args=[self.model.uuid])
        upload = workbook([["text"], *[[t] for t in TEXTS]])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(batch_url, {"file": SimpleUploadedFile("new.xlsx", upload)})
        self.work()
        batch = BatchPrediction.objects.get()
        self.assertEqual(batch.status, "finished", batch.log)
        action = reverse("catalog:pick_from_batch", args=[batch.uuid])
        self.assertContains(self.client.get(self.page), action)  # on the scored file's row
        status = self.client.get(reverse("catalog:batch_status", args=[batch.uuid]))
        self.assertContains(status, action)  # and when its live status turns final

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(action, {"pick-rows": "3"})
        self.assertRedirects(response, self.page + "#to-label", fetch_redirect_response=False)
        self.work()
        pick = RowPick.objects.get()
        self.assertEqual(
            (pick.status, pick.rows, pick.input.name), ("finished", 3, batch.input.name)
        )
        response, data = self.download(pick)
        self.assertIn("new to label.xlsx", response["Content-Disposition"])
        rows = list(openpyxl.load_workbook(io.BytesIO(data)).active.values)
        # The one text column takes the training data's name: the file maps as that data did.
        self.assertEqual(rows[0], ("review", "sentiment", "model's guess", "how sure"))
        self.assertEqual(len(rows), 4)

    def test_it_says_what_is_wrong_in_plain_words(self):
        self.assertContains(self.pick(rows="0"), "Pick at least one row.", status_code=400)
        self.assertContains(self.pick(rows="1001"), "Pick at most 1,000 rows", status_code=400)
        response = self.pick(b"a,b\n1,2\n")
        self.assertContains(response, "This file has no column named “review”.", status_code=400)
        self.assertContains(response, "Label a whole spreadsheet", status_code=400)
        self.assertFalse(RowPick.objects.exists())
        kept = [f for f in self.stored_files() if "picks" in f.parts]
        self.assertEqual(kept, [])  # the refused upload is not kept

    def test_it_answers_404_to_another_team(self):
        self.pick()
        pick = RowPick.objects.get()
        self.work()
        bob = self.client_class()
        bob.force_login(self.bob)
        self.assertEqual(self.pick(client=bob).status_code, 404)
        for name in ("catalog:pick_status", "catalog:pick_download"):
            self.assertEqual(bob.get(reverse(name, args=[pick.uuid])).status_code, 404)
        self.assertEqual(RowPick.objects.count(), 1)

    def test_it_enforces_csrf(self):
        self.assertEqual(self.pick(client=self.csrf_client(self.alice)).status_code, 403)
        self.assertFalse(RowPick.objects.exists())

    def test_it_deletes_the_files_with_the_training_run(self):
        self.pick()
        self.work()
        pick = RowPick.objects.get()
        self.assertTrue([f for f in self.stored_files() if pick.folder in f.as_posix()])
        self.client.post(reverse("runs:delete", args=[self.model.run.uuid]))
        self.assertFalse(RowPick.objects.exists())
        self.assertEqual([f for f in self.stored_files() if "picks" in f.parts], [])
