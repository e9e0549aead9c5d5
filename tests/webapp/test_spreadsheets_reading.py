"""Uploads are read on the prediction worker, against a real Redis: the page shows the reading
until it ends and then what was read; the mapping page, the health page and each fix reuse
what the row keeps; a big sheet's check and fixes go to the worker too; a file that fails to
read or a worker that dies says why; with no worker the request reads the file itself.

A worker is registered on the "predictions" queue so that the app sends the work there, and a
burst SimpleWorker does the jobs in this process, as the worker would.
"""

import html
from unittest import mock

from django.urls import reverse
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.worker import Worker

from finetune.data import read_table
from tests.webapp.base import BaseTestCase, reviews_csv
from tests.webapp.runs_support import RedisMixin
from tests.webapp.test_spreadsheets_fixes import csv_bytes, fix_forms, messy_rows
from tests.webapp.test_spreadsheets_workbook import two_sheet_workbook
from webapp.spreadsheets.models import Spreadsheet
from webapp.spreadsheets.reading import SheetRead
from webapp.spreadsheets.views_reading import CHECKING_AGAIN, NO_WORKER

READER = "webapp.spreadsheets.models.read_table"
MAPPING = {"task": "single_label", "text_column": "review", "label_column": "sentiment"}


class ReadingTestCase(RedisMixin, BaseTestCase):
    def setUp(self):
        super().setUp()
        self.listening = Worker(["predictions"], connection=self.redis, name="listening")
        self.listening.register_birth()
        self.client.force_login(self.alice)

    def upload_to_worker(self, content: bytes, name: str = "reviews.csv") -> Spreadsheet:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.upload(content, name)
        self.assertEqual(response.status_code, 302)
        return Spreadsheet.objects.latest("pk")

    def work(self) -> None:
        SimpleWorker(["predictions"], connection=self.redis).work(burst=True)

    def page(self, spreadsheet, query=None):
        return self.client.get(reverse("spreadsheets:detail", args=[spreadsheet.uuid]), query)

    def status(self, sheet):
        return self.client.get(reverse("spreadsheets:read_status", args=[sheet.uuid]))

    def test_the_page_shows_the_reading_then_what_was_read(self):
        sheet = self.upload_to_worker(reviews_csv())
        self.assertEqual(SheetRead.latest_for(sheet).status, "queued")
        self.assertEqual(sheet.columns, [])  # nothing was read in the request

        page = self.page(sheet)
        self.assertContains(page, 'id="sheet-reading"')
        self.assertContains(page, f'hx-get="/data/{sheet.uuid}/reading/"')
        self.assertContains(page, "Reading your file…")
        self.assertNotContains(page, "Check my data")
        self.assertContains(self.client.get(reverse("spreadsheets:list")), "reading…")
        polled = self.status(sheet)
        self.assertContains(polled, 'hx-trigger="every 1s"')
        self.assertNotIn("HX-Redirect", polled)

        self.work()
        url = reverse("spreadsheets:detail", args=[sheet.uuid])
        self.assertEqual(self.status(sheet)["HX-Redirect"], url)  # one page load, at the end
        page = self.page(sheet)
        self.assertContains(page, "Check my data")
        self.assertContains(page, "(review number 20)")
        self.assertNotContains(page, 'id="sheet-reading"')
        sheet.refresh_from_db()
        self.assertEqual((sheet.columns, sheet.row_count), (["id", "review", "sentiment"], 20))
        self.assertEqual(sheet.mapping["text"], "review")  # the suggestion, taken

    def test_the_mapping_and_health_pages_read_no_file(self):
        sheet = self.upload_to_worker(two_sheet_workbook(), "tickets.xlsx")
        self.work()
        with mock.patch(READER, wraps=read_table) as reader:
            self.assertContains(self.page(sheet), "Remember to check batch 5")
            other = self.page(sheet, {"sheet": "Tickets"})  # every sheet was read with the upload
            self.assertContains(other, "My invoice number 0 shows the wrong amount")
            self.assertEqual(reader.call_count, 0)
            data = {"sheet": "Tickets", "task": "single_label", "text_column": "ticket text",
                    "label_column": "team"}  # fmt: skip
            url = reverse("spreadsheets:detail", args=[sheet.uuid])
            self.assertRedirects(self.client.post(url, data), url)  # small: checked here
            self.assertEqual(reader.call_count, 1)
            self.assertContains(self.page(sheet), 'id="health"')
            self.assertEqual(reader.call_count, 1)
        sheet.refresh_from_db()
        self.assertEqual((sheet.sheet, sheet.health["rows_used"]), ("Tickets", 60))

    def test_a_big_sheet_is_checked_and_fixed_on_the_worker(self):
        sheet = self.upload_to_worker(csv_bytes(["review", "sentiment"], messy_rows()))
        self.work()
        url = reverse("spreadsheets:detail", args=[sheet.uuid])
        with mock.patch("webapp.spreadsheets.reading.CHECK_IN_REQUEST_ROWS", 10):
            with self.captureOnCommitCallbacks(execute=True):
                response = self.client.post(url, MAPPING)
            self.assertRedirects(response, url + "#health", fetch_redirect_response=False)
            page = self.page(sheet)
            self.assertContains(page, "Checking your data…")
            self.assertNotContains(page, "Choose a model and train")
            self.work()
            self.assertEqual(self.status(sheet)["HX-Redirect"], url + "#health")
            page = self.page(sheet).content.decode()
            self.assertIn('id="health"', page)
            offer = next(f for f in fix_forms(page) if f["action"].endswith("/apply/"))

            with self.captureOnCommitCallbacks(execute=True):
                response = self.client.post(offer["action"], offer["fields"], follow=True)
            self.assertContains(response, CHECKING_AGAIN)
            self.assertContains(response, "Checking your data…")
            sheet.refresh_from_db()
            self.assertEqual(sheet.fixes, [])  # saved when the check ends
            self.work()
        sheet.refresh_from_db()
        self.assertEqual(len(sheet.fixes), 1)
        self.assertEqual(len(self.page(sheet).context["fixed"]), 1)  # shown with its Undo

    def test_a_file_that_fails_to_read_says_why_and_is_kept(self):
        sheet = self.upload_to_worker(b"PK\x03\x04 not really a workbook", "reviews.xlsx")
        self.work()
        read = SheetRead.latest_for(sheet)
        self.assertEqual(read.status, "failed")
        polled = self.status(sheet)
        self.assertNotIn("HX-Redirect", polled)
        self.assertNotContains(polled, "hx-trigger")  # it stops polling
        page = self.page(sheet)
        self.assertContains(page, read.message)
        self.assertContains(page, "Read it again")
        self.assertLessEqual(read.message.count(". "), 2)  # one or two plain sentences
        self.assertTrue(Spreadsheet.objects.filter(pk=sheet.pk).exists())
        self.assertEqual(len(self.stored_files()), 1)  # the file is kept: nothing lost
        self.assertContains(self.client.get(reverse("spreadsheets:list")), "could not be read")

    def test_staff_see_a_failed_read_with_its_cause_in_the_admin(self):
        sheet = self.upload_to_worker(b"PK\x03\x04 not really a workbook", "reviews.xlsx")
        self.work()
        read = SheetRead.latest_for(sheet)
        self.charlie.is_superuser = True
        self.charlie.save(update_fields=["is_superuser"])
        self.client.force_login(self.charlie)
        page = self.client.get(reverse("admin:spreadsheets_sheetread_change", args=[read.pk]))
        self.assertContains(page, "Traceback")
        self.assertContains(page, html.escape(read.message))

    def test_a_read_whose_worker_died_fails_in_plain_words_and_can_be_read_again(self):
        sheet = self.upload_to_worker(reviews_csv())
        read = SheetRead.latest_for(sheet)
        job = Job.fetch(read.job_id, connection=self.redis)  # taken by a worker that is gone
        job.worker_name = "ghost-worker"
        job.set_status(JobStatus.STARTED)
        job.save()
        self.redis.lrem("rq:queue:predictions", 0, read.job_id)
        SheetRead.objects.filter(pk=read.pk).update(status="running")

        self.assertContains(self.status(sheet), SheetRead.worker_died_message)
        self.assertEqual(SheetRead.latest_for(sheet).status, "failed")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(reverse("spreadsheets:read_again", args=[sheet.uuid]))
        self.work()
        self.assertContains(self.page(sheet), "Check my data")

    def test_a_waiting_read_says_when_no_worker_listens(self):
        sheet = self.upload_to_worker(reviews_csv())
        self.listening.register_death()
        self.assertContains(self.status(sheet), NO_WORKER)

    def test_with_no_worker_the_request_reads_the_file(self):
        self.listening.register_death()
        response = self.upload(reviews_csv())  # no on-commit callbacks: nothing is enqueued
        sheet = Spreadsheet.objects.get()
        self.assertRedirects(response, reverse("spreadsheets:detail", args=[sheet.uuid]))
        self.assertEqual(SheetRead.latest_for(sheet).status, "finished")
        self.assertEqual(sheet.row_count, 20)
        self.assertContains(self.page(sheet), "Check my data")

    def test_other_teams_get_404(self):
        sheet = self.upload_to_worker(reviews_csv())
        self.client.force_login(self.bob)
        self.assertEqual(self.status(sheet).status_code, 404)
        again = self.client.post(reverse("spreadsheets:read_again", args=[sheet.uuid]))
        self.assertEqual(again.status_code, 404)
        self.assertEqual(SheetRead.objects.count(), 1)
