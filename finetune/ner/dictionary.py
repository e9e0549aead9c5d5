"""The dictionary baseline: the entities seen in training, looked up in new texts.

    lookup = Dictionary.learn(train_texts, train_spans)
    lookup.find("He moved to Paris.")        # [(12, 17, "LOC")]

1. Every entity's text in the training rows is an entry, with the type it has most often
   (ties: the first in alphabetical order).
2. In a new text every entry is looked for as written: whole words only in spaced scripts
   ("Paris" is not found inside "Parisian"), anywhere in unspaced ones (Chinese), the rule the
   entities column is read with (finetune.ner.entities.occurrences).
3. Where entries overlap, the longest wins ("New York Times" over "New York"), then the
   earliest.
No model reads the text: a fine-tuned model that does no better has learned nothing beyond
the list of names it was shown.
"""

from collections import Counter, defaultdict

from finetune.ner.entities import occurrences


class Dictionary:
    def __init__(self, entries: dict[str, str]):
        self.entries = entries  # entity text -> its most common type

    @classmethod
    def learn(cls, texts: list[str], spans: list) -> "Dictionary":
        seen: dict[str, Counter] = defaultdict(Counter)
        for text, text_spans in zip(texts, spans, strict=True):
            for start, end, kind in text_spans:
                name = text[start:end]
                if name.strip():
                    seen[name][kind] += 1
        return cls({name: min(kinds, key=lambda k: (-kinds[k], k)) for name, kinds in seen.items()})

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
