"""How much of a text a base model can read, and teaching it the characters it cannot.

    unknown = unknown_share(tokenizer, texts)   # Unknown(share=0.62, unit="characters")
    added = extend(model, tokenizer, train_texts, "auto")   # characters added, 0 if none

A model reads text as pieces from a fixed list (its vocabulary). A piece not on the list
reaches it as one "unknown" token, so all such characters look the same to it: the bundled
English MiniLM knows only 244 Chinese characters, and reads 63% of the characters of
Chinese resumes (../shared/datasets/resume_ner) as unknown.

extend() adds the characters the training texts use (seen at least MIN_COUNT times) that
the model reads as unknown, as new tokens with new rows in the embedding matrix (drawn
around the mean of the existing rows, transformers' `mean_resizing`), before fine-tuning.
Tokenizer and model are saved together, so the run folder loads with plain transformers.
"""

from collections import Counter
from dataclasses import dataclass

from finetune.scripts import UNSPACED, is_unspaced, length_unit

UNKNOWN_WARNING = 0.10  # above this share of unknown characters (or words), warn and extend
MIN_COUNT = 2  # a character seen once in training cannot be learned from; not added
MAX_NEW = 30_000  # at most this many characters added (Chinese uses about 8,000)
SAMPLE_TEXTS = 2_000  # texts read to measure the unknown share
SETTINGS = ("auto", "on", "off")  # TrainConfig.extend_vocabulary


@dataclass
class Unknown:
    share: float  # 0 to 1
    unit: str  # "characters" (mostly unspaced text) or "words"


def _sample(texts: list[str]) -> list[str]:
    step = max(1, len(texts) // SAMPLE_TEXTS)
    return [str(t) for t in texts[::step]][:SAMPLE_TEXTS]


def unknown_share(tokenizer, texts: list[str]) -> Unknown:
    """The share of the characters (mostly unspaced text) or of the words (other text) of a
    sample of `texts` that `tokenizer` turns into its unknown token. A character counts when
    an unknown piece covers it; a word counts when any of its pieces is unknown."""
    sample = _sample(texts)
    unit = length_unit(sample)
    unk = getattr(tokenizer, "unk_token_id", None)
    if unk is None or not sample:  # byte-level models have no unknown token: they read all
        return Unknown(0.0, unit)
    encoded = tokenizer(sample, add_special_tokens=False, return_offsets_mapping=True)
    unknown = total = 0
    for i, (text, ids) in enumerate(zip(sample, encoded["input_ids"], strict=True)):
        offsets = encoded["offset_mapping"][i]
        if unit == "characters":
            total += len(UNSPACED.findall(text))
            unknown += sum(
                len(UNSPACED.findall(text[a:b]))
                for token, (a, b) in zip(ids, offsets, strict=True)
                if token == unk
            )
        else:
            words = encoded.word_ids(i)
            total += len(set(words))
            unknown += len({w for w, token in zip(words, ids, strict=True) if token == unk})
    return Unknown(unknown / total if total else 0.0, unit)


def new_characters(tokenizer, texts: list[str], min_count: int = MIN_COUNT) -> list[str]:
    """The characters of `texts` (seen at least `min_count` times) that `tokenizer` reads
    as unknown on their own, commonest first, in the form the tokenizer compares them in
    (lower-cased, accents removed... by its normalizer). Only characters of unspaced scripts
    and signs (emoji, punctuation): a new token splits the text around it, which would cut
    the words of spaced scripts into pieces the model never saw."""
    unk = getattr(tokenizer, "unk_token_id", None)
    if unk is None:
        return []
    counts = Counter(
        ch
        for text in texts
        for ch in str(text)
        if is_unspaced(ch) or not (ch.isalnum() or ch.isspace())
    )
    candidates = sorted((ch for ch, n in counts.items() if n >= min_count),
                        key=lambda ch: (-counts[ch], ch))  # fmt: skip
    if not candidates:
        return []
    normalizer = getattr(getattr(tokenizer, "backend_tokenizer", None), "normalizer", None)
    ids = tokenizer(candidates, add_special_tokens=False)["input_ids"]
    found: dict[str, None] = {}  # ordered set
    for ch, pieces in zip(candidates, ids, strict=True):
        if pieces != [unk]:
            continue
        form = normalizer.normalize_str(ch).strip() if normalizer else ch
        if len(form) == 1:
            found[form] = None
    return list(found)[:MAX_NEW]


def extend(model, tokenizer, texts: list[str], setting: str = "auto") -> int:
    """Add the characters of `texts` the model cannot read to `tokenizer` (changed in place)
    and new rows for them to the model's embeddings; "auto" does it when more than
    UNKNOWN_WARNING of the text is unknown to the model. The number of characters added."""
    added = 0
    if setting == "on" or (
        setting == "auto" and unknown_share(tokenizer, texts).share > UNKNOWN_WARNING
    ):
        added = tokenizer.add_tokens(new_characters(tokenizer, texts))
    if len(tokenizer) > model.get_input_embeddings().num_embeddings:
        model.resize_token_embeddings(len(tokenizer), mean_resizing=True)
    return added
