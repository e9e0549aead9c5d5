"""The named-entity task's parts that need no training: rows, head, columns, scores, report."""

import pandas as pd
import pytest

from bench.ner_layouts import layout_frames
from finetune import fixes
from finetune.errors import FinetuneError
from finetune.health import check
from finetune.mapping import ColumnMapping
from finetune.tasks import get_task
from tests.finetune.nerdata import ner_sentences

TASK = get_task("ner")
ENTITIES = ColumnMapping(text="text", entities="entities")


def frame_of(texts, cells) -> pd.DataFrame:
    return pd.DataFrame({"text": texts, "entities": cells}, dtype=str)


def test_it_names_the_columns_to_pick_in_words():
    with pytest.raises(FinetuneError, match="lists the entities of each text"):
        TASK.check_mapping(ColumnMapping(text="text"))
    with pytest.raises(FinetuneError, match="holds the tags"):
        TASK.check_mapping(ColumnMapping(text="word", entity_layout="token_rows"))
    TASK.check_mapping(ColumnMapping(text="word", tags="tag"))


def test_it_reads_each_layout_into_the_same_texts_and_targets():
    frames = layout_frames(ner_sentences(12))
    mappings = {
        "entities": ENTITIES,
        "token_rows": ColumnMapping(text="token", tags="tag", sentence="sentence"),
        "token_lists": ColumnMapping(text="tokens", tags="tags"),
    }
    read = {name: TASK.prepare(frames[name], m) for name, m in mappings.items()}
    first = read["entities"]
    for examples in read.values():
        assert examples.texts == first.texts
        assert examples.targets == first.targets
    target = next(t for t in first.targets if t.spans)
    assert all(target.text[s:e] and kind in ("PER", "LOC") for s, e, kind in target.spans)


def test_its_head_is_bio_labels_the_saved_config_maps():
    examples = TASK.prepare(
        frame_of(["Ann flew to Rome", "Bob"], ["Ann = PER; Rome = LOC", ""]), ENTITIES
    )
    head = TASK.make_head(examples, examples)
    assert head == {"labels": ["B-LOC", "I-LOC", "B-PER", "I-PER", "O"], "types": ["LOC", "PER"]}
    kwargs = TASK.model_kwargs(head)
    assert kwargs["num_labels"] == 5 and kwargs["id2label"][4] == "O"
    assert TASK.stratify_keys(examples.targets) == ["LOC", ""]  # each text's rarest type


def test_it_writes_found_entities_in_the_layout_people_train_from():
    text = "Paris and Paris again, then Rome"
    found = {
        "entities": [
            {"type": "LOC", "text": "Paris", "start": 10, "end": 15, "confidence": 0.9},
            {"type": "LOC", "text": "Rome", "start": 28, "end": 32, "confidence": 0.8},
        ]
    }
    columns = TASK.prediction_columns([found], {"labels": []}, texts=[text])
    assert columns == {"entities": ["Paris#2 = LOC; Rome = LOC"]}  # only the second Paris
    examples = TASK.prepare(frame_of([text], ["Paris#2 = LOC; Rome = LOC"]), ENTITIES)
    assert TASK.target_column(examples.targets) == ["Paris#2 = LOC; Rome = LOC"]
    assert TASK.is_correct(examples.targets[0], found)


def prediction(*spans, text=""):
    return {
        "entities": [
            {"type": t, "text": text[s:e], "start": s, "end": e, "confidence": 0.9}
            for s, e, t in spans
        ]
    }


