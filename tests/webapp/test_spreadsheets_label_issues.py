"""Labels that look wrong on the spreadsheet page: a button queues the check on the
predictions queue, the section polls until a real RQ worker has run it, then lists the rows
with their fix buttons, most suspicious first; tasks whose labels are not checked say so."""

from django.urls import reverse
from rq.job import Job

from tests.webapp.base import BaseTestCase
from tests.webapp.label_support import LabelIssuesMixin, label_forms
from tests.webapp.runs_support import RedisMixin
from webapp.spreadsheets.label_checks import LabelCheck


class LabelIssuesTestCase(LabelIssuesMixin, RedisMixin, BaseTestCase):
    def test_it_offers_the_check_before_it_runs(self):
        sheet = self.noisy_sheet()
        page = self.page(sheet)
        self.assertIn("Labels that look wrong", page)
        self.assertIn("Look for labels that look wrong</button>", page)
        self.assertIn('<option value="local:topic-bert">', page)

    def test_it_polls_while_the_check_waits(self):
        sheet = self.noisy_sheet()
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("spreadsheets:label_check", args=[sheet.uuid]),
                {"base_model": "local:topic-bert"},
            )
        check = LabelCheck.objects.get()
        self.assertEqual((check.status, check.spreadsheet), ("queued", sheet))
        job = Job.fetch(check.job_id, connection=self.redis)
        self.assertEqual(
            (job.origin, job.func_name), ("predictions", "webapp.spreadsheets.jobs.check_labels")
        )
        status = self.client.get(reverse("spreadsheets:label_status", args=[sheet.uuid]))
        self.assertContains(status, 'hx-trigger="every 2s"')
        self.assertContains(status, "Looking for labels that look wrong")

    def test_it_lists_the_rows_with_their_fixes(self):
        sheet = self.noisy_sheet()
        page = self.look_for_wrong_labels(sheet)
        check = LabelCheck.objects.get()
        self.assertEqual(check.status, "finished", check.message)
        self.assertIn("3 rows look wrong among 150 checked, most suspicious first", page)
        self.assertNotIn('hx-trigger="every 2s"', page)  # done: no more polling
        forms = label_forms(page)
        listed = []
        for form in forms:
            if form["fields"].get("action") == "suggested":
                listed.append(int(form["fields"]["row"]))
        wrong = {i + 2: label for i, label in self.truth.items()}
        self.assertEqual(set(listed), set(wrong))
        for row, label in wrong.items():
            self.assertIn(f"Change to “{label}”</button>", page)
            drops = [f for f in forms if f["fields"].get("row") == str(row)]
            self.assertEqual([f["fields"]["action"] for f in drops], ["suggested", "other", "drop"])
        self.assertIn("Accept every suggestion LabelTune is at least", page)

    def test_it_says_a_regression_is_not_checked(self):
        sheet = self.noisy_sheet()
        url = reverse("spreadsheets:detail", args=[sheet.uuid])
        self.client.post(url, {"task": "regression", "text_column": "text",
                               "label_column": "topic"})  # fmt: skip
        page = self.page(sheet)
        self.assertIn(
            "The numbers to predict are not checked for ones that look wrong: LabelTune does "
            "that for labels only.",
            page,
        )
        self.assertNotIn("Look for labels that look wrong</button>", page)
