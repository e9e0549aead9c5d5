"""The data check of Chinese text: lengths in characters, and how much of the text the
bundled model cannot read, with the models that can."""

from django.urls import reverse

from tests.finetune.chinesedata import chinese_csv
from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import mapped_spreadsheet


class ChineseDataCheckTestCase(BaseTestCase):
    def test_it_counts_characters_and_says_what_the_bundled_model_cannot_read(self):
        sheet = mapped_spreadsheet(self, content=chinese_csv())
        self.client.force_login(self.alice)
        response = self.client.get(reverse("spreadsheets:detail", args=[sheet.uuid]))
        self.assertContains(response, "characters per text on average")
        share = round(100 * sheet.health["unknown_share"])
        self.assertContains(
            response,
            f"MiniLM (bundled) does not know {share}% of these characters: it reads them all as "
            "the same unknown sign. Pick BERT Chinese or DistilBERT multilingual as the base "
            "model if the worker has internet; otherwise LabelTune adds these characters to "
            "the model before training.",
        )

    def test_english_text_is_counted_in_words_without_a_warning(self):
        sheet = mapped_spreadsheet(self)
        self.client.force_login(self.alice)
        response = self.client.get(reverse("spreadsheets:detail", args=[sheet.uuid]))
        self.assertContains(response, "words per text on average")
        self.assertNotContains(response, "does not know")
