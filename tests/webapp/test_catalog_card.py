"""The model card on the model page: a page with headings, lists and a code block, not raw
Markdown; every piece of text escaped."""

from django.urls import reverse

from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model
from webapp.catalog.templatetags.modelcard import card_html

CARD = """---
pipeline_tag: text-classification
---

# Text classification, fine-tuned from <b>tiny</b>

Trained with LabelTune. It reads the column "review"
and learned "<script>alert(1)</script>".

## Results on the held-out test rows

- Accuracy: 80%
- Baseline (`majority`): 40%

## Use it

```python
model = pipeline("text-classification", model="path/to/<folder>")
# not a heading
- not a list
```
"""


def test_it_turns_the_cards_markdown_into_html_and_escapes_the_rest():
    html = str(card_html(CARD))
    assert "pipeline_tag" not in html  # the front matter is for the hub
    assert "<h3>Text classification, fine-tuned from &lt;b&gt;tiny&lt;/b&gt;</h3>" in html
    assert "<h4>Results on the held-out test rows</h4>" in html
    assert (
        "<p>Trained with LabelTune. It reads the column &quot;review&quot; and learned "
        "&quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;.</p>"
    ) in html
    assert "<ul><li>Accuracy: 80%</li><li>Baseline (<code>majority</code>): 40%</li></ul>" in html
    assert (
        "<pre><code>model = pipeline(&quot;text-classification&quot;, "
        "model=&quot;path/to/&lt;folder&gt;&quot;)\n# not a heading\n- not a list</code></pre>"
    ) in html
    assert "<script>" not in html and "<b>" not in html


def test_an_unclosed_code_block_still_shows_escaped():
    assert str(card_html("```\n<i>x</i>")) == "<pre><code>&lt;i&gt;x&lt;/i&gt;</code></pre>"
    assert str(card_html("")) == "" and str(card_html(None)) == ""


class CardPageTestCase(BaseTestCase):
    def test_the_model_page_shows_the_card_as_a_page(self):
        model = finished_model(self.alice_team, self.alice)
        self.client.force_login(self.alice)
        response = self.client.get(reverse("catalog:detail", args=[model.uuid]))
        self.assertContains(response, "<h3>Text classification, fine-tuned from")
        self.assertContains(response, "<h4>Results on the held-out test rows</h4>")
        self.assertContains(response, "<li>Accuracy: ")
        self.assertContains(response, "<pre><code>from transformers import pipeline")
        self.assertNotContains(response, "## ")
        self.assertNotContains(response, "```")
        self.assertNotContains(response, "1 epochs")
        self.assertContains(response, "8 epochs, learning rate 0.003")
