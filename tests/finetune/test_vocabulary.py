"""What a base model cannot read, and teaching it the characters before fine-tuning: a tiny
English model learns Chinese reviews only once their characters are added, and the run
folder it saves still loads with plain transformers and with the Predictor."""

import pytest

from finetune.health import check
from finetune.mapping import ColumnMapping
from finetune.predict import Predictor
from finetune.train import TrainConfig, train
from finetune.vocabulary import extend, new_characters, unknown_share
from tests.finetune.chinesedata import BAD, FILLER, GOOD, chinese_frame
from tests.finetune.conftest import fast_config
from tests.tinymodel import make_tiny_model

CHINESE = ColumnMapping(text="文本", label="标签")


@pytest.fixture(scope="module")
def english_chinese_tokenizer(tmp_path_factory):
    """A tiny model that knows English words and three Chinese characters: 好 差 电."""
    from transformers import AutoTokenizer

    folder = make_tiny_model(["good bad film", "好 差 电"], tmp_path_factory.mktemp("mixed"))
    return folder, AutoTokenizer.from_pretrained(folder)


def test_it_measures_the_share_of_characters_the_model_cannot_read(english_chinese_tokenizer):
    _, tokenizer = english_chinese_tokenizer
    unknown = unknown_share(tokenizer, ["好电影", "差电影"])  # 影 twice is unknown: 2 of 6
    assert unknown.unit == "characters"
    assert unknown.share == pytest.approx(2 / 6)
    unknown = unknown_share(tokenizer, ["good film", "bad movie 😀"])  # movie and 😀: 2 of 5
    assert (unknown.unit, unknown.share) == ("words", pytest.approx(2 / 5))


def test_it_picks_the_unknown_characters_seen_at_least_twice(english_chinese_tokenizer):
    _, tokenizer = english_chinese_tokenizer
    texts = ["好电影", "差电影", "好剧", "good film"]
    assert new_characters(tokenizer, texts) == ["影"]  # 剧 once; 好 差 电 known
    assert new_characters(tokenizer, texts, min_count=1) == ["影", "剧"]


def test_it_adds_rows_to_the_embeddings_only_when_much_is_unknown(english_chinese_tokenizer):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    folder, _ = english_chinese_tokenizer
    texts = ["好电影院", "差电影院"] * 3
    for setting, added in [("off", 0), ("auto", 2), ("on", 2)]:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForSequenceClassification.from_pretrained(folder, num_labels=2)
        rows = model.get_input_embeddings().weight.shape[0]
        assert extend(model, tokenizer, texts, setting) == added, setting
        assert model.get_input_embeddings().weight.shape[0] == rows + added
        assert unknown_share(tokenizer, texts).share == (0.5 if setting == "off" else 0.0)
    # Mostly English text with one unknown sign in twenty words is left alone by "auto".
    tokenizer = AutoTokenizer.from_pretrained(folder)
    english = [" ".join(["good film bad film"] * 5) + " 院"] * 2
    assert extend(model, tokenizer, english, "auto") == 0


def test_the_health_report_counts_chinese_in_characters_and_says_what_the_model_misses(
    tiny_model_dir,
):
    from transformers import AutoTokenizer

    report = check(
        chinese_frame(60), CHINESE, tokenizer=AutoTokenizer.from_pretrained(tiny_model_dir)
    )
    assert (report.length_unit, report.script, report.text_length) == ("characters", "Chinese", 9)
    assert report.unknown_share == 1.0
    assert (
        f"{tiny_model_dir.name} does not know 100% of these characters: it reads them all as "
        "the same unknown sign. Pick BERT Chinese or DistilBERT multilingual as the base model"
    ) in " ".join(report.warnings)


@pytest.fixture(scope="module")
def chinese_runs(tmp_path_factory, tiny_model_dir):
    """The tiny English model trained on Chinese reviews, with and without new characters."""
    frame = chinese_frame(120)
    return {
        setting: train(
            frame,
            CHINESE,
            fast_config(tiny_model_dir, extend_vocabulary=setting),
            tmp_path_factory.mktemp(f"chinese-{setting}"),
        )
        for setting in ("on", "off")
    }


def test_a_model_taught_the_characters_learns_chinese(chinese_runs):
    taught, blind = chinese_runs["on"].metrics, chinese_runs["off"].metrics
    assert taught["test_accuracy"] >= 0.9
    # Without them every character is the same unknown sign: nothing to learn from.
    assert blind["test_accuracy"] <= 0.75


def test_its_run_folder_loads_with_transformers_and_the_predictor(chinese_runs):
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from finetune import rundir

    out = chinese_runs["on"].out_dir
    assert rundir.read_info(out)["config"]["extend_vocabulary"] == "on"
    added = rundir.read_json(out, "health.json")["added_characters"]
    assert added == len(set(GOOD + BAD + FILLER))  # every character: each is seen twice or more
    tokenizer = AutoTokenizer.from_pretrained(out)
    model = AutoModelForSequenceClassification.from_pretrained(out).eval()
    assert tokenizer.unk_token_id not in tokenizer("这部电影真好")["input_ids"]
    texts = ["这部电影真好", "这部电影真差"]
    with torch.inference_mode():
        logits = model(**tokenizer(texts, return_tensors="pt", padding=True)).logits
    assert [model.config.id2label[i] for i in logits.argmax(-1).tolist()] == [
        "positive",
        "negative",
    ]
    answers = Predictor.load(out, int8=False).predict(texts)
    assert [a["label"] for a in answers] == ["positive", "negative"]


def test_the_setting_must_be_auto_on_or_off():
    from finetune.errors import FinetuneError

    with pytest.raises(FinetuneError, match='"auto", "on" or "off"'):
        TrainConfig(extend_vocabulary="yes")
