"""The entity evaluation keeps the test texts with a mistake for the evaluation page: those
with the most names missed or wrong first (test order among equals), at most EXAMPLES_KEPT,
and counts them all."""

import pandas as pd

from finetune.mapping import ColumnMapping
from finetune.tasks import get_task
from finetune.tasks.ner import task as ner_task

TASK = get_task("ner")
TEXT = "Ann met Bob in Rome"
NAMES = {"Ann": (0, 3, "PER"), "Bob": (8, 11, "PER"), "Rome": (15, 19, "LOC")}


def found(*spans) -> dict:
    return {
        "entities": [
            {"type": t, "text": TEXT[s:e], "start": s, "end": e, "confidence": 0.9}
            for s, e, t in spans
        ]
    }


def evaluate(predictions: list[dict]) -> dict:
    frame = pd.DataFrame(
        {"text": [TEXT] * len(predictions), "entities": ["Ann = PER; Bob = PER; Rome = LOC"]
         * len(predictions)}, dtype=str
    )  # fmt: skip
    examples = TASK.prepare(frame, ColumnMapping(text="text", entities="entities"))
    head = TASK.make_head(examples, examples)
    return TASK.evaluation(examples.targets, predictions, head)


def test_it_puts_the_texts_with_the_most_mistakes_first(monkeypatch):
    ann, bob, rome = NAMES.values()
    predictions = [
        found(ann, bob),  # row 2: Rome missed (1)
        found(ann, bob, rome),  # row 3: right
        found(),  # row 4: all three missed (3)
        found(ann, bob, (15, 19, "ORG")),  # row 5: Rome missed and ORG wrong (2)
        found(ann, rome),  # row 6: Bob missed (1)
    ]
    evaluation = evaluate(predictions)
    assert [e["row"] for e in evaluation["examples"]] == [4, 5, 2, 6]
    assert evaluation["examples_total"] == 4

    monkeypatch.setattr(ner_task, "EXAMPLES_KEPT", 2)
    evaluation = evaluate(predictions)
    assert [e["row"] for e in evaluation["examples"]] == [4, 5]  # the most wrong are kept
    assert evaluation["examples_total"] == 4
