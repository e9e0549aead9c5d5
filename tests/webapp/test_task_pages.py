"""Every registered task's pages exist and its API answer has a shape: the templates it names
load (its data check extends the shared one), and its prediction schema is a pydantic model
the API's union can take. A task defined in a test gets working defaults."""

from django.template.loader import get_template
from django.urls import reverse
from pydantic import BaseModel

from finetune.tasks import TASKS, registered
from tests.finetune.test_plugin_task import AboveHundredTask
from tests.webapp.base import BaseTestCase


def test_each_task_names_templates_that_load_and_an_answer_shape():
    for name, task in TASKS.items():
        for template in (task.health_template, task.evaluation_template, task.try_template):
            if template:  # "" for evaluation: no section of its own
                get_template(template)
        health = get_template(task.health_template).template.source
        assert task.health_template == "spreadsheets/health.html" or (
            '{% extends "spreadsheets/health.html" %}' in health
        ), name
        assert issubclass(task.prediction_schema(), BaseModel), name


def test_a_task_without_pages_of_its_own_gets_the_shared_ones():
    with registered(AboveHundredTask()) as task:
        assert task.health_template == "spreadsheets/health.html"
        assert (task.evaluation_template, task.try_template) == ("", "catalog/try/answer.html")
        answer = task.prediction_schema()(label="yes", confidence=0.9)
        assert answer.model_dump() == {"label": "yes", "confidence": 0.9}
        assert task.try_context({"label": "yes", "confidence": 0.875}, {}) == {
            "percent": 87.5,
            "bars": [],
        }
        assert task.evaluation_context({"accuracy": 1.0}, [], {}) == {}


def test_the_mapping_form_asks_for_each_role_with_the_help_the_chosen_task_gives_it():
    from webapp.spreadsheets.forms import MappingForm, task_roles

    ner = MappingForm(columns=["words"], initial={"task": "ner"}).fields["text_column"]
    assert ner.help_text == TASKS["ner"].roles[0].help and "column of words" in ner.help_text
    plain = MappingForm({"task": "single_label"}, columns=["words"]).fields["text_column"]
    assert plain.help_text == "The text the model reads."
    assert task_roles()["ner"]["text_column"] == ner.help_text  # the page script's copy
    with registered(AboveHundredTask()):
        field = MappingForm(columns=["sentence", "over"]).fields["answer_column"]
        assert (field.label, field.required) == ("Answer column", False)
        assert field.choices == [("", "Pick a column"), ("sentence", "sentence"), ("over", "over")]


class TaskDataCheckTestCase(BaseTestCase):
    """Each task's data check shows its own section (its template), beside the shared one."""

    def check(self, content: bytes, mapping: dict) -> str:
        self.client.force_login(self.alice)
        sheet = self.make_spreadsheet(content, "data.csv")
        url = reverse("spreadsheets:detail", args=[sheet.uuid])
        self.assertEqual(self.client.post(url, mapping).status_code, 302)
        page = self.client.get(url)
        self.assertIn("will be used", page.content.decode())  # the shared figures
        return page.content.decode()

    def test_each_task_shows_its_own_figures(self):
        texts = [f"text number {i} about {'cats' if i % 2 else 'dogs'}" for i in range(24)]
        numbers = "\n".join(f"{t},{i % 5 + 0.5}" for i, t in enumerate(texts))
        page = self.check(f"text,stars\n{numbers}\n".encode(), {"task": "regression",
                          "text_column": "text", "label_column": "stars"})  # fmt: skip
        self.assertIn("range of the values", page)
        self.assertNotIn("different label", page)
        tags = "\n".join(f'{t},"{"a;b" if i % 3 else "a"}{";c" if i == 5 else ""}"'
                         for i, t in enumerate(texts))  # fmt: skip
        page = self.check(f"text,tags\n{tags}\n".encode(), {"task": "multi_label",
                          "text_column": "text", "label_column": "tags"})  # fmt: skip
        self.assertIn("labels per row on average", page)
        self.assertIn("Labels that often come together", page)
        self.assertIn("Drop the label “c” (its rows keep their other labels)", page)
        labels = "\n".join(f"{t},{'x' if i % 4 else 'y'}" for i, t in enumerate(texts))
        page = self.check(f"text,label\n{labels}\n".encode(), {"task": "single_label",
                          "text_column": "text", "label_column": "label"})  # fmt: skip
        self.assertIn("largest label vs. smallest", page)
        self.assertIn('<table class="labels">', page)
        self.assertNotIn("range of the values", page)
