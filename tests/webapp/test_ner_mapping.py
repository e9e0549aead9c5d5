"""The mapping page for named entities: each of the three layouts, the suggestion, the accepted
entity formats, and column names in Chinese."""

from django.urls import reverse
from django.utils.html import escape

from bench.ner_layouts import layout_frames
from finetune.tasks import TASKS
from finetune.tasks.ner.layouts import ENTITY_FORMAT_HELP
from tests.webapp.base import BaseTestCase
from tests.webapp.ner_support import csv_bytes, ner_sentences
from webapp.spreadsheets.forms import task_roles

NER_FIELDS = {"text_column", "entities_column", "tags_column", "sentence_column",
              "entity_layout", "split_column"}  # fmt: skip
CHINESE = [  # (text, entities) in the first layout, with Chinese column names
    ("张三在北京工作。", "张三 = PER; 北京 = LOC"),
    ("李四去了上海。", "李四 = PER; 上海 = LOC"),
    ("王五在腾讯上班。", "王五 = PER; 腾讯 = ORG"),
    ("赵六从广州来。", "赵六 = PER; 广州 = LOC"),
]


def chinese_csv(rows: int = 16) -> bytes:
    lines = ["编号,文本,实体"]
    for i in range(rows):
        text, entities = CHINESE[i % len(CHINESE)]
        lines.append(f"{i + 1},{text},{entities}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def blank_row_csv(sentences) -> bytes:
    """Layout 2 without a sentence column: an empty line between sentences."""
    blocks = ["\n".join(f"{token},{tag}" for token, tag in s) for s in sentences]
    return ("token,tag\n" + "\n\n".join(blocks) + "\n").encode("utf-8")


class NerMappingTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.sentences = ner_sentences(30)
        self.frames = layout_frames(self.sentences)
        self.client.force_login(self.alice)

    def sheet_and_url(self, content: bytes, name: str = "names.csv"):
        sheet = self.make_spreadsheet(content, name)
        return sheet, reverse("spreadsheets:detail", args=[sheet.uuid])

    def save(self, content: bytes, **fields):
        """Upload `content`, post the mapping `fields` for task "ner"; the saved spreadsheet."""
        sheet, url = self.sheet_and_url(content)
        response = self.client.post(url, {"task": "ner"} | fields)
        self.assertRedirects(response, url)
        sheet.refresh_from_db()
        return sheet

    def test_it_asks_only_for_the_columns_of_entities(self):
        self.assertEqual(set(task_roles()["ner"]), NER_FIELDS)
        for name, fields in task_roles().items():
            if name != "ner":
                self.assertFalse({"entities_column", "tags_column"} & set(fields), name)

    def test_it_suggests_entities_and_says_why_and_how_to_write_them(self):
        _, url = self.sheet_and_url(csv_bytes(self.frames["entities"]))
        page = self.client.get(url)
        html = page.content.decode()
        self.assertEqual(page.context["form"].initial["task"], "ner")
        self.assertContains(page, f"We suggest “{TASKS['ner'].title}”.")
        self.assertEqual(page.context["form"].initial["entities_column"], "entities")
        for field in NER_FIELDS:
            self.assertIn(f'data-field="{field}"', html)
        self.assertContains(page, ENTITY_FORMAT_HELP.replace('"', "&quot;"))
        for choice in ("Detect it", "One row per text, entities listed", "One row per token",
                       "Tokens and tags columns"):  # fmt: skip
            self.assertContains(page, f">{choice}</option>")

    def test_it_saves_the_first_layout(self):
        sheet = self.save(
            csv_bytes(self.frames["entities"]), text_column="text", entities_column="entities",
            entity_layout="entities",
        )  # fmt: skip
        self.assertEqual((sheet.task, sheet.mapping["entities"]), ("ner", "entities"))
        self.assertEqual(sheet.mapping["entity_layout"], "entities")
        self.assertTrue(sheet.ready, sheet.health)
        self.assertEqual(sheet.health["rows_used"], 30)
        page = self.client.get(reverse("spreadsheets:detail", args=[sheet.uuid]))
        self.assertContains(page, "Your data is ready for training.")
        self.assertContains(page, "entities &quot;entities&quot;")

    def test_it_saves_one_row_per_token_with_a_sentence_column(self):
        sheet = self.save(
            csv_bytes(self.frames["token_rows"]), text_column="token", tags_column="tag",
            sentence_column="sentence",
        )  # fmt: skip
        self.assertEqual(
            {k: sheet.mapping[k] for k in ("text", "tags", "sentence", "entity_layout")},
            {"text": "token", "tags": "tag", "sentence": "sentence", "entity_layout": "token_rows"},
        )  # "Detect it" was posted: the layout the check found is kept, so runs freeze it
        self.assertTrue(sheet.ready, sheet.health)
        self.assertEqual(sheet.health["rows_used"], 30)  # sentences, not token rows
        rows = len(self.frames["token_rows"])
        page = self.client.get(reverse("spreadsheets:detail", args=[sheet.uuid]))
        self.assertContains(page, f"texts from {rows} rows will be used")

    def test_it_saves_one_row_per_token_with_blank_rows_between_sentences(self):
        sheet = self.save(
            blank_row_csv(self.sentences), text_column="token", tags_column="tag",
            entity_layout="token_rows",
        )  # fmt: skip
        self.assertTrue(sheet.ready, sheet.health)
        self.assertEqual(sheet.health["rows_used"], 30)

    def test_it_saves_tokens_and_tags_columns(self):
        sheet = self.save(
            csv_bytes(self.frames["token_lists"]), text_column="tokens", tags_column="tags",
            entity_layout="token_lists",
        )  # fmt: skip
        self.assertEqual((sheet.mapping["text"], sheet.mapping["tags"]), ("tokens", "tags"))
        self.assertTrue(sheet.ready, sheet.health)
        self.assertEqual(sheet.health["rows_used"], 30)

    def test_it_reads_column_names_in_chinese(self):
        _, url = self.sheet_and_url(chinese_csv())
        page = self.client.get(url)
        self.assertContains(page, '<option value="实体"')
        sheet = self.save(chinese_csv(), text_column="文本", entities_column="实体")
        self.assertEqual((sheet.mapping["text"], sheet.mapping["entities"]), ("文本", "实体"))
        self.assertTrue(sheet.ready, sheet.health)
        page = self.client.get(reverse("spreadsheets:detail", args=[sheet.uuid]))
        self.assertContains(page, "entities &quot;实体&quot;")

    def test_it_asks_for_the_entities_or_the_tags(self):
        _, url = self.sheet_and_url(csv_bytes(self.frames["entities"]))
        response = self.client.post(url, {"task": "ner", "text_column": "text"})
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].non_field_errors()
        self.assertEqual(len(errors), 1, errors)
        self.assertIn("Pick the column that lists the entities of each text", errors[0])
        self.assertContains(response, escape(errors[0]))

    def test_it_refuses_the_same_column_twice(self):
        _, url = self.sheet_and_url(csv_bytes(self.frames["entities"]))
        data = {"task": "ner", "text_column": "text", "entities_column": "text"}
        response = self.client.post(url, data)
        self.assertContains(response, "Each column can play only one part.")
