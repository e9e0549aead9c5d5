"""The Train page says when the text is mostly Chinese and the picked model is English-first,
and names the Chinese and multilingual models; a small script shows the note only while
such a model is picked (data attributes on the choices, no inline script)."""

from django.urls import reverse

from tests.finetune.chinesedata import chinese_csv
from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import mapped_spreadsheet

NOTE = (
    "This text is mostly Chinese, and the model picked learned from English text and reads "
    "little of it (MiniLM (bundled) does not know 100% of these characters): pick BERT "
    "Chinese or DistilBERT multilingual, which read it."
)


class LanguageNoteTestCase(BaseTestCase):
    def page(self, content: bytes | None = None):
        sheet = mapped_spreadsheet(self, content=content)
        self.client.force_login(self.alice)
        return sheet, self.client.get(reverse("runs:new", args=[sheet.uuid]))

    def test_it_tells_chinese_text_from_the_data_check(self):
        sheet, _ = self.page(chinese_csv())
        health = sheet.health
        self.assertEqual((health["length_unit"], health["script"]), ("characters", "Chinese"))
        self.assertEqual(health["unknown_model"], "MiniLM (bundled)")
        self.assertGreater(health["unknown_share"], 0.5)  # it knows only a few common ones

    def test_it_warns_while_an_english_first_model_is_picked(self):
        sheet, response = self.page(chinese_csv())
        share = round(100 * sheet.health["unknown_share"])
        self.assertContains(response, NOTE.replace("100%", f"{share}%"))
        self.assertContains(response, 'id="language-note" role="note">')  # shown: not hidden
        self.assertContains(response, "js/new_run.js")
        html = response.content.decode()
        for model_id, english_first in [
            ("all-MiniLM-L6-v2", True),
            ("roberta-base", True),
            ("bert-base-chinese", False),
            ("distilbert-base-multilingual-cased", False),
        ]:
            tag = html[html.index(f'value="{model_id}"') :].split(">", 1)[0]
            self.assertEqual("data-english-first" in tag, english_first, model_id)

    def test_it_hides_the_note_when_another_model_is_picked(self):
        sheet, _ = self.page(chinese_csv())
        response = self.client.post(
            reverse("runs:new", args=[sheet.uuid]),
            {"name": "Reviews", "base_model": "bert-base-chinese", "epochs": "-1"},
        )
        self.assertEqual(response.status_code, 400)  # the page again, with the choice kept
        self.assertContains(response, 'value="bert-base-chinese" checked', status_code=400)
        self.assertContains(response, 'id="language-note" role="note" hidden>', status_code=400)

    def test_it_says_nothing_about_english_text(self):
        sheet, response = self.page()
        self.assertEqual(sheet.health["length_unit"], "words")
        self.assertNotContains(response, "language-note")
        self.assertNotContains(response, "mostly Chinese")
