"""The pages of a trained entity model (the tiny BERT trained for real): the evaluation with its
per-type table and texts drawn twice, Try it with each name marked, the API's entity list and
a scored spreadsheet with its entities column. Every text shown is escaped."""

import csv
import io
import json
import re
from html import unescape

from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from finetune.tasks.ner.layouts import parse_entity_cell
from tests.webapp.base import BaseTestCase
from tests.webapp.ner_support import finished_ner_model
from tests.webapp.runs_support import RedisMixin
from webapp.accounts.models import ApiToken
from webapp.catalog import jobs, predictors
from webapp.catalog.models import BatchPrediction

HTMX = {"HTTP_HX_REQUEST": "true"}
HOSTILE = "Tom & <script>alert(1)</script> met alice in paris"
ALICE, PARIS = HOSTILE.index("alice"), HOSTILE.index("paris")
EXAMPLE = {  # a test text as evaluation.json lists it: one name missed, one with another type
    "row": 7,
    "text": HOSTILE,
    "expected": [
        {"type": "PER", "text": "Tom", "start": 0, "end": 3},
        {"type": "PER", "text": "alice", "start": ALICE, "end": ALICE + 5},
        {"type": "LOC", "text": "paris", "start": PARIS, "end": PARIS + 5},
    ],
    "predicted": [
        {"type": "PER", "text": "alice", "start": ALICE, "end": ALICE + 5, "confidence": 0.9},
        {"type": "ORG", "text": "paris", "start": PARIS, "end": PARIS + 5, "confidence": 0.6},
    ],
}


def shown_text(html: str) -> str:
    """The text of the first marked paragraph as a reader sees it, without the type tags."""
    marked = html.split('<p class="entities">')[1].split("</p>")[0]
    marked = re.sub(r' <span class="ent-type">.*?</span>', "", marked)
    return unescape(re.sub(r"<[^>]+>", "", marked))


class NerModelTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        predictors.clear()
        self.addCleanup(predictors.clear)
        self.model = finished_ner_model(self.alice_team, self.alice)
        self.run = self.model.run
        self.client.force_login(self.alice)

    def predicted(self, text: str) -> list[dict]:
        return predictors.get_predictor(self.model.run_dir).predict([text])[0]["entities"]


class NerEvaluationTestCase(NerModelTestCase):
    def setUp(self):
        super().setUp()
        self.url = reverse("runs:evaluation", args=[self.run.uuid])
        self.evaluation = json.loads((self.run.out_dir / "evaluation.json").read_text())

    def rewrite_evaluation(self, **changes) -> None:
        path = self.run.out_dir / "evaluation.json"
        path.write_text(json.dumps(self.evaluation | changes), encoding="utf-8")

    def test_it_shows_each_type_and_all_of_them(self):
        response = self.client.get(self.url)
        self.assertTemplateUsed(response, "runs/evaluation/ner.html")
        table = response.content.decode().split('class="entity-types"')[1].split("</table>")[0]
        types = [row["type"] for row in self.evaluation["types"]]
        self.assertEqual(sorted(types), ["LOC", "ORG", "PER"])
        for row in self.evaluation["types"]:
            self.assertIn(f">{row['type']}</mark>", table)
        self.assertIn("All types", table)
        self.assertIn(f"{self.evaluation['overall']['f1']:.2f}", table)
        support = sum(row["support"] for row in self.evaluation["types"])
        self.assertIn(f'<td class="num">{support}</td></tr></tfoot>', table)
        self.assertNotContains(response, "Wrong answers the model was surest about")
        self.assertNotContains(response, "{#")  # no template comment shows on the page

    def test_it_draws_each_text_with_a_wrong_name_twice(self):
        examples = self.evaluation["examples"]
        response = self.client.get(self.url)
        self.assertContains(response, 'class="ner-example"', count=len(examples))
        if not examples:
            self.assertContains(response, "The model found exactly the names of every test text.")
        for example in examples:
            marks = len(example["expected"]) + len(example["predicted"])
            self.assertGreater(marks, 0, example)

    def test_it_marks_expected_and_predicted_names_escaped(self):
        self.rewrite_evaluation(
            examples=[EXAMPLE], confusions=[{"expected": "LOC", "predicted": "ORG", "count": 1}]
        )
        html = self.client.get(self.url).content.decode()
        self.assertNotIn("<script>alert(1)", html)
        example = html.split('class="ner-example"')[1].split('<div class="card')[0]
        expected = example.split('class="expected"')[1].split('class="predicted"')[0]
        predicted = example.split('class="predicted"')[1]
        self.assertEqual(expected.count("<mark "), 3)
        self.assertEqual(predicted.count("<mark "), 2)
        self.assertIn("Tom <span", expected)
        self.assertIn("&amp; &lt;script&gt;alert(1)&lt;/script&gt; met ", expected)
        self.assertIn('data-type="ORG" title="ORG, 60% sure">paris <span', predicted)
        self.assertIn("missed: “Tom” (PER), “paris” (LOC) · wrong: “paris” (ORG)", example)
        self.assertIn("Spreadsheet row 7", example)
        confusions = html.split('class="entity-confusions"')[1].split("</table>")[0]
        self.assertIn('<td>LOC</td><td>ORG</td><td class="num">1</td>', confusions)

    def test_it_answers_404_to_another_team(self):
        self.client.force_login(self.bob)
        self.assertEqual(self.client.get(self.url).status_code, 404)


