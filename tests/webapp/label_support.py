"""Shared pieces of the label-issue tests: a spreadsheet with labels flipped on purpose, a
tiny model that tells its topics apart, and the check run by a real RQ worker.

    class T(LabelIssuesMixin, RedisMixin, BaseTestCase):
        sheet = self.noisy_sheet()          # uploaded and checked through the views
        page = self.look_for_wrong_labels(sheet)   # queued, run by a burst worker, page
"""

import html
import re

from django.test import override_settings
from django.urls import reverse
from rq import SimpleWorker

from tests.finetune.labelnoise import noisy_topics, topic_model
from tests.webapp.runs_support import session_dir

MODEL = "topic-bert"
FIX_FORM = re.compile(
    r'<form method="post" action="(?P<action>[^"]+/labels/fix(?:-all)?/)".*?</form>', re.S
)


def models_dir():
    """A folder of base models holding the topic model, built once per session."""
    folder = session_dir() / "label-models"
    if not (folder / MODEL / "config.json").is_file():
        topic_model(folder / MODEL)
    return folder


def label_forms(page: str) -> list[dict]:
    """The label fix buttons of a page: each form's URL, hidden fields and html."""
    forms = []
    for match in FIX_FORM.finditer(page):
        fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', match[0]))
        fields.pop("csrfmiddlewaretoken", None)
        forms.append({"action": html.unescape(match["action"]), "fields": fields, "html": match[0]})
    return forms


class LabelIssuesMixin:
    def setUp(self):
        super().setUp()
        local = override_settings(LABELTUNE_LOCAL_MODELS_DIR=str(models_dir()))
        local.enable()
        self.addCleanup(local.disable)

    def noisy_sheet(self):
        """The topics CSV with three rows labelled wrong, uploaded and checked by alice."""
        frame, self.truth = noisy_topics()
        sheet = self.make_spreadsheet(frame.to_csv(index=False).encode(), "topics.csv")
        url = reverse("spreadsheets:detail", args=[sheet.uuid])
        self.client.force_login(self.alice)
        data = {"task": "single_label", "text_column": "text", "label_column": "topic"}
        self.assertRedirects(self.client.post(url, data), url)
        sheet.refresh_from_db()
        return sheet

    def look_for_wrong_labels(self, sheet) -> str:
        """Press "Look for labels that look wrong" with the topic model; a real RQ worker
        runs the job; the spreadsheet page after it."""
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("spreadsheets:label_check", args=[sheet.uuid]),
                {"base_model": f"local:{MODEL}"},
            )
        self.assertEqual(response.status_code, 302)
        SimpleWorker(["predictions"], connection=self.redis).work(burst=True)
        return self.page(sheet)

    def page(self, sheet) -> str:
        url = reverse("spreadsheets:detail", args=[sheet.uuid])
        return html.unescape(self.client.get(url).content.decode())

    def press(self, form: dict, **fields) -> str:
        """Post one fix form (its hidden fields, and `fields`); the page it leads to."""
        response = self.client.post(form["action"], form["fields"] | fields)
        self.assertEqual(response.status_code, 302)
        return html.unescape(self.client.get(response["Location"]).content.decode())
