"""The models list and a model's page: card, figures, data, settings; team-scoped and escaped."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import SCRIPT_LABEL, finished_model

ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


class ModelPagesTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.model = finished_model(self.alice_team, self.alice, name="Alice model")
        self.url = reverse("catalog:detail", args=[self.model.uuid])

    def test_it_requires_login(self):
        for url in (reverse("catalog:list"), self.url):
            self.assertRedirects(self.client.get(url), f"{reverse('login')}?next={url}")

    def test_it_lists_only_the_team_models(self):
        finished_model(self.bob_team, self.bob, name="Bob model")
        self.client.force_login(self.alice)
        response = self.client.get(reverse("catalog:list"))
        self.assertContains(response, "Alice model")
        self.assertNotContains(response, "Bob model")

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)

    def test_it_shows_the_card_figures_data_and_settings(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        metrics = self.model.run.metrics
        self.assertContains(response, "Model card")
        self.assertContains(response, "Text classification, fine-tuned from")
        self.assertContains(response, f"Accuracy on {metrics['test_rows']} test rows")
        self.assertContains(
            response, "Text classification: text &quot;review&quot;, label &quot;sentiment&quot;"
        )
        self.assertContains(response, "learning rate 0.003")
        self.assertNotContains(response, "learning_rate")
        self.assertContains(response, reverse("catalog:download", args=[self.model.uuid]))
        self.assertContains(response, reverse("runs:evaluation", args=[self.model.run.uuid]))
        self.assertContains(response, f'hx-post="{reverse("catalog:try", args=[self.model.uuid])}"')

    def test_it_escapes_labels_and_the_card(self):
        self.client.force_login(self.alice)
        response = self.client.get(self.url)
        self.assertNotContains(response, SCRIPT_LABEL)
        self.assertContains(response, ESCAPED)


class ServedPrecisionTestCase(BaseTestCase):
    def test_it_says_which_copy_answers(self):
        model = finished_model(self.alice_team, self.alice)
        url = reverse("catalog:detail", args=[model.uuid])
        self.client.force_login(self.alice)
        run = model.run
        cases = [
            (
                {
                    "int8_ok": True,
                    "int8_agreement": 0.995,
                    "int8_test_accuracy": 0.8,
                    "test_accuracy": 0.81,
                },
                "a compact int8 copy of the model answers",
            ),  # fmt: skip
            ({"int8_ok": False, "int8_agreement": 0.9}, "so it is not used"),
        ]
        for figures, sentence in cases:
            run.metrics = run.metrics | figures | {"served": "model"}  # not a simpler one
            run.save(update_fields=["metrics"])
            response = self.client.get(url)
            self.assertContains(response, sentence)
        self.assertContains(response, "same answer on 90%")
