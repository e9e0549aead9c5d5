"""Try it: one text in, the label and a bar per label out, from a model loaded only once."""

from django.test import override_settings
from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import SCRIPT_LABEL, finished_model
from webapp.catalog import predictors

HTMX = {"HTTP_HX_REQUEST": "true"}


class TryTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        predictors.clear()
        self.addCleanup(predictors.clear)
        self.model = finished_model(self.alice_team, self.alice)
        self.url = reverse("catalog:try", args=[self.model.uuid])
        self.labels = self.model.info()["labels"]

    def post(self, text="the film was great and lovely", user=None, **headers):
        self.client.force_login(user or self.alice)
        return self.client.post(self.url, {"text": text}, **headers)

    def test_it_answers_htmx_with_the_label_and_bars(self):
        response = self.post(**HTMX)
        self.assertTemplateUsed(response, "includes/try_result.html")
        self.assertNotContains(response, "<html")
        html = response.content.decode()
        self.assertEqual(html.count('class="bar"'), len(self.labels))
        self.assertIn("% sure", html)
        self.assertNotIn(SCRIPT_LABEL, html)  # escaped, even in the bars
        self.assertTrue(
            any(label.replace("<", "&lt;").replace(">", "&gt;") in html for label in self.labels)
        )

    def test_it_loads_the_model_once(self):
        self.post(**HTMX)
        first = predictors.get_predictor(self.model.run_dir)
        self.post(**HTMX)
        self.assertIs(predictors.get_predictor(self.model.run_dir), first)
        self.assertEqual(predictors.loaded(), [str(self.model.run_dir.resolve())])

    def test_it_keeps_only_a_few_models_loaded(self):
        other = finished_model(self.alice_team, self.alice, name="Other")
        with override_settings(PREDICTOR_CACHE_SIZE=1):
            predictors.get_predictor(self.model.run_dir)
            predictors.get_predictor(other.run_dir)
            self.assertEqual(predictors.loaded(), [str(other.run_dir.resolve())])

    def test_it_works_without_javascript(self):
        response = self.post()
        self.assertTemplateUsed(response, "catalog/detail.html")
        self.assertContains(response, "% sure")

    def test_it_asks_for_a_text(self):
        self.assertContains(self.post(text="   ", **HTMX), "Type a text first.")
        self.assertContains(self.post(text="x" * 10_001, **HTMX), "too long to try here")

    def test_it_answers_404_to_another_team(self):
        self.assertEqual(self.post(user=self.bob, **HTMX).status_code, 404)

    def test_it_enforces_csrf(self):
        client = self.csrf_client(self.alice)
        self.assertEqual(client.post(self.url, {"text": "good"}, **HTMX).status_code, 403)
