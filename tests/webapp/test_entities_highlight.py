"""A text with its entities marked: segments cut by characters, printed escaped."""

from django.template import Context, Template
from django.test import SimpleTestCase

from lib.entities import COLOURS, colour_of, highlight, types_in


def render(text: str, entities: list[dict], confidence: bool = False) -> str:
    template = Template("{% load entities %}{% highlighted text entities confidence %}")
    return template.render(Context({"text": text, "entities": entities, "confidence": confidence}))


class HighlightTestCase(SimpleTestCase):
    def test_it_cuts_the_text_around_each_entity(self):
        text = "Ada Lovelace met Babbage in London."
        entities = [
            {"type": "PER", "text": "Babbage", "start": 17, "end": 24, "confidence": 0.91},
            {"type": "PER", "text": "Ada Lovelace", "start": 0, "end": 12, "confidence": 0.5},
            {"type": "LOC", "text": "London", "start": 28, "end": 34},
        ]
        segments = highlight(text, entities)
        self.assertEqual("".join(s["text"] for s in segments), text)
        marked = [(s["text"], s["type"], s["confidence"]) for s in segments if s["entity"]]
        self.assertEqual(
            marked, [("Ada Lovelace", "PER", 50), ("Babbage", "PER", 91), ("London", "LOC", None)]
        )
        self.assertEqual(segments[-1], {"text": ".", "entity": False})

    def test_it_leaves_out_overlapping_and_impossible_entities(self):
        text = "New York Times"
        entities = [
            {"type": "ORG", "start": 0, "end": 14},
            {"type": "LOC", "start": 0, "end": 8},  # inside the longer one drawn first
            {"type": "X", "start": 10, "end": 40},  # past the end of the text
            {"type": "X", "start": 5, "end": 5},  # empty
            {"type": "X"},  # no offsets at all
        ]
        segments = highlight(text, entities)
        self.assertEqual(segments, [{"text": text, "entity": True, "type": "ORG",
                                     "colour": colour_of("ORG"), "confidence": None}])  # fmt: skip
        self.assertEqual(highlight("", []), [{"text": "", "entity": False}])
        self.assertEqual(highlight("plain", None), [{"text": "plain", "entity": False}])

    def test_it_cuts_chinese_text_by_characters(self):
        text = "张三在北京大学工作。"
        entities = [
            {"type": "PER", "start": 0, "end": 2, "confidence": 0.88},
            {"type": "ORG", "start": 3, "end": 7, "confidence": 0.7},
        ]
        segments = highlight(text, entities)
        self.assertEqual(
            [(s["text"], s["entity"]) for s in segments],
            [("张三", True), ("在", False), ("北京大学", True), ("工作。", False)],
        )
        html = render(text, entities, confidence=True)
        self.assertIn('>张三 <span class="ent-type">PER 88%</span></mark>在<mark', html)
        self.assertIn('>北京大学 <span class="ent-type">ORG 70%</span></mark>工作。', html)

    def test_it_escapes_the_text_the_entities_and_their_types(self):
        text = 'Tom & Jerry <script>alert("x")</script> at AT&T'
        entities = [
            {"type": "PER", "start": 0, "end": 11},  # "Tom & Jerry"
            {"type": "<b>ORG</b>", "start": 43, "end": 47},  # "AT&T", a hostile type name
        ]
        html = render(text, entities)
        self.assertNotIn("<script>", html)
        self.assertNotIn("<b>", html)
        self.assertIn("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;", html)
        self.assertIn('data-type="PER" title="PER">Tom &amp; Jerry <span', html)
        self.assertIn('data-type="&lt;b&gt;ORG&lt;/b&gt;"', html)
        self.assertIn('>AT&amp;T <span class="ent-type">&lt;b&gt;ORG&lt;/b&gt;</span></mark>', html)
        self.assertEqual(html.count("<mark "), 2)

    def test_it_gives_each_type_one_colour_everywhere(self):
        self.assertEqual(colour_of("LOC"), colour_of("LOC"))
        self.assertTrue(all(0 <= colour_of(t) < COLOURS for t in ("PER", "地名", "", "x" * 99)))
        html = render("Paris and Lyon", [{"type": "LOC", "start": 0, "end": 5},
                                         {"type": "LOC", "start": 10, "end": 14}])  # fmt: skip
        self.assertEqual(html.count(f'class="ent ent-{colour_of("LOC")}"'), 2)
        legend = types_in([{"type": "PER"}, {"type": "LOC"}], [{"type": "PER"}])
        self.assertEqual([t["type"] for t in legend], ["LOC", "PER"])
