"""Try it on a multi-label model: each label's bar says its own threshold, so a ticked label
with a lower score than an unticked one reads as the model's rule, not a contradiction."""

import json
import re

from django.urls import reverse

from finetune.tasks.pages import bar_percents
from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import TRAIN_SETTINGS, finished_model, session_dir
from webapp.catalog import predictors

HTMX = {"HTTP_HX_REQUEST": "true"}
TEXT = "the parcel was late"


def trained_multi_label_run_dir():
    """The tiny BERT trained on toydata's tagged tickets, once per test session."""
    out = session_dir() / "trained-multi-label"
    if not (out / "metrics.json").is_file():
        import torch

        from finetune.mapping import ColumnMapping
        from finetune.train import TrainConfig, train
        from tests.finetune.toydata import TOY_WORDS, tagged_rows
        from tests.tinymodel import make_tiny_model

        torch.manual_seed(0)
        tiny = make_tiny_model(TOY_WORDS, session_dir() / "tiny-toy")
        config = TrainConfig(task="multi_label", base_model=str(tiny), **TRAIN_SETTINGS)
        train(tagged_rows(120), ColumnMapping(text="ticket", label="tags"), config, out)
    return out


def row_of(html: str, label: str) -> str:
    return re.search(rf"<tr[^>]*><th scope=\"row\">{label}( ✓)?</th>.*?</tr>", html).group(0)


class TryThresholdsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        predictors.clear()
        self.addCleanup(predictors.clear)
        self.model = finished_model(
            self.alice_team, self.alice, "Tickets", source=trained_multi_label_run_dir()
        )
        self.url = reverse("catalog:try", args=[self.model.uuid])
        self.client.force_login(self.alice)

    def set_thresholds(self, thresholds: dict[str, float]) -> None:
        """Rewrite the thresholds in the model's folder, as tuning on other validation rows
        could have set them."""
        path = self.model.run_dir / "labeltune.json"
        info = json.loads(path.read_text())
        info["head"]["thresholds"] = [thresholds[label] for label in info["head"]["labels"]]
        info["served"] = "model"  # the fine-tuned model answers, not a simpler candidate
        path.write_text(json.dumps(info))
        predictors.clear()

    def test_it_ticks_by_each_labels_own_threshold_and_says_it(self):
        scores = predictors.get_predictor(self.model.run_dir).predict([TEXT])[0]["scores"]
        (high, high_score), *_, (low, low_score) = sorted(scores.items(), key=lambda s: -s[1])
        self.assertLess(high_score, 0.99, scores)
        self.assertGreater(high_score - low_score, 0.02, scores)
        # The better-scored label gets a line above its score, the worse one a line below.
        lines = {label: 0.5 for label in scores}
        lines[high] = round((high_score + 1) / 2, 2)
        lines[low] = round(low_score / 2, 2)
        self.set_thresholds(lines)

        html = self.client.post(self.url, {"text": TEXT}, **HTMX).content.decode()
        for label, line in lines.items():
            self.assertIn(f"threshold {round(100 * line, 1):g}%</td>", row_of(html, label))
        self.assertNotIn("✓", row_of(html, high))
        self.assertIn(f"{low} ✓", row_of(html, low))
        answer = re.search(r'<p class="big">(.*?)</p>', html).group(1).split(", ")
        self.assertIn(low, answer)
        self.assertNotIn(high, answer)
        self.assertIn("A label is ticked when its score passes its own line", html)
        self.assertIn("set on your validation rows.", html)


def test_it_never_rounds_a_score_onto_the_wrong_side_of_its_threshold():
    assert bar_percents(0.0749, 0.05) == (7.5, "5")
    assert bar_percents(0.09996, 0.1) == (9.996, "10")  # not "10.0%" beside no tick
    assert bar_percents(0.1, 0.1) == (10.0, "10")  # reaches it: ticked
    assert bar_percents(0.42, None) == (42.0, None)  # single-label: no line
