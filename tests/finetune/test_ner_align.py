"""Entities <-> token labels through the tokenizer's offsets, windows and decoding."""

import numpy as np
import pytest

from finetune import basemodels
from finetune.tasks.ner.align import (
    IGNORED,
    TokenOutputs,
    Windows,
    bio_labels,
    central_window,
    decode,
    window_starts,
    word_starts,
)
from tests.tinymodel import make_tiny_model

LABELS = bio_labels(["LOC", "ORG", "PER"])


@pytest.fixture(scope="module")
def minilm_tokenizer():
    return basemodels.load_tokenizer(basemodels.resolve(basemodels.DEFAULT_BASE_MODEL))


def labelled(windows: Windows, text: str, spans):
    """(token, label) pairs of the one window of `text`, specials left out."""
    rows, targets = windows.training_rows([text], [spans], LABELS)
    assert len(rows) == 1
    tokens = windows.tokenizer.convert_ids_to_tokens(rows[0]["input_ids"])
    pairs = [
        (t, LABELS[i] if i != IGNORED else None) for t, i in zip(tokens, targets[0], strict=True)
    ]
    assert pairs[0][1] is None and pairs[-1][1] is None  # [CLS] and [SEP] are left out
    return pairs[1:-1]


def test_it_labels_every_piece_of_a_split_word(minilm_tokenizer):
    text = "Huggingface opened in Brooklyn, New York."
    spans = [(0, 11, "ORG"), (22, 30, "LOC"), (32, 40, "LOC")]
    assert labelled(Windows(minilm_tokenizer, 64), text, spans) == [
        ("hugging", "B-ORG"),
        ("##face", "I-ORG"),  # a continuation piece: I- of the same type
        ("opened", "O"),
        ("in", "O"),
        ("brooklyn", "B-LOC"),
        (",", "O"),
        ("new", "B-LOC"),
        ("york", "I-LOC"),
        (".", "O"),
    ]


def test_it_labels_chinese_by_characters_with_the_bundled_tokenizer(minilm_tokenizer):
    # Characters the bundled model does not know are one [UNK] each: offsets still per character.
    text = "张三在北京工作。"
    pairs = labelled(Windows(minilm_tokenizer, 64), text, [(0, 2, "PER"), (3, 5, "LOC")])
    assert [label for _, label in pairs] == ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O", "O", "O"]
    assert "[UNK]" in [token for token, _ in pairs]


def test_it_labels_chinese_by_characters_with_a_tiny_model_tokenizer(tmp_path):
    from transformers import AutoTokenizer

    text = "张三在北京工作。"
    tokenizer = AutoTokenizer.from_pretrained(make_tiny_model(list(text), tmp_path / "zh"))
    pairs = labelled(Windows(tokenizer, 64), text, [(0, 2, "PER"), (3, 5, "LOC")])
    assert pairs == [
        ("张", "B-PER"),
        ("三", "I-PER"),
        ("在", "O"),
        ("北", "B-LOC"),
        ("京", "I-LOC"),
        ("工", "O"),
        ("作", "O"),
        ("。", "O"),
    ]


