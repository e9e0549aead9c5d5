"""A candidate that serves is saved as JSON and safetensors (never pickle) and, read back,
answers exactly as it did in training, in its task's format."""

import json

import pytest

from finetune import candidates
from finetune.tasks import get_task
from finetune.tasks.base import Examples
from tests.finetune.chinesedata import chinese_reviews
from tests.finetune.conftest import sentiment_rows

NEW = ["the film was good", "awful plot really", "something never seen", ""]


def sentiment_examples(n: int = 60, seed: int = 0) -> Examples:
    frame = sentiment_rows(n, seed)
    return Examples(list(range(n)), frame["review"].tolist(), frame["sentiment"].tolist())


def round_trip(candidate, folder):
    written = candidate.save(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted(written)
    assert all(name.endswith((".json", ".safetensors")) for name in written)
    return candidates.load(folder)


@pytest.mark.parametrize("data", ["words", "characters"])
def test_it_reads_back_a_label_model_that_answers_exactly_the_same(tmp_path, data):
    task = get_task("single_label")
    train = sentiment_examples() if data == "words" else chinese_reviews(80, seed=0)
    texts = NEW if data == "words" else chinese_reviews(20, seed=1).texts + NEW
    head = task.make_head(train, train)
    fitted = task.candidates(train, None, head)[0]
    assert fitted.words == {"words": "the simple word model",
                            "characters": "the simple character model"}[data]  # fmt: skip
    loaded = round_trip(fitted, tmp_path)
    assert loaded.predict(texts) == fitted.predict(texts)
    answer = loaded.predict(["the film was good"])[0]
    assert set(answer) == {"label", "confidence", "scores"}
    assert list(answer["scores"]) == head["labels"]
    assert answer["confidence"] == max(answer["scores"].values())
    spec = json.loads((tmp_path / candidates.SPEC_FILE).read_text(encoding="utf-8"))
    assert spec["kind"] == "tfidf" and spec["name"] == "tfidf"
    assert spec["vectorizer"]["analyzer"] == ("word" if data == "words" else "char_wb")


def test_it_reads_back_a_pair_model_that_joins_the_texts_as_training_did(tmp_path):
    task = get_task("single_label")
    firsts = ["a man eats", "a dog runs", "the sun is hot", "kids play"] * 6
    seconds = ["someone eats", "a cat sleeps", "it is cold", "children play"] * 6
    labels = ["same", "different", "different", "same"] * 6
    train = Examples(list(range(24)), firsts, labels, text_pairs=seconds)
    fitted = task.candidates(train, None, task.make_head(train, train))[0]
    loaded = round_trip(fitted, tmp_path)
    assert loaded.predict(firsts, seconds) == fitted.predict(firsts, seconds)
    # The pair is read as one input, exactly as the training rows were.
    assert fitted.predict(firsts[:1], seconds[:1]) == fitted.predict(
        [f"{firsts[0]} [SEP] {seconds[0]}"]
    )


def test_it_reads_back_a_multi_label_model_with_its_own_thresholds(tmp_path):
    task = get_task("multi_label")
    texts = ["late parcel", "too expensive", "late and expensive", "broken item", "fine"] * 8
    tags = [["delivery"], ["price"], ["delivery", "price"], ["quality"], []] * 8
    train = Examples(list(range(40)), texts, tags)
    validation = Examples(list(range(10)), texts[:10], tags[:10])
    head = task.make_head(train, train)
    head["labels"] = head["labels"] + ["never"]  # a label no training row has
    fitted = task.candidates(train, validation, head)[0]
    assert len(fitted.head["thresholds"]) == 4
    loaded = round_trip(fitted, tmp_path)
    assert loaded.head == fitted.head
    assert loaded.predict(texts) == fitted.predict(texts)
    answer = loaded.predict(["late parcel"])[0]
    assert set(answer) == {"labels", "scores"} and "delivery" in answer["labels"]
    assert answer["scores"]["never"] < 1e-9 and "never" not in answer["labels"]


def test_it_reads_back_a_number_model(tmp_path):
    task = get_task("regression")
    texts = ["one star awful", "five stars great", "three stars fine", "two bad"] * 6
    train = Examples(list(range(24)), texts, [1.0, 5.0, 3.0, 2.0] * 6)
    fitted = task.candidates(train, None, task.make_head(train, train))[0]
    loaded = round_trip(fitted, tmp_path)
    assert loaded.predict(texts + NEW) == fitted.predict(texts + NEW)
    assert set(loaded.predict(["great"])[0]) == {"value"}


def test_it_reads_back_the_names_seen_in_training_as_json_alone(tmp_path):
    task = get_task("ner")
    frame_texts = ["Alice lives in Paris.", "Bob met Alice in Rome.", "Paris Hilton sang."]
    spans = [[(0, 5, "PER"), (15, 20, "LOC")], [(0, 3, "PER"), (8, 13, "PER"), (17, 21, "LOC")],
             [(0, 12, "PER")]]  # fmt: skip
    from finetune.tasks.ner import Annotated

    targets = [Annotated(t, tuple(s)) for t, s in zip(frame_texts, spans, strict=True)]
    train = Examples(list(range(3)), frame_texts, targets)
    fitted = task.candidates(train, None, task.make_head(train, train))[0]
    loaded = round_trip(fitted, tmp_path)
    assert not (tmp_path / candidates.ARRAYS_FILE).exists()
    text = "Paris Hilton and Bob flew to Paris."
    assert loaded.predict([text]) == fitted.predict([text])
    entities = loaded.predict([text])[0]["entities"]
    assert [(e["text"], e["type"]) for e in entities] == [
        ("Paris Hilton", "PER"), ("Bob", "PER"), ("Paris", "LOC")
    ]  # fmt: skip
    assert set(entities[0]) == {"type", "text", "start", "end", "confidence"}


def test_it_refuses_a_saved_file_it_did_not_write(tmp_path):
    task = get_task("single_label")
    train = sentiment_examples()
    task.candidates(train, None, task.make_head(train, train))[0].save(tmp_path)
    spec = json.loads((tmp_path / candidates.SPEC_FILE).read_text(encoding="utf-8"))
    spec["vectorizer"]["analyzer"] = "os.system"
    (tmp_path / candidates.SPEC_FILE).write_text(json.dumps(spec), encoding="utf-8")
    from finetune.errors import FinetuneError

    with pytest.raises(FinetuneError, match="could not be read"):
        candidates.load(tmp_path)
