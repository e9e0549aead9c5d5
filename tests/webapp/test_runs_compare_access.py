"""Who may compare which runs: only members of the runs' team (a run of another team answers
404, as a run that does not exist), viewers included, read-only; runs that cannot be compared
get a plain sentence instead of a crash."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.compare_support import compare_url, finished_run, two_runs
from tests.webapp.runs_support import mapped_spreadsheet, trained_run_dir
from tests.webapp.teams_support import add_member
from webapp.accounts.models import Role
from webapp.runs.models import RunStatus, TrainingRun


class CompareAccessTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.sheet, self.a, self.b = two_runs(self)
        self.url = compare_url(self.a.uuid, self.b.uuid)

    def get(self, user, url):
        self.client.force_login(user)
        return self.client.get(url)

    def test_it_requires_login(self):
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))

    def test_it_answers_404_for_another_teams_runs(self):
        self.assertEqual(self.get(self.bob, self.url).status_code, 404)
        bobs_sheet = mapped_spreadsheet(self, user=self.bob)
        bobs = finished_run(self.bob_team, self.bob, bobs_sheet, trained_run_dir(), "bob's")
        # One run of another team among alice's own is enough for a 404, as is a made-up id.
        self.assertEqual(self.get(self.alice, compare_url(self.a.uuid, bobs.uuid)).status_code, 404)
        missing = "00000000-0000-0000-0000-000000000000"
        self.assertEqual(self.get(self.alice, compare_url(self.a.uuid, missing)).status_code, 404)
        self.assertEqual(
            self.get(self.alice, compare_url(self.a.uuid, "not-an-id")).status_code, 404
        )
        url = reverse("runs:compare") + f"?spreadsheet={bobs_sheet.uuid}"
        self.assertEqual(self.get(self.alice, url).status_code, 404)

    def test_it_lets_a_viewer_compare_read_only(self):
        viewer = add_member(self.alice_team, "vera", Role.VIEWER)
        response = self.get(viewer, self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h2>Settings that differ</h2>", html=True)
        self.assertContains(response, " fixed, ")
        main = response.content.decode().split("<main")[1]
        self.assertNotIn('method="post"', main)
        self.assertNotIn(reverse("runs:new", args=[self.sheet.uuid]), main)

    def test_it_says_why_runs_of_different_spreadsheets_do_not_compare(self):
        other = mapped_spreadsheet(self, name="other.csv")
        self.b.spreadsheet = other
        self.b.save(update_fields=["spreadsheet"])
        response = self.get(self.alice, self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            "“eight” and “twenty” were trained on different spreadsheets, so their results can't "
            "be compared. Pick runs of the same spreadsheet.".replace("'", "&#x27;"),
        )
        self.assertNotContains(response, "Settings that differ")

    def test_it_says_why_unfinished_runs_or_a_single_run_do_not_compare(self):
        single = self.get(self.alice, compare_url(self.a.uuid, self.a.uuid))
        self.assertContains(single, "Tick two or more finished runs to compare them.")
        self.assertContains(single, 'id="compare-picker"')  # to tick a second one
        self.assertEqual(self.get(self.alice, reverse("runs:compare")).status_code, 200)
        TrainingRun.objects.filter(pk=self.b.pk).update(status=RunStatus.RUNNING)
        response = self.get(self.alice, self.url)
        self.assertContains(
            response, "“twenty” has not finished training, so it has no results to compare yet."
        )
        single = self.get(self.alice, compare_url(self.a.uuid))
        self.assertContains(single, "“reviews.csv” has fewer than two finished runs.")
