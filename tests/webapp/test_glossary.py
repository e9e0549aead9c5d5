"""The glossary: one page with every word and its sentence, and a "?" beside the words where
the evaluation, run and Train pages use them."""

from django.urls import reverse
from django.utils.html import escape

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model, mapped_spreadsheet
from webapp.glossary import GLOSSARY

NEEDED = ("epoch", "validation rows", "test rows", "f1", "precision", "recall", "loss",
          "base model", "threshold", "mae", "rmse", "r2", "pearson", "spearman")  # fmt: skip


def question_mark(key: str) -> str:
    """What the page holds for the "?" of `key`."""
    anchor = key.replace(" ", "-")
    return f'href="/help/glossary/#{anchor}" title="{escape(GLOSSARY[key][1])}"'


class GlossaryTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def test_the_page_lists_every_word_with_its_sentence(self):
        self.assertEqual(reverse("glossary"), "/help/glossary/")
        response = self.client.get(reverse("glossary"))
        for key in NEEDED:
            name, words = GLOSSARY[key]
            self.assertContains(response, f'<dt id="{key.replace(" ", "-")}">{escape(name)}</dt>')
            self.assertContains(response, f"<dd>{escape(words)}</dd>")
        self.assertContains(response, "One pass of training over all the training rows.")
        self.assertContains(response, "R²")

    def test_each_sentence_is_short_and_plain(self):
        for name, words in GLOSSARY.values():
            self.assertTrue(words.endswith("."), name)
            self.assertLessEqual(words.count(". "), 2, name)
            for jargon in ("tensor", "gradient", "logit", "tokenizer", "CUDA"):
                self.assertNotIn(jargon, words)

    def test_the_evaluation_page_explains_its_words(self):
        model = finished_model(self.alice_team, self.alice)
        response = self.client.get(reverse("runs:evaluation", args=[model.run.uuid]))
        for key in ("test rows", "epoch", "validation rows", "loss", "precision", "recall", "f1"):
            self.assertContains(response, question_mark(key))
        self.assertContains(response, 'aria-label="What is Precision?"')

    def test_the_run_page_explains_its_words(self):
        model = finished_model(self.alice_team, self.alice)
        response = self.client.get(reverse("runs:detail", args=[model.run.uuid]))
        for key in ("base model", "loss", "validation rows", "epoch"):
            self.assertContains(response, question_mark(key))

    def test_the_train_page_explains_its_words(self):
        sheet = mapped_spreadsheet(self)
        response = self.client.get(reverse("runs:new", args=[sheet.uuid]))
        for key in ("base model", "epoch", "validation rows", "test rows"):
            self.assertContains(response, question_mark(key))


def test_every_task_section_names_words_the_glossary_has():
    from django.template import Context, Template

    from finetune.tasks import TASKS

    for task in TASKS.values():  # a term missing from the glossary fails to render
        source = "{% include name %}"
        html = Template(source).render(Context({"name": task.evaluation_template}))
        assert 'class="term"' in html, task.name
    regression = Template("{% include 'runs/evaluation/regression.html' %}").render(Context())
    for key in ("mae", "rmse", "r2", "pearson", "spearman"):
        assert question_mark(key) in regression