class NerModelPageTestCase(NerModelTestCase):
    def test_it_offers_try_it_and_says_how_pipeline_loads_it(self):
        response = self.client.get(reverse("catalog:detail", args=[self.model.uuid]))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'id="try"')
        self.assertContains(response, "token-classification")
        types = response.context["labels"]
        self.assertEqual(types, ["LOC", "ORG", "PER"])  # the types, not the B-/I- tags
        self.assertContains(response, "Types of names: <span")
        self.assertContains(response, '<div class="value">3</div><div class="name">Types of names')
        tested = self.run.metrics["test_rows"]
        self.assertContains(response, f"on {tested} test texts")
        self.assertContains(response, f"{self.run.metrics['train_rows']} texts for training")
        self.assertContains(response, "Upload a file with a column named “text”")
        evaluation = self.client.get(reverse("runs:evaluation", args=[self.run.uuid]))
        self.assertContains(evaluation, f" on {tested} test texts</p>")

    def test_it_asks_for_texts_to_score_after_one_word_per_row(self):
        self.run.mapping = {"text": "token", "tags": "tag", "sentence": "sentence",
                            "entity_layout": "token_rows"}  # fmt: skip
        self.run.save(update_fields=["mapping"])
        url = reverse("catalog:detail", args=[self.model.uuid])
        self.assertContains(self.client.get(url), "Upload a file with one text per row")
        content = b"token,text\nx,alice visited paris\ny,bob met acme\n"
        upload = SimpleUploadedFile("new.csv", content)  # a "token" column is not the text
        page = self.client.post(reverse("catalog:batch_new", args=[self.model.uuid]),
                                {"file": upload})  # fmt: skip
        self.assertContains(page, "“new.csv” has several columns.")
        self.assertEqual(page.context["column_picker"].initial["text_column"], "text")
        self.assertFalse(BatchPrediction.objects.exists())


class NerTryTestCase(NerModelTestCase):
    def post(self, text: str):
        url = reverse("catalog:try", args=[self.model.uuid])
        return self.client.post(url, {"text": text}, **HTMX)

    def test_it_marks_each_name_with_its_type_and_confidence(self):
        text = "  bob met carol at acme in london  "  # the box strips the spaces around it
        entities = self.predicted(text.strip())
        self.assertGreater(len(entities), 0)
        response = self.post(text)
        self.assertTemplateUsed(response, "catalog/try/ner.html")
        html = response.content.decode()
        self.assertNotIn("{#", html)
        self.assertEqual(html.count("<mark "), len(entities))
        self.assertIn(f"Found {len(entities)} name", html)
        for entity in entities:
            sure = round(100 * entity["confidence"])
            self.assertIn(
                f'>{entity["text"]} <span class="ent-type">{entity["type"]} {sure}%', html
            )
        self.assertEqual(shown_text(html), text.strip())

    def test_it_escapes_the_text(self):
        entities = self.predicted(HOSTILE)
        html = self.post(HOSTILE).content.decode()
        self.assertNotIn("<script>", html)
        self.assertNotIn("alert(1)</", html)
        self.assertIn("Tom &amp; ", html)
        self.assertEqual(html.count("<mark "), len(entities))
        self.assertEqual(shown_text(html), HOSTILE)

    def test_it_keeps_chinese_text_whole(self):
        text = "张三在北京工作, alice 在 paris"
        entities = self.predicted(text)
        html = self.post(text).content.decode()
        self.assertEqual(shown_text(html), text)
        self.assertEqual(html.count("<mark "), len(entities))


class NerApiTestCase(NerModelTestCase):
    def test_it_answers_the_entities_with_their_offsets(self):
        cache.clear()
        _, secret = ApiToken.create(self.alice_team, self.alice, "CRM")
        texts = ["alice visited paris", "the acme and globex"]
        response = self.client.post(
            reverse("api:predict", args=[self.model.uuid]),
            json.dumps({"inputs": texts}),
            content_type="application/json",
            headers={"Authorization": f"Bearer {secret}"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        body = response.json()
        self.assertEqual(body["task"], "ner")
        expected = predictors.get_predictor(self.model.run_dir).predict(texts)
        for text, answer, want in zip(texts, body["predictions"], expected, strict=True):
            self.assertEqual(set(answer), {"entities"})
            self.assertEqual(answer["entities"], want["entities"])
            for entity in answer["entities"]:
                self.assertEqual(set(entity), {"type", "text", "start", "end", "confidence"})
                self.assertEqual(text[entity["start"] : entity["end"]], entity["text"])


class NerBatchTestCase(RedisMixin, NerModelTestCase):
    def test_it_adds_an_entities_column_in_the_first_layout(self):
        texts = ["alice visited paris", "acme met bob in new york", "the & today"]
        content = "id,text\n" + "\n".join(f"{i},{t}" for i, t in enumerate(texts)) + "\n"
        url = reverse("catalog:batch_new", args=[self.model.uuid])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, {"file": SimpleUploadedFile("new.csv", content.encode())})
        batch = BatchPrediction.objects.get()
        self.assertEqual(jobs.score_batch(batch.pk), 3)
        response = self.client.get(reverse("catalog:batch_download", args=[batch.uuid]))
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        table = list(csv.DictReader(io.StringIO(text)))
        self.assertEqual(list(table[0]), ["id", "text", "entities"])
        for row in table:
            found = [(e["text"], e["type"]) for e in self.predicted(row["text"])]
            mentions, unreadable = parse_entity_cell(row["entities"])
            self.assertEqual(unreadable, [], row)
            read = [(m.text, m.type) for m in mentions]
            self.assertEqual(sorted(set(read)), sorted(set(found)), row)
        self.assertTrue(any(row["entities"] for row in table))
