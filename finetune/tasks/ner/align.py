"""Entities as character spans <-> one label per model token, through the tokenizer's offsets;
texts longer than the model reads cut into overlapping windows and merged back.

    windows = Windows(tokenizer, max_length=128)
    rows, targets = windows.training_rows(texts, spans_per_text, labels)  # for the trainer
    outputs = windows.run(model, texts, device)      # one TokenOutputs per text, whole
    entities = decode(outputs[0], labels)            # [{"type", "text", "start", "end", ...}]

Labels (`bio_labels`): B-TYPE and I-TYPE for each type, then O. The first token of an entity
is B-, every later token of it I-, continuation pieces of a word included ("wash ##ington":
B-LOC I-LOC), so every token's answer is trained. A token belongs to an entity when its
characters overlap the entity's. Special tokens (and tokens that cover no character) get
IGNORED, left out of the loss.

Names are whole words (`decode`): the answers are read per word, not per token, the way
transformers' token-classification pipeline reads them with aggregation_strategy="first":
a word takes its first piece's label, so "Est ##udi ##antes" can never come back as three
names of three types. A word is what the pipeline calls one (`word_starts`): for tokenizers
that mark continuation pieces ("##udi"), a piece that is not marked starts a word; for the
others, a token after a space. Chinese, Japanese and Korean characters are words of their own
(a text without spaces is not one word), so Chinese names stay character-level.

Windows: a text is tokenized once, whole; when its tokens do not fit `max_length` (with the
special tokens), the model reads windows of WIDTH tokens starting every half window, the
last one ending at the text's end. Training learns from every window. For prediction, each
token keeps the answer of the window where it sits most centrally (most context on both
sides), so no entity is lost to truncation and none is read without context on one side
where another window gives it.
"""

import re
from dataclasses import dataclass

import numpy as np

IGNORED = -100  # label index the loss skips (torch's CrossEntropyLoss ignore_index)
OUTSIDE = "O"
# Characters that are words by themselves: CJK ideographs, kana, hangul, CJK punctuation.
CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00020000-\U0002fa1f]"
)


def bio_labels(types) -> list[str]:
    """["B-LOC", "I-LOC", "B-PER", "I-PER", "O"]: the model's labels for sorted `types`."""
    return [f"{prefix}-{t}" for t in sorted(types) for prefix in ("B", "I")] + [OUTSIDE]


def token_labels(offsets, spans, index: dict[str, int]) -> list[int]:
    """One label index per token (offsets: (start, end) characters) from (start, end, type)
    character spans: B- on an entity's first token, I- on the rest; O outside; IGNORED for
    tokens that cover no character. A token inside two spans keeps the first one's label."""
    out = [index[OUTSIDE] if end > start else IGNORED for start, end in offsets]
    taken = [False] * len(out)
    for span_start, span_end, kind in sorted(spans):
        first = True
        for i, (start, end) in enumerate(offsets):
            if end <= start or taken[i] or start >= span_end or end <= span_start:
                continue
            out[i] = index[f"{'B' if first else 'I'}-{kind}"]
            taken[i], first = True, False
    return out


