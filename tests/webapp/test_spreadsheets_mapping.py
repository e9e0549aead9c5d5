"""Saving the column mapping runs the health report and shows it in plain words."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase, reviews_csv
from webapp.spreadsheets.models import Spreadsheet

MAPPING = {"task": "single_label", "text_column": "review", "label_column": "sentiment"}


class MappingTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.spreadsheet = self.make_spreadsheet(reviews_csv(rows=40))
        self.url = reverse("spreadsheets:detail", args=[self.spreadsheet.uuid])

    def test_it_saves_the_mapping_and_the_report(self):
        self.client.force_login(self.alice)
        data = MAPPING | {"text_column": "review", "label_column": "sentiment"}
        response = self.client.post(self.url, data)
        self.assertRedirects(response, self.url)

        self.spreadsheet.refresh_from_db()
        self.assertEqual(self.spreadsheet.mapping["text"], "review")
        self.assertEqual(self.spreadsheet.mapping["label"], "sentiment")
        self.assertEqual(self.spreadsheet.task, "single_label")
        self.assertEqual(self.spreadsheet.health["rows_used"], 40)
        self.assertEqual(self.spreadsheet.health["problems"], [])
        self.assertTrue(self.spreadsheet.ready)

        response = self.client.get(self.url)
        self.assertContains(response, "Your data is ready for training.")
        self.assertContains(response, "of 40 rows will be used")
        self.assertContains(response, "positive")
        self.assertContains(response, 'class="bar"')

    def test_it_picks_the_files_own_split_column_and_counts_its_parts(self):
        lines = reviews_csv(rows=40).decode().splitlines()
        parts = ["train"] * 30 + ["dev"] * 4 + ["test"] * 6  # sorted by part, as exports are
        csv = "\n".join([lines[0] + ",subset"] + [f"{row},{part}" for row, part in
                                                   zip(lines[1:], parts, strict=True)])  # fmt: skip
        sheet = self.make_spreadsheet(csv.encode(), name="with-split.csv")
        url = reverse("spreadsheets:detail", args=[sheet.uuid])
        self.client.force_login(self.alice)
        page = self.client.get(url)
        self.assertContains(page, '<option value="subset" selected>', html=False)
        self.assertContains(
            page,
            "We picked &quot;subset&quot; as the split. It says train / validation / test for "
            "each row, so training keeps your split.",
        )
        self.client.post(url, MAPPING | {"split_column": "subset"})
        sheet.refresh_from_db()
        self.assertEqual(sheet.health["split_sizes"],
                         {"train_rows": 30, "validation_rows": 4, "test_rows": 6})  # fmt: skip
        self.assertContains(self.client.get(url), "30 / 4 / 6")

    def test_it_blocks_training_with_one_label(self):
        spreadsheet = self.make_spreadsheet(reviews_csv(rows=20, labels=("positive",)))
        url = reverse("spreadsheets:detail", args=[spreadsheet.uuid])
        self.client.force_login(self.alice)
        self.client.post(url, MAPPING)

        response = self.client.get(url)
        self.assertContains(response, "Training can't start until this is fixed.")
        self.assertContains(response, "needs at least two different labels")
        self.assertNotContains(response, "Choose a model and train")
        self.assertFalse(Spreadsheet.objects.get(pk=spreadsheet.pk).ready)

    def test_it_shows_duplicates_and_conflicts(self):
        first = b"Great product, works exactly as described and arrived early. (review number 1)"
        content = reviews_csv(rows=20) + b'99,"' + first + b'",negative\n'
        spreadsheet = self.make_spreadsheet(content)
        url = reverse("spreadsheets:detail", args=[spreadsheet.uuid])
        self.client.force_login(self.alice)
        self.client.post(url, MAPPING)
        response = self.client.get(url)
        self.assertContains(response, "Same text, different answers")
        self.assertContains(response, "1 row repeats a text")

    def test_it_refuses_the_same_column_twice(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url, MAPPING | {"label_column": "review"})
        self.assertContains(response, "Each column can play only one part.")

    def test_it_requires_a_label_column(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url, MAPPING | {"label_column": ""})
        self.assertContains(response, "Pick the column that holds the labels.")

    def test_it_refuses_an_unknown_column(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url, MAPPING | {"text_column": "nope"})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(Spreadsheet.objects.get(pk=self.spreadsheet.pk).health)

    def test_it_refuses_an_unknown_task(self):
        self.client.force_login(self.alice)
        response = self.client.post(self.url, MAPPING | {"task": "astrology"})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(Spreadsheet.objects.get(pk=self.spreadsheet.pk).health)

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.post(self.url, MAPPING).status_code, 404)
        self.assertIsNone(Spreadsheet.objects.get(pk=self.spreadsheet.pk).health)

    def test_it_requires_csrf(self):
        response = self.csrf_client(self.alice).post(self.url, MAPPING)
        self.assertEqual(response.status_code, 403)
