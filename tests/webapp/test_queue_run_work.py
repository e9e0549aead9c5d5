"""QueuedJob.run_work, the one wrapper every job (batch scoring, row picks, label checks,
sheet reads, smaller copies) runs its work in: the row ends failed in plain words."""

from finetune import FinetuneError
from tests.webapp.base import BaseTestCase
from webapp.runs.models import TrainingRun

UNEXPECTED = "Doing this stopped because of an unexpected error. Try again."


class RunWorkTests(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.row = TrainingRun.objects.create(team=self.alice_team, name="Reviews")
        self.assertTrue(self.row.mark_running())

    def stored(self) -> TrainingRun:
        return TrainingRun.objects.get(pk=self.row.pk)

    def test_it_returns_what_the_work_returns_and_leaves_the_row_to_the_job(self):
        self.assertEqual(self.row.run_work(lambda: 0, UNEXPECTED), 0)
        self.assertEqual(self.stored().status, "running")  # the job marks it finished

    def test_a_finetune_error_fails_the_row_in_its_own_words(self):
        def work():
            raise FinetuneError("The file has no column named review.")

        self.assertIsNone(self.row.run_work(work, UNEXPECTED))
        row = self.stored()
        self.assertEqual(
            (row.status, row.message), ("failed", "The file has no column named review.")
        )
        self.assertIn("FinetuneError", row.log)
        self.assertIsNotNone(row.finished)

    def test_any_other_error_fails_the_row_in_the_plain_sentence_and_is_raised_for_rq(self):
        def work():
            raise KeyError("internal detail")

        with self.assertLogs("webapp.queue.lifecycle", "ERROR"), self.assertRaises(KeyError):
            self.row.run_work(work, UNEXPECTED)
        row = self.stored()
        self.assertEqual((row.status, row.message), ("failed", UNEXPECTED))
        self.assertIn("internal detail", row.log)  # for staff, never in the message

    def test_a_row_canceled_meanwhile_stays_canceled(self):
        TrainingRun.objects.filter(pk=self.row.pk).update(status="canceled")

        def work():
            raise FinetuneError("Too late.")

        self.assertIsNone(self.row.run_work(work, UNEXPECTED))
        self.assertEqual(self.stored().status, "canceled")