def window_starts(tokens: int, width: int) -> list[int]:
    """Where each window of `width` tokens starts: every half window, the last one flush with
    the end; one window at 0 when everything fits (or the text is empty)."""
    if tokens <= width:
        return [0]
    step = max(1, width // 2)
    return [*range(0, tokens - width, step), tokens - width]


def central_window(position: int, starts: list[int], width: int) -> int:
    """The window (by index) in which token `position` has the most tokens on its shorter
    side; the earlier window on a tie."""
    best, best_room = 0, -1
    for w, start in enumerate(starts):
        if start <= position < start + width:
            room = min(position - start, start + width - 1 - position)
            if room > best_room:
                best, best_room = w, room
    return best


def word_starts(tokenizer, text: str, ids: list[int], offsets) -> list[bool]:
    """For each token of `text`, whether it starts a word, as transformers' token-classification
    pipeline decides (its gather_pre_entities), except that a CJK character is always a word:
    1. with a tokenizer that marks continuation pieces ("##ington"), a token whose text is as
       long as the characters it covers is not a continuation, so it starts a word;
    2. otherwise a token starts a word at the text's start or after a space;
    3. an unknown token ([UNK]) starts a word; so does a token that is, or follows, a CJK
       character."""
    backend = getattr(tokenizer, "_tokenizer", None)
    marked = bool(backend and getattr(backend.model, "continuing_subword_prefix", None))
    pieces = tokenizer.convert_ids_to_tokens(ids) if marked else [None] * len(ids)
    starts, previous_cjk = [], False
    for token_id, piece, (start, end) in zip(ids, pieces, offsets, strict=True):
        covered = text[start:end]
        if marked:
            first = len(piece) == len(covered)
        else:
            first = start == 0 or " " in text[start - 1 : start + 1]
        cjk = bool(covered) and CJK.match(covered[0]) is not None
        starts.append(first or token_id == tokenizer.unk_token_id or cjk or previous_cjk)
        previous_cjk = bool(covered) and CJK.match(covered[-1]) is not None
    return starts


@dataclass
class TokenOutputs:
    """The model's answer for one whole text: one row of label scores per token."""

    text: str
    offsets: np.ndarray  # (tokens, 2): each token's characters, start and end
    logits: np.ndarray  # (tokens, labels)
    starts: np.ndarray | None = None  # (tokens,): whether each token starts a word


class Windows:
    """A tokenizer's view of texts as windows that fit the model (see the module docstring)."""

    # Which pieces of a word learn its label: "all" (B- on the first, I- on the rest) or
    # "first" (the rest left out of the loss). Decoding reads first pieces either way;
    # bench/ner_minilm.py --label-pieces measured both (bench/RESULTS.md) and "all" is kept.
    label_pieces = "all"

    def __init__(self, tokenizer, max_length: int):
        self.tokenizer = tokenizer
        # The special tokens a single text gets around it ([CLS] ... [SEP], <s> ... </s>).
        probe = tokenizer("a", return_special_tokens_mask=True)
        mask = probe["special_tokens_mask"]
        content = [i for i, special in enumerate(mask) if not special]
        self.prefix, self.suffix = content[0], len(mask) - 1 - content[-1]
        ids = probe["input_ids"]
        self.prefix_ids = ids[: self.prefix]
        self.suffix_ids = ids[len(ids) - self.suffix :]
        self.width = max(1, max_length - self.prefix - self.suffix)
        self.with_types = "token_type_ids" in tokenizer.model_input_names

    def tokenize(self, texts: list[str]) -> tuple[list[list[int]], list[list[tuple[int, int]]]]:
        """(token ids, character offsets) of each whole text, without special tokens."""
        if not texts:
            return [], []
        encoded = self.tokenizer(
            texts, add_special_tokens=False, return_offsets_mapping=True, verbose=False
        )
        return encoded["input_ids"], [
            [tuple(o) for o in offs] for offs in encoded["offset_mapping"]
        ]

    def inputs(self, ids: list[int]) -> dict[str, list[int]]:
        """Model inputs for one window of content token ids."""
        full = self.prefix_ids + ids + self.suffix_ids
        row = {"input_ids": full, "attention_mask": [1] * len(full)}
        if self.with_types:
            row["token_type_ids"] = [0] * len(full)
        return row

    def training_rows(self, texts: list[str], spans: list, labels: list[str]):
        """(rows of model inputs, one label list per row): every window of every text."""
        index = {label: i for i, label in enumerate(labels)}
        rows, targets = [], []
        for text, ids, offsets, text_spans in zip(texts, *self.tokenize(texts), spans, strict=True):
            if not ids:
                continue  # nothing to learn from
            per_token = token_labels(offsets, text_spans, index)
            if self.label_pieces == "first":
                starts = word_starts(self.tokenizer, text, ids, offsets)
                per_token = [
                    k if first else IGNORED for k, first in zip(per_token, starts, strict=True)
                ]
            for start in window_starts(len(ids), self.width):
                end = start + self.width
                rows.append(self.inputs(ids[start:end]))
                edges_ignored = [IGNORED] * self.prefix, [IGNORED] * self.suffix
                targets.append(edges_ignored[0] + per_token[start:end] + edges_ignored[1])
        return rows, targets

    def count(self, texts: list[str]) -> int:
        """How many of `texts` need more than one window."""
        return sum(len(ids) > self.width for ids in self.tokenize(texts)[0])

    def run(self, model, texts: list[str], device=None, batch_size: int = 64):
        """One TokenOutputs per text: every window through the model, tokens merged back."""
        from finetune.modeling import forward_batches

        all_ids, all_offsets = self.tokenize(texts)
        plan = []  # (text, window start) per window
        for t, ids in enumerate(all_ids):
            plan += [(t, start) for start in window_starts(len(ids), self.width)]
        rows = [self.inputs(all_ids[t][start : start + self.width]) for t, start in plan]
        encoded = {key: [row[key] for row in rows] for key in (rows[0] if rows else {})}
        labels = model.config.num_labels
        window_logits: list[np.ndarray | None] = [None] * len(rows)
        for chunk, logits in forward_batches(model, self.tokenizer, encoded, device, batch_size):
            for n, w in enumerate(chunk):
                length = len(rows[w]["input_ids"])
                window_logits[w] = logits[n, self.prefix : length - self.suffix]
        outputs, w = [], 0
        for t, text in enumerate(texts):
            ids = all_ids[t] if all_ids else []
            starts = window_starts(len(ids), self.width)
            merged = np.zeros((len(ids), labels), dtype=np.float32)
            for position in range(len(ids)):
                k = central_window(position, starts, self.width)
                merged[position] = window_logits[w + k][position - starts[k]]
            w += len(starts)
            offsets = all_offsets[t] if all_offsets else []
            starts = word_starts(self.tokenizer, text, ids, offsets)
            offsets = np.asarray(offsets, dtype=np.int64).reshape(-1, 2)
            outputs.append(TokenOutputs(text, offsets, merged, np.asarray(starts, dtype=bool)))
        return outputs


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = np.asarray(logits, dtype=np.float64)
    shifted = shifted - shifted.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def _tag(label: str) -> tuple[str, str]:
    """("B", "LOC") for "B-LOC"; ("I", "O") for "O": as the pipeline's get_tag reads labels."""
    if label[:2] in ("B-", "I-"):
        return label[0], label[2:]
    return "I", label


def words(outputs: TokenOutputs) -> list[list[int]]:
    """The tokens of each word, in order (every token its own word without `starts`)."""
    groups: list[list[int]] = []
    starts = outputs.starts if outputs.starts is not None else np.ones(len(outputs.logits), bool)
    for i, first in enumerate(starts):
        if first or not groups:
            groups.append([i])
        else:
            groups[-1].append(i)
    return groups


def decode(outputs: TokenOutputs, labels: list[str]) -> list[dict]:
    """Entities of one text, whole words only, grouped as pipeline(aggregation_strategy="first")
    groups them:
    1. each word takes its first token's most likely label, and that probability as its score;
    2. a word joins the group before it when it has the same type and is not B-;
    3. groups of O are dropped; an entity runs from its first word's first character to its
       last word's last character; its confidence is the mean of its words' scores."""
    if not len(outputs.logits):
        return []
    probs = softmax(outputs.logits)
    tagged = []  # (first token, last token, label id, score) per word
    for word in words(outputs):
        label_id = int(probs[word[0]].argmax())
        tagged.append((word[0], word[-1], label_id, float(probs[word[0], label_id])))
    groups: list[list[tuple]] = []
    for word in tagged:
        prefix, kind = _tag(labels[word[2]])
        if groups and prefix != "B" and _tag(labels[groups[-1][-1][2]])[1] == kind:
            groups[-1].append(word)
        else:
            groups.append([word])
    entities = []
    for group in groups:
        kind = _tag(labels[group[0][2]])[1]
        if kind == OUTSIDE:
            continue
        start, end = int(outputs.offsets[group[0][0]][0]), int(outputs.offsets[group[-1][1]][1])
        entities.append(
            {
                "type": kind,
                "text": outputs.text[start:end],
                "start": start,
                "end": end,
                "confidence": float(np.mean([word[3] for word in group])),
            }
        )
    return entities
