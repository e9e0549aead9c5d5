"""When a simple baseline did better than the fine-tuned model on the test rows, the
evaluation page says so first, in one sentence naming the baseline and both figures; the
run and model pages say it too. Every task, in its own figure and direction."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model
from webapp.runs.caveats import lost_to_baseline
from webapp.runs.models import RunStatus, TrainingRun

LOST = (
    "The simple baseline “TF-IDF + logistic regression” did better than this model on the "
    "test rows: accuracy 90% against 74%."
)


def finished(task: str, **metrics) -> TrainingRun:
    return TrainingRun(task=task, status=RunStatus.FINISHED, metrics=metrics)


class LostToBaselineTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice)
        self.run = self.model.run
        self.client.force_login(self.alice)

    def set(self, **metrics):
        self.run.metrics |= metrics
        self.run.save()

    def test_it_says_first_on_the_evaluation_page_that_a_baseline_did_better(self):
        self.set(test_accuracy=0.74, baseline_tfidf_accuracy=0.9, baseline_majority_accuracy=0.5)
        html = self.client.get(reverse("runs:evaluation", args=[self.run.uuid])).content.decode()
        self.assertIn(LOST, html)
        self.assertLess(html.index(LOST), html.index("Correct on"))

    def test_the_run_and_model_pages_say_it_too(self):
        self.set(test_accuracy=0.74, baseline_tfidf_accuracy=0.9, baseline_majority_accuracy=0.5)
        for url in (
            reverse("runs:detail", args=[self.run.uuid]),
            reverse("catalog:detail", args=[self.model.uuid]),
        ):
            self.assertContains(self.client.get(url), LOST)

    def test_it_says_nothing_when_the_model_beats_every_baseline(self):
        self.set(test_accuracy=0.95, baseline_tfidf_accuracy=0.9, baseline_majority_accuracy=0.5)
        self.assertEqual(lost_to_baseline(self.run), "")
        response = self.client.get(reverse("runs:evaluation", args=[self.run.uuid]))
        self.assertNotContains(response, "did better than this model")

    def test_it_names_the_baseline_that_did_best_in_each_task(self):
        run = finished("single_label", test_accuracy=0.4, baseline_majority_accuracy=0.6,
                       baseline_tfidf_accuracy=0.55)  # fmt: skip
        self.assertIn("“Always the most common label”", lost_to_baseline(run))
        self.assertIn("accuracy 60% against 40%", lost_to_baseline(run))
        run = finished("multi_label", test_micro_f1=0.3, baseline_frequent_micro_f1=0.41,
                       baseline_tfidf_micro_f1=0.35)  # fmt: skip
        self.assertIn("“Always the most frequent labels”", lost_to_baseline(run))
        self.assertIn("micro F1 41% against 30%", lost_to_baseline(run))

    def test_it_reads_lower_errors_as_better(self):
        run = finished("regression", test_rmse=0.9, baseline_mean_rmse=1.2, baseline_tfidf_rmse=0.5)
        self.assertEqual(
            lost_to_baseline(run),
            "The simple baseline “TF-IDF + ridge regression” did better than this model on the "
            "test rows: error (RMSE) 0.5 against 0.9.",
        )
        run.metrics |= {"test_rmse": 0.4}
        self.assertEqual(lost_to_baseline(run), "")

    def test_a_tie_as_the_page_shows_it_is_not_a_loss(self):
        run = finished("single_label", test_accuracy=0.8001, baseline_tfidf_accuracy=0.8003)
        self.assertEqual(lost_to_baseline(run), "")
