"""The dictionary baseline: the entities seen in training, looked up in new texts.

    lookup = Dictionary.learn(train_texts, train_spans)
    lookup.find("He moved to Paris.")        # [(12, 17, "LOC")]

1. Every entity's text in the training rows is an entry, with the type it has most often
   (ties: the first in alphabetical order).
2. In a new text every entry is looked for as written: whole words only in spaced scripts
   ("Paris" is not found inside "Parisian"), anywhere in unspaced ones (Chinese), the rule the
   entities column is read with (finetune.tasks.ner.entities.occurrences).
3. Where entries overlap, the longest wins ("New York Times" over "New York"), then the
   earliest.
4. An entry the training rows mostly do not mark where it is found is dropped: looked up in
   the training texts themselves, fewer than MIN_PRECISION of its finds are names of its type
   (a title like 经理 marked once and written unmarked in three other rows): such an entry
   would mark every later 经理 wrongly. On Resume NER (the first 2,000 training sentences,
   all 477 test sentences) this lifts its test entity F1 from 0.513 to 0.541 (bench/RESULTS.md).
No model reads the text: a fine-tuned model that does no better has learned nothing beyond
the list of names it was shown. It is a candidate too (DictionaryCandidate): when it does
better on the validation rows it serves, each name found with the share of its training
occurrences that had its type as the confidence.
"""

from collections import Counter, defaultdict

from finetune.candidates import Candidate
from finetune.tasks.ner.entities import occurrences

WORDS = "the list of names seen in training"
MIN_PRECISION = 0.6  # share of an entry's finds in the training texts that must be right


class Dictionary:
    def __init__(self, entries: dict[str, str], shares: dict[str, float] | None = None):
        self.entries = entries  # entity text -> its most common type
        self.shares = shares or {}  # entity text -> share of its occurrences with that type

    @classmethod
    def learn(cls, texts: list[str], spans: list) -> "Dictionary":
        seen: dict[str, Counter] = defaultdict(Counter)
        for text, text_spans in zip(texts, spans, strict=True):
            for start, end, kind in text_spans:
                name = text[start:end]
                if name.strip():
                    seen[name][kind] += 1
        entries = {name: min(kinds, key=lambda k: (-kinds[k], k)) for name, kinds in seen.items()}
        shares = {name: seen[name][kind] / seen[name].total() for name, kind in entries.items()}
        finds, right = Counter(), Counter()  # 4.: each entry looked up in the training texts
        for text, text_spans in zip(texts, spans, strict=True):
            marked = set(text_spans)
            for start, end, kind in cls(entries).find(text):
                finds[text[start:end]] += 1
                right[text[start:end]] += (start, end, kind) in marked
        kept = [name for name in entries if right[name] >= MIN_PRECISION * finds[name]]
        return cls({name: entries[name] for name in kept}, {name: shares[name] for name in kept})

    def find(self, text: str) -> list[tuple[int, int, str]]:
        candidates = [
            (start, start + len(name), kind)
            for name, kind in self.entries.items()
            if name in text
            for start in occurrences(text, name)
            if text.startswith(name, start)  # as written: not the case-blind second look
        ]
        kept: list[tuple[int, int, str]] = []
        for start, end, kind in sorted(candidates, key=lambda c: (c[0] - c[1], c[0])):
            if all(end <= s or start >= e for s, e, _ in kept):
                kept.append((start, end, kind))
        return sorted(kept)


class DictionaryCandidate(Candidate):
    """The dictionary as a candidate: answers {"entities": [{"type", "text", "start", "end",
    "confidence"}]} as the entity model does; saved as JSON (its entries)."""

    kind = "dictionary"

    def __init__(self, lookup: Dictionary, head: dict):
        super().__init__("dictionary", WORDS, head)
        self.lookup = lookup

    def predict(self, texts: list[str], pairs: list[str] | None = None) -> list[dict]:
        return [
            {
                "entities": [
                    {
                        "type": kind,
                        "text": text[start:end],
                        "start": start,
                        "end": end,
                        "confidence": float(self.lookup.shares.get(text[start:end], 1.0)),
                    }
                    for start, end, kind in self.lookup.find(text)
                ]  # fmt: skip
            }
            for text in texts
        ]

    def state(self) -> tuple[dict, dict]:
        entries = [[name, kind, self.lookup.shares.get(name, 1.0)]
                   for name, kind in sorted(self.lookup.entries.items())]  # fmt: skip
        return {"entries": entries}, {}

    @classmethod
    def from_state(cls, spec: dict, arrays: dict, folder=None) -> "DictionaryCandidate":
        entries = {str(name): str(kind) for name, kind, _ in spec["entries"]}
        shares = {str(name): float(share) for name, _, share in spec["entries"]}
        return cls(Dictionary(entries, shares), spec["head"])
