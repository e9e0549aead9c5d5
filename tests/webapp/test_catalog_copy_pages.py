"""A copied model's pages: the evaluation shows what a copy has (figures, per-label table,
confusion counts) and says why the test rows are not there; the model page, its run page and
the models list say when and where it was trained and when and by whom it was copied."""

from datetime import UTC, datetime

from django.template.defaultfilters import date
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model
from webapp.accounts.models import Team
from webapp.catalog.models import TrainedModel
from webapp.runs.evaluation import ROWS_STAYED

TRAINED = datetime(2024, 3, 5, 10, 30, tzinfo=UTC)


class CopyPagesTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.original = finished_model(self.alice_team, self.alice)
        self.original.trained = TRAINED  # trained long before it was copied
        self.original.save(update_fields=["trained"])
        self.research = Team.create_for(self.alice, "Research")
        self.client.force_login(self.alice)
        url = reverse("catalog:copy", args=[self.original.uuid])
        self.client.post(url, {"team": self.research.uuid})
        self.copy = TrainedModel.objects.get(team=self.research)
        self.copied_words = f"copied {date(self.copy.copied, 'j F Y, H:i')} by alice"

    def test_it_remembers_when_and_where_it_was_trained_and_who_copied_it(self):
        self.assertEqual(self.copy.trained, TRAINED)
        self.assertEqual(self.copy.trained_in, "alice's team")
        self.assertEqual(self.copy.copied_by, self.alice)
        self.assertTrue(self.copy.is_copy)
        self.assertFalse(self.original.is_copy)
        # A copy of the copy still names the team that trained the model, and its time.
        again = Team.create_for(self.alice, "Again")
        self.client.post(reverse("catalog:copy", args=[self.copy.uuid]), {"team": again.uuid})
        second = TrainedModel.objects.get(team=again)
        self.assertEqual((second.trained, second.trained_in), (TRAINED, "alice's team"))

    def test_it_shows_the_evaluation_without_the_test_rows(self):
        response = self.client.get(reverse("runs:evaluation", args=[self.copy.run.uuid]))
        self.assertEqual(response.status_code, 200)
        metrics = self.copy.run.metrics
        self.assertContains(
            response, f"Correct on {metrics['test_correct']} of {metrics['test_rows']} test rows"
        )
        self.assertContains(response, "<h2>Per label</h2>", html=True)
        self.assertContains(response, "<h2>Confusion matrix</h2>", html=True)
        self.assertContains(response, ROWS_STAYED)
        self.assertNotContains(response, "files of this model are missing")
        # Nothing links to rows the copy does not have.
        self.assertNotContains(
            response, reverse("runs:predictions", args=[self.copy.run.uuid, "csv"])
        )
        self.assertNotContains(response, "#cell-rows")
        self.assertNotContains(response, "Wrong answers the model was surest about")
        # The original keeps its rows and says nothing of copies.
        response = self.client.get(reverse("runs:evaluation", args=[self.original.run.uuid]))
        self.assertContains(response, "#cell-rows")
        self.assertNotContains(response, ROWS_STAYED)

    def test_it_says_when_it_was_trained_and_copied_on_the_model_page(self):
        response = self.client.get(reverse("catalog:detail", args=[self.copy.uuid]))
        self.assertContains(response, "Trained 5 March 2024, 10:30 from")
        self.assertContains(response, f"(in alice&#x27;s team) · {self.copied_words}")
        self.assertContains(response, "The spreadsheet stayed with the team that trained the model")
        response = self.client.get(reverse("catalog:detail", args=[self.original.uuid]))
        self.assertNotContains(response, "· copied")

    def test_it_says_when_it_was_trained_and_copied_on_the_run_page(self):
        response = self.client.get(reverse("runs:detail", args=[self.copy.run.uuid]))
        self.assertContains(
            response,
            f"trained by alice 5 March 2024, 10:30 (in alice&#x27;s team) · {self.copied_words}",
        )
        self.assertNotContains(response, "started by")
        response = self.client.get(reverse("runs:detail", args=[self.original.run.uuid]))
        self.assertContains(response, "started by alice")

    def test_it_lists_its_data_as_in_another_team(self):
        self.client.post(reverse("team_switch"), {"team": self.research.uuid})
        response = self.client.get(reverse("catalog:list"))
        self.assertContains(response, "in another team")
        self.assertNotContains(response, "deleted")
