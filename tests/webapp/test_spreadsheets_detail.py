"""The mapping page: a preview of the first rows, the guessed columns and why."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase, reviews_csv


class DetailTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.spreadsheet = self.make_spreadsheet(reviews_csv(rows=30))
        self.url = reverse("spreadsheets:detail", args=[self.spreadsheet.uuid])

    def test_it_requires_login(self):
        response = self.client.get(self.url)
        self.assertRedirects(response, f"/login/?next={self.url}")

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_answers_404_for_an_unknown_uuid(self):
        self.client.force_login(self.alice)
        url = reverse("spreadsheets:detail", args=["00000000-0000-0000-0000-000000000000"])
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_it_previews_the_first_20_rows(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, "The first 20 of 30 rows.")
        self.assertContains(response, "(review number 20)")
        self.assertNotContains(response, "(review number 21)")

    def test_it_prefills_the_guess_and_says_why(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        form = response.context["form"]
        self.assertEqual(form["text_column"].value(), "review")
        self.assertEqual(form["label_column"].value(), "sentiment")
        self.assertContains(response, "We picked &quot;review&quot; as the text")
        self.assertContains(response, "We picked &quot;sentiment&quot; as the label")

    def test_it_offers_the_tasks(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertContains(response, 'value="single_label"')

    def test_it_escapes_cells(self):
        content = "review,sentiment\n" + "".join(
            f"<script>alert({i})</script> is a nasty review,{'a' if i % 2 else 'b'}\n"
            for i in range(12)
        )
        spreadsheet = self.make_spreadsheet(content.encode(), "<i>evil.csv")
        self.client.force_login(self.alice)
        response = self.client.get(reverse("spreadsheets:detail", args=[spreadsheet.uuid]))
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt; is a nasty review")
        self.assertNotContains(response, "<script>alert(")
        self.assertContains(response, "&lt;i&gt;evil.csv")
        self.assertNotContains(response, "<i>evil")

    def test_it_shows_no_health_report_before_the_check(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertNotContains(response, "Data check")