def test_its_metrics_have_the_keys_the_pages_and_the_baseline_comparison_read():
    texts = ["Ann met Bob in Rome", "Nothing here", "Carl of Oslo"]
    cells = ["Ann = PER; Bob = PER; Rome = LOC", "", "Carl = PER; Oslo = LOC"]
    examples = TASK.prepare(frame_of(texts, cells), ENTITIES)
    head = TASK.make_head(examples, examples)
    predictions = [
        prediction((0, 3, "PER"), (8, 11, "LOC"), (15, 19, "LOC"), text=texts[0]),  # Bob: LOC
        prediction(),
        prediction((0, 4, "PER"), text=texts[2]),  # Oslo missed
    ]
    metrics = TASK.metrics(examples.targets, predictions, head)
    assert metrics["entity_precision"] == pytest.approx(3 / 4)
    assert metrics["entity_recall"] == pytest.approx(3 / 5)
    assert {"entity_f1", "token_accuracy", "f1_PER", "f1_LOC"} <= set(metrics)
    evaluation = TASK.evaluation(examples.targets, predictions, head)
    assert [row["type"] for row in evaluation["types"]] == ["PER", "LOC"]
    assert set(evaluation["overall"]) == {"precision", "recall", "f1", "token_accuracy"}
    assert [e["text"] for e in evaluation["examples"]] == [texts[0], texts[2]]
    assert [e["row"] for e in evaluation["examples"]] == [2, 4]  # spreadsheet rows (header 1)
    assert evaluation["examples"][0]["expected"][1] == {
        "type": "PER", "text": "Bob", "start": 8, "end": 11
    }  # fmt: skip
    assert evaluation["confusions"] == [{"expected": "PER", "predicted": "LOC", "count": 1}]
    baselines = TASK.baselines(examples, examples, head)
    assert baselines["baseline_dictionary_entity_f1"] == 1.0  # the same rows: every name known


def test_its_headline_says_when_the_dictionary_does_better():
    metrics = {
        "test_entity_f1": 0.15, "test_entity_precision": 0.2, "test_entity_recall": 0.1,
        "test_token_accuracy": 0.8, "baseline_dictionary_entity_f1": 0.52,
    }  # fmt: skip
    name, value = TASK.headline(metrics)[0]
    assert value == "0.150" and "below the dictionary" in name and "0.520" in name
    name, _ = TASK.headline(metrics | {"test_entity_f1": 0.6})[0]
    assert name == "Entity F1"


def test_its_report_counts_types_texts_without_names_and_issues_by_row():
    texts = ["Ann flew to Rome", "Nobody here", "Bob saw Paris"] * 4
    cells = ["Ann = PER; Rome = LOC", "", "Bob = PER; Milan = LOC"] * 4
    report = check(frame_of(texts, cells), ENTITIES, task="ner")
    assert report.ok
    assert report.entity_types == [{"type": "PER", "count": 8}, {"type": "LOC", "count": 4}]
    assert report.texts_without_entities == 4
    assert report.entity_layout == "entities"
    [issue] = report.entity_issues
    assert issue["reason"] == "entity not found in its text" and issue["count"] == 4
    assert issue["rows"][0] == {"row": 4, "detail": "Milan = LOC"}
    assert any("not in their text" in w and "row 4" in w for w in report.warnings)
    assert any('"LOC" has only 4' in w for w in report.warnings)


def test_its_report_refuses_data_without_any_name():
    report = check(frame_of([f"text {i}" for i in range(12)], [""] * 12), ENTITIES, task="ner")
    assert not report.ok and "No entity was found" in report.problems[0]


def test_it_offers_no_label_fixes():
    texts = ["Ann flew to Rome"] * 12
    report = check(frame_of(texts, ["Ann = PER"] * 6 + ["Ann = LOC"] * 6), ENTITIES, task="ner")
    assert report.duplicate_texts and report.conflicts  # the same text with other names
    assert fixes.suggest(report, ENTITIES) == []


def test_it_pads_token_labels_to_the_batch_width_with_the_ignored_label():
    # On a GPU the inputs are padded to a multiple of 8: the labels follow the inputs' width.
    batch = TASK.target_tensor([[-100, 4, 0, -100], [-100, 4, -100]], width=8)
    assert batch.shape == (2, 8) and batch.dtype.is_floating_point is False
    assert batch[1].tolist() == [-100, 4] + [-100] * 6


def test_its_examples_point_at_the_spreadsheet_rows_they_came_from():
    frames = layout_frames(ner_sentences(3), blank_rows=True)
    frame = frames["token_rows"]
    numbers = [n + 2 for n in range(len(frame))]  # as read_table numbers them, gaps included
    blank = frame.index[frame["token"] == ""].tolist()
    kept = frame.drop(index=blank).reset_index(drop=True)
    numbers = [n for i, n in enumerate(numbers) if i not in blank]
    examples = TASK.prepare(kept, ColumnMapping(text="token", tags="tag"), row_numbers=numbers)
    starts = [t.row for t in examples.targets]
    assert starts[0] == 2 and len(starts) == 3
    assert all(b - a > 1 for a, b in zip(starts, starts[1:], strict=False))  # after a blank row
