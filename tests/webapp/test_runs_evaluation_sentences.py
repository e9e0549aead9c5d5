"""The classification evaluation in sentences: the largest labels' rows found and answers
wrong, worked out by hand from evaluation.json's numbers."""

import json

from django.urls import reverse

from finetune.tasks.pages import label_sentences
from tests.webapp.base import BaseTestCase
from tests.webapp.runs_support import finished_model

# True labels down, the model's answers across (billing, other, refund, spam).
EVALUATION = {
    "labels": ["billing", "other", "refund", "spam"],
    "confusion": [
        [12, 0, 2, 0],  # billing: 14 rows, 12 found
        [0, 3, 0, 0],  # other: 3 rows, all found
        [1, 1, 8, 0],  # refund: 10 rows, 8 found
        [0, 0, 0, 0],  # spam: no test rows
    ],
    "per_label": [
        {"label": "billing", "precision": 12 / 13, "recall": 12 / 14, "f1": 0.89, "support": 14},
        {"label": "other", "precision": 3 / 4, "recall": 1.0, "f1": 0.86, "support": 3},
        {"label": "refund", "precision": 0.8, "recall": 0.8, "f1": 0.8, "support": 10},
        {"label": "spam", "precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0},
    ],
}


def test_it_says_the_largest_labels_in_sentences_from_the_matrix():
    # billing: 12 of 14 found; its column holds 12 + 0 + 1 = 13 answers, 1 wrong: 1 in 13.
    # refund: 8 of 10 found; its column holds 2 + 0 + 8 = 10 answers, 2 wrong: 1 in 5.
    # other: 3 of 3 found; its column holds 0 + 3 + 1 = 4 answers, 1 wrong: 1 in 4.
    assert label_sentences(EVALUATION) == [
        "Finds 12 of 14 “billing” rows; 1 in 13 of its “billing” answers is wrong.",
        "Finds 8 of 10 “refund” rows; 1 in 5 of its “refund” answers is wrong.",
        "Finds all 3 “other” rows; 1 in 4 of its “other” answers is wrong.",
    ]
    assert len(label_sentences(EVALUATION, shown=2)) == 2


def test_it_works_from_precision_and_recall_without_a_matrix():
    # 20 rows, recall 0.75: 15 found; precision 15/21: 21 answers, 6 wrong: about 1 in 4.
    # 6 rows, recall 0.5: 3 found; precision 1: 3 answers, none wrong.
    # 4 rows, recall 0.25: 1 found; precision 0.25: 4 answers, 3 wrong (most of them).
    evaluation = {
        "per_label": [
            {"label": "b", "precision": 1.0, "recall": 0.5, "support": 6},
            {"label": "a", "precision": 15 / 21, "recall": 0.75, "support": 20},
            {"label": "c", "precision": 0.25, "recall": 0.25, "support": 4},
        ]
    }
    assert label_sentences(evaluation) == [
        "Finds 15 of 20 “a” rows; about 1 in 4 of its “a” answers is wrong.",
        "Finds 3 of 6 “b” rows; all 3 of its “b” answers are right.",
        "Finds 1 of 4 “c” rows; 3 of its 4 “c” answers are wrong.",
    ]


def test_it_says_when_the_model_never_gives_a_label():
    evaluation = {
        "labels": ["a", "b"],
        "confusion": [[5, 0], [2, 0]],
        "per_label": [
            {"label": "a", "precision": 5 / 7, "recall": 1.0, "support": 5},
            {"label": "b", "precision": 0.0, "recall": 0.0, "support": 2},
        ],
    }
    assert label_sentences(evaluation)[1] == "Finds 0 of 2 “b” rows; it never answers “b”."
    assert label_sentences({"per_label": []}) == []


class SentencesPageTestCase(BaseTestCase):
    def test_the_evaluation_page_leads_with_the_sentences(self):
        model = finished_model(self.alice_team, self.alice)
        path = model.run.out_dir / "evaluation.json"
        path.write_text(json.dumps(json.loads(path.read_text()) | EVALUATION))
        self.client.force_login(self.alice)
        page = self.client.get(reverse("runs:evaluation", args=[model.run.uuid])).content.decode()
        sentence = "Finds 8 of 10 “refund” rows; 1 in 5 of its “refund” answers is wrong."
        self.assertIn(sentence, page)
        self.assertLess(page.index(sentence), page.index("<h2>Per label</h2>"))
