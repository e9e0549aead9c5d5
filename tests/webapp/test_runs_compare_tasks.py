"""The compare page shows what each task has: names in text compare their table per type of
name and the texts fixed or broken; numbers to predict have no per-label table and no right
or wrong rows, so the page says so instead."""

from tests.webapp.base import BaseTestCase
from tests.webapp.compare_support import (
    changed_by_hand,
    compare_url,
    finished_run,
    regression_run_dir,
    rows_of,
    short_ner_run_dir,
)
from tests.webapp.ner_support import trained_ner_run_dir
from webapp.runs.compare import NOT_JUDGED


class CompareTasksTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def two_runs(self, first, second):
        team, alice = self.alice_team, self.alice
        return (
            finished_run(team, alice, None, first, "first", minutes_ago=20),
            finished_run(team, alice, None, second, "second", minutes_ago=10),
        )

    def test_it_compares_names_in_text_per_type(self):
        a, b = self.two_runs(short_ner_run_dir(), trained_ner_run_dir())
        response = self.client.get(compare_url(a, b))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h2>Per type of name</h2>", html=True)
        self.assertContains(response, '<mark class="ent ent-')
        self.assertNotContains(response, "Confusion matrices")
        for _, value in b.figures:
            self.assertContains(response, value)
        fixed, broken = changed_by_hand(a, b)
        self.assertTrue(fixed, "three epochs should miss names that twelve find")
        self.assertContains(response, f"{len(fixed)} fixed, {len(broken)} broken")
        # The answer shown is the names the model found, as test_predictions.csv writes them.
        self.assertContains(response, rows_of(b)[fixed[0]]["entities"].replace("&", "&amp;"))

    def test_it_says_numbers_are_not_right_or_wrong(self):
        a, b = self.two_runs(regression_run_dir(2), regression_run_dir(8))
        response = self.client.get(compare_url(a, b))
        self.assertEqual(response.status_code, 200)
        figures = response.content.decode().split('id="compare-figures"')[1]
        for (_, first), (_, second) in zip(a.figures, b.figures, strict=True):
            self.assertIn(f'<td class="num">{first}</td><td class="num">{second}</td>', figures)
        self.assertNotContains(response, "Per label")
        self.assertNotContains(response, "Confusion matrices")
        self.assertContains(response, NOT_JUDGED)
        self.assertNotContains(response, " fixed, ")
