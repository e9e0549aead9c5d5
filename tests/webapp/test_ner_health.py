"""The data check of an entity spreadsheet: names per type, texts without any, the entities it
could not place (by row, with the entity), overlaps, repaired tags and long texts read in
pieces."""

import re

from django.urls import reverse

from bench.ner_layouts import layout_frames
from tests.webapp.base import BaseTestCase
from tests.webapp.ner_support import csv_bytes, ner_sentences


class NerHealthTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.alice)

    def check(self, frame, **fields) -> str:
        """Upload `frame`, save the mapping for task "ner"; the data check's HTML."""
        sheet = self.make_spreadsheet(csv_bytes(frame), "names.csv")
        url = reverse("spreadsheets:detail", args=[sheet.uuid])
        self.assertRedirects(self.client.post(url, {"task": "ner"} | fields), url)
        html = self.client.get(url).content.decode()
        return html.split('id="health"')[1].split("</section>")[0]

    def test_it_counts_names_per_type_and_lists_what_it_could_not_place(self):
        frame = layout_frames(ner_sentences(30))["entities"]
        counts = {}
        for cell in frame["entities"]:
            for item in cell.split("; "):
                kind = item.rsplit(" = ", 1)[1]
                counts[kind] = counts.get(kind, 0) + 1
        # Row 2 lists a name that is not in its text; row 3 one that crosses another; row 4
        # has no name; row 5 is a text longer than the model reads.
        frame.loc[0, "entities"] += "; zurich = LOC"
        frame.loc[1, "text"] = "met new york today"
        frame.loc[1, "entities"] = "new york = LOC; york today = ORG"
        frame.loc[2, "entities"] = ""
        frame.loc[3, "text"] = " ".join(["the alice met"] * 60)
        frame.loc[3, "entities"] = "alice = PER"
        health = self.check(frame, text_column="text", entities_column="entities")

        self.assertIn("Your data is ready for training.", health)
        table = health.split('class="labels entity-types"')[1].split("</table>")[0]
        shown = dict(re.findall(r'<tr><td>(\w+)</td><td class="num">(\d+)</td>', table))
        self.assertEqual(set(shown), {"PER", "LOC", "ORG"})
        self.assertTrue(all(int(n) > 0 for n in shown.values()), shown)
        self.assertIn("without any name", health)
        self.assertRegex(health, r'<div class="value">1</div><div class="name">text without any')
        self.assertRegex(health, r'<div class="value">1</div><div class="name">long text read in')
        self.assertIn("Read as one row per text, its entities listed in one column.", health)

        issues = dict(re.findall(r"<h3>([^<:]+): \d+</h3>(.*?)</table>", health, re.S))
        self.assertIn("Entity not found in its text", issues)
        self.assertRegex(issues["Entity not found in its text"], r'"num">2</td><td>[^<]*zurich')
        self.assertIn("Overlapping entities", issues)
        self.assertRegex(issues["Overlapping entities"], r'"num">3</td><td>[^<]*york today')

    def test_it_says_how_many_tags_it_repaired(self):
        frame = layout_frames(ner_sentences(30))["token_lists"]
        tags = frame.loc[0, "tags"].split()
        first = next(i for i, tag in enumerate(tags) if tag.startswith("B-"))
        tags[first] = "I-" + tags[first][2:]  # an I- tag without its B-
        frame.loc[0, "tags"] = " ".join(tags)
        health = self.check(frame, text_column="tokens", tags_column="tags")
        self.assertIn("with BIO tags. 1 tag was repaired", health)
        self.assertIn("Your data is ready for training.", health)

    def test_it_blocks_a_file_without_any_name(self):
        frame = layout_frames(ner_sentences(20))["entities"]
        frame["entities"] = ""
        health = self.check(frame, text_column="text", entities_column="entities")
        self.assertIn("No entity was found in any text", health)
        self.assertIn("No names found.", health)
