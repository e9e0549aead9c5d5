"""The entity evaluation lists its test texts with a mistake twenty at a time, most mistakes
first: "Show more" brings the next ones (an htmx partial, or the page with ?shown= without
JavaScript) and a filter keeps the texts with a mistake in one type of name."""

import json
import re

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.ner_support import finished_ner_model

HTMX = {"HTTP_HX_REQUEST": "true"}
TEXT = "alice met bob in paris on day {}"
ALICE, BOB, PARIS, DAY = (0, 5, "PER"), (10, 13, "PER"), (17, 22, "LOC"), (26, 29, "ORG")
FOUND = [  # by i % 5: what the model found, and its mistakes
    [],  # all three missed: 3 (PER, LOC)
    [ALICE, BOB],  # paris missed: 1 (LOC)
    [ALICE, BOB, (17, 22, "ORG")],  # paris missed and called ORG: 2 (LOC, ORG)
    [ALICE, PARIS],  # bob missed: 1 (PER)
    [ALICE, BOB, PARIS, DAY],  # "day" is no name: 1 (ORG)
]


def names(text: str, spans) -> list[dict]:
    return [{"type": t, "text": text[s:e], "start": s, "end": e} for s, e, t in spans]


def example(i: int) -> dict:
    text = TEXT.format(i)
    predicted = [n | {"confidence": 0.8} for n in names(text, FOUND[i % 5])]
    return {"row": i + 2, "text": text, "expected": names(text, [ALICE, BOB, PARIS]),
            "predicted": predicted}  # fmt: skip


def rows_in(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"Spreadsheet row (\d+)", html)]


class NerMistakesTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.run = finished_ner_model(self.alice_team, self.alice).run
        path = self.run.out_dir / "evaluation.json"
        evaluation = json.loads(path.read_text()) | {
            "examples": [example(i) for i in range(40)],
            "examples_total": 40,
        }
        path.write_text(json.dumps(evaluation), encoding="utf-8")
        self.page = reverse("runs:evaluation", args=[self.run.uuid])
        self.more = reverse("runs:entity_mistakes", args=[self.run.uuid])
        self.client.force_login(self.alice)
        # Rows (i + 2) by mistakes: 3 for i % 5 == 0, 2 for i % 5 == 2, then 1 in test order.
        self.order = [i + 2 for i in range(0, 40, 5)] + [i + 2 for i in range(2, 40, 5)]
        self.order += [i + 2 for i in range(40) if i % 5 in (1, 3, 4)]

    def test_it_shows_the_twenty_with_the_most_mistakes_first(self):
        html = self.client.get(self.page).content.decode()
        self.assertEqual(rows_in(html), self.order[:20])
        self.assertIn("Showing 20 of 40 texts with mistakes", html)
        link = html.split('<p class="more">')[1].split("</p>")[0]
        self.assertIn(">Show 20 more</a>", link)
        self.assertIn(f'href="{self.page}?shown=40#mistake-20"', link)
        self.assertIn(f'hx-get="{self.more}?offset=20"', link)

    def test_it_shows_more_in_the_buttons_place(self):
        response = self.client.get(self.more, {"offset": 20}, **HTMX)
        html = response.content.decode()
        self.assertNotIn("<html", html)
        self.assertEqual(rows_in(html), self.order[20:])
        self.assertIn('id="mistake-20"', html)
        self.assertNotIn('class="more"', html)  # nothing left to show
        self.assertIn('<span id="entity-count" hx-swap-oob="true">Showing all 40 texts', html)

    def test_it_shows_more_without_javascript(self):
        html = self.client.get(self.page, {"shown": 40}).content.decode()
        self.assertEqual(rows_in(html), self.order)
        self.assertIn("Showing all 40 texts with mistakes", html)

    def test_it_filters_by_type_of_name(self):
        html = self.client.get(self.page).content.decode()
        self.assertIn('<option value="ORG">ORG (16 texts)</option>', html)
        self.assertIn('<option value="LOC">LOC (24 texts)</option>', html)
        html = self.client.get(self.page, {"type": "ORG"}).content.decode()
        org = [i + 2 for i in range(40) if i % 5 in (2, 4)]
        self.assertEqual(rows_in(html), [r for r in self.order if r in org])
        self.assertIn("Showing all 16 texts with a mistake in a “ORG” name", html)
        self.assertIn('<option value="ORG" selected>', html)
        html = self.client.get(self.page, {"type": "LOC"}).content.decode()
        self.assertEqual(len(rows_in(html)), 20)
        self.assertIn(f'hx-get="{self.more}?type=LOC&amp;offset=20"', html)
        more = self.client.get(self.more, {"type": "LOC", "offset": 20}, **HTMX)
        loc = [i + 2 for i in range(40) if i % 5 in (0, 1, 2)]
        self.assertEqual(rows_in(more.content.decode()), [r for r in self.order if r in loc][20:])
        unknown = self.client.get(self.page, {"type": "<b>"}).content.decode()
        self.assertEqual(rows_in(unknown), self.order[:20])  # a type it does not know: all

    def test_it_says_when_the_page_kept_only_the_most_wrong(self):
        path = self.run.out_dir / "evaluation.json"
        path.write_text(json.dumps(json.loads(path.read_text()) | {"examples_total": 1287}))
        html = self.client.get(self.page).content.decode()
        self.assertIn("This page keeps the 40 texts with the most mistakes, of 1,287 in all", html)

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.more, {"offset": 20}, **HTMX).status_code, 404)
        self.assertEqual(self.client.get(self.page).status_code, 404)
