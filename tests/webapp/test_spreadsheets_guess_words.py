"""The mapping page says why it picked each column in words that agree with the task it
suggests: a column of similarity scores is numbers to predict, not "a list of categories",
and of two sentence columns the left one is the first text."""

import html

from django.urls import reverse

from tests.webapp.base import BaseTestCase


def sts_csv() -> bytes:
    """An STS-B-like file: two sentences and a similarity score with many values."""
    lines = ["Sentence A,Sentence B,score"]
    for i in range(60):
        lines.append(
            f'"A man plays the guitar, take {i}.",'
            f'"Someone is playing an instrument on a stage, take {i}.",{i % 26 / 5:.1f}'
        )
    return ("\n".join(lines) + "\n").encode()


class GuessWordsTestCase(BaseTestCase):
    def test_it_gives_reasons_that_fit_the_suggested_task(self):
        sheet = self.make_spreadsheet(sts_csv(), "sts.csv")
        self.client.force_login(self.alice)
        url = reverse("spreadsheets:detail", args=[sheet.uuid])
        page = html.unescape(self.client.get(url).content.decode())
        self.assertIn("We suggest “Regression: predict a number”.", page)
        self.assertIn(
            'We picked "score" as the label. It holds the numbers to predict (26 different '
            "values from 0 to 5).",
            page,
        )
        self.assertNotIn("like a list of categories", page)
        self.assertIn(
            'We picked "Sentence A" as the text. It is the first of the two text columns; '
            '"Sentence B" is the second text.',
            page,
        )
        self.assertEqual((sheet.mapping["text"], sheet.mapping["text_pair"]),
                         ("Sentence A", "Sentence B"))  # fmt: skip