def test_it_cuts_long_texts_into_overlapping_windows_that_label_every_token(minilm_tokenizer):
    words = [f"w{i}" if i != 70 else "Paris" for i in range(100)]
    text = " ".join(words)
    start = text.index("Paris")
    windows = Windows(minilm_tokenizer, max_length=32)
    rows, targets = windows.training_rows([text], [[(start, start + 5, "LOC")]], LABELS)
    assert len(rows) > 1 and all(len(r["input_ids"]) <= 32 for r in rows)
    found = [t for t in targets if LABELS.index("B-LOC") in t]
    assert found, "the entity past max_length is in a window"
    # Consecutive windows overlap: each starts half a window after the one before.
    starts = window_starts(len(windows.tokenize([text])[0][0]), windows.width)
    assert all(b - a <= windows.width // 2 for a, b in zip(starts, starts[1:], strict=False))


def test_it_counts_the_texts_that_need_windows(minilm_tokenizer):
    windows = Windows(minilm_tokenizer, max_length=16)
    assert windows.count(["short text", " ".join(["word"] * 40)]) == 1


def test_it_keeps_each_token_from_the_window_where_it_sits_most_centrally():
    width, tokens = 10, 25
    starts = window_starts(tokens, width)
    assert starts[0] == 0 and starts[-1] + width == tokens
    for position in range(tokens):
        w = central_window(position, starts, width)
        start = starts[w]
        assert start <= position < start + width
        room = min(position - start, start + width - 1 - position)
        others = [
            min(position - s, s + width - 1 - position) for s in starts if s <= position < s + width
        ]
        assert room == max(others)


def one_hot(labels: list[str], confidence: float = 0.9) -> np.ndarray:
    """Logits whose softmax gives `confidence` to each token's label."""
    rest = (1 - confidence) / (len(LABELS) - 1)
    out = np.full((len(labels), len(LABELS)), np.log(rest))
    for i, label in enumerate(labels):
        out[i, LABELS.index(label)] = np.log(confidence)
    return out


def test_it_groups_tokens_like_the_simple_aggregation():
    text = "Ann Lee met Bob in New York"
    offsets = [(0, 3), (4, 7), (8, 11), (12, 15), (16, 18), (19, 22), (23, 27)]
    tags = ["B-PER", "I-PER", "O", "I-PER", "O", "B-LOC", "B-LOC"]
    entities = decode(TokenOutputs(text, np.array(offsets), one_hot(tags)), LABELS)
    assert [(e["type"], e["text"], e["start"], e["end"]) for e in entities] == [
        ("PER", "Ann Lee", 0, 7),
        ("PER", "Bob", 12, 15),  # an I- after O starts a name, as the pipeline reads it
        ("LOC", "New", 19, 22),  # B- after B-: two names
        ("LOC", "York", 23, 27),
    ]
    assert entities[0]["confidence"] == pytest.approx(0.9)


def test_it_decodes_an_empty_text_to_no_entities():
    empty = TokenOutputs("", np.zeros((0, 2), dtype=np.int64), np.zeros((0, len(LABELS))))
    assert decode(empty, LABELS) == []


def test_it_reads_a_word_by_its_first_piece_so_names_are_whole_words():
    # "Estudiantes" as "est ##udi ##antes" answered LOC, ORG, PER piece by piece: one name.
    text = "Estudiantes won"
    offsets = [(0, 3), (3, 6), (6, 11), (12, 15)]
    tags = ["B-LOC", "B-ORG", "B-PER", "O"]
    starts = np.array([True, False, False, True])
    entities = decode(TokenOutputs(text, np.array(offsets), one_hot(tags), starts), LABELS)
    assert [(e["type"], e["text"], e["start"], e["end"]) for e in entities] == [
        ("LOC", "Estudiantes", 0, 11)
    ]
    # A name never ends inside a word either: "Mi ##ura" with the second piece O.
    text = "Miura said"
    tags = ["B-PER", "O", "O"]
    outputs = TokenOutputs(text, np.array([(0, 2), (2, 5), (6, 10)]), one_hot(tags),
                           np.array([True, False, True]))  # fmt: skip
    assert [e["text"] for e in decode(outputs, LABELS)] == ["Miura"]


def test_it_finds_word_starts_as_the_pipeline_does_and_cjk_characters_alone(minilm_tokenizer):
    windows = Windows(minilm_tokenizer, 64)
    text = "Estudiantes beat Uzbekistan, 2-1."
    ids, offsets = (x[0] for x in windows.tokenize([text]))
    starts = word_starts(minilm_tokenizer, text, ids, offsets)
    pieces = minilm_tokenizer.convert_ids_to_tokens(ids)
    assert [p for p, s in zip(pieces, starts, strict=True) if not s] == [
        p for p in pieces if p.startswith("##")
    ]
    assert any(p.startswith("##") for p in pieces)  # the words above are cut into pieces
    chinese = "我在北京大学工作"
    ids, offsets = (x[0] for x in windows.tokenize([chinese]))
    assert all(word_starts(minilm_tokenizer, chinese, ids, offsets))


def test_it_starts_words_after_spaces_for_tokenizers_without_piece_marks():
    class Plain:  # a tokenizer that does not mark continuation pieces (like SentencePiece)
        unk_token_id = 0

        def convert_ids_to_tokens(self, ids):
            raise AssertionError("not needed without piece marks")

    text = "Newcastle 北京"
    offsets = [(0, 3), (3, 9), (10, 11), (11, 12)]
    assert word_starts(Plain(), text, [5, 6, 7, 8], offsets) == [True, False, True, True]
