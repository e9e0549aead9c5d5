"""Named entities: find the names in a text (people, places, products, medicines) with their
type and their place in it.

Spreadsheets come in three layouts (finetune.tasks.ner.layouts): entities listed per text, one row
per token, or tokens and tags columns. Each text's target is its entities as character spans.
The model labels each token B-/I-/O per type (finetune.tasks.ner.align: offsets-based alignment,
windows for long texts) and is trained with cross-entropy over the tokens; its answers are
read per word (a word takes its first piece's label, so a name is always whole words) and
grouped into entities the way transformers' pipeline(aggregation_strategy="first") groups
them, so pipeline() on the run folder finds the same ones. Scores (finetune.tasks.ner.scores):
strict entity precision, recall and F1 per type and overall, word accuracy; baseline: a
dictionary of the entities seen in training (finetune.tasks.ner.dictionary), a candidate that serves
when it does better on the validation rows.

A prediction: {"entities": [{"type", "text", "start", "end", "confidence"}, ...]}.
"""

from collections import Counter
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from finetune.errors import FinetuneError
from finetune.mapping import ColumnMapping, TableLook
from finetune.roles import CHOICE, SPLIT, TEXT, Role
from finetune.tasks.base import Examples, Head, Suitability, Task, label_kwargs, percent
from finetune.tasks.ner import align, scores
from finetune.tasks.ner.dictionary import Dictionary, DictionaryCandidate
from finetune.tasks.ner.layouts import (
    ENTITY_FORMAT_HELP,
    LAYOUT_CHOICES,
    Parsed,
    format_entities,
    parse,
)
from finetune.tasks.ner.suggest import find_layout, reason_for

MIN_ENTITIES_PER_TYPE = 5  # fewer and the model will hardly learn the type
EXAMPLES_KEPT = 1000  # test texts with a mistake kept for the evaluation page, most first
ISSUES_SHOWN = 20  # rows listed per kind of issue in the data report


def _text_words(mapping) -> str:
    """The text column's name in words while tags are mapped: one token per row, or tokens."""
    return "token" if mapping.entity_layout == "token_rows" or mapping.sentence else "tokens"


NER_TEXT = replace(
    TEXT, help="The text the model reads. For names given one word per row or as a list of "
    "words, the column of words.",
)  # fmt: skip
ENTITIES = Role("entities", "Entities column", ENTITY_FORMAT_HELP, flag="--entities", answer=True)
TAGS = Role(
    "tags", "Tags column", "One tag per word (B-PER, I-PER, O, or just PER): one per row beside "
    "the word column, or a space-separated list as long as the list of words.",
    text_words=_text_words, answer=True,
)  # fmt: skip
SENTENCE = Role(
    "sentence", "Sentence column", "With one word per row: the sentence each row belongs to. "
    "Without it, a blank row ends a sentence.", words="sentence number",
)  # fmt: skip
ENTITY_LAYOUT = Role(
    "entity_layout", "How are the names written?",
    "Leave it on \u201cDetect it\u201d unless the check reads your file the wrong way.",
    kind=CHOICE, choices=(("", "Detect it"), *LAYOUT_CHOICES), words="entity layout",
)  # fmt: skip
# The command line names the columns of each layout by flags of its own (finetune.cli).
CLI_OPTIONS = (
    Role("entities", "", "the column that lists the names in each text", flag="--entities"),
    Role("token", "", "the column of words, one per row", flag="--token"),
    Role("tag", "", "the column of tags (B-PER, I-PER, O...), one per row", flag="--tag"),
    Role("sentence", "", "the column numbering the sentences (optional)", flag="--sentence"),
    Role("tokens", "", "the column of space-separated words", flag="--tokens"),
    Role("tags", "", "the column of space-separated tags, one per word", flag="--tags"),
)
CLI_HELP = (
    "one of three layouts: --entities (a text column and a column listing its names, "
    '"Paris = LOC; New York Times = ORG"), --token and --tag (one word per row, '
    "sentences told apart by --sentence or by blank rows), or --tokens and --tags "
    "(space-separated words and as many tags in one row)"
)


@dataclass(frozen=True)
class Annotated:
    """The target of one text: the text itself and its entities, (start, end, type) spans.
    It reads as the entities column does ("Paris = LOC; New York Times = ORG")."""

    text: str
    spans: tuple[tuple[int, int, str], ...]
    row: int | None = field(default=None, compare=False, repr=False)  # spreadsheet row

    def __str__(self) -> str:
        return format_entities(self.text, self.spans)


@dataclass
class NerExamples(Examples):
    parsed: Parsed | None = None  # how the spreadsheet read: layout, tag scheme, issues


def entity_dicts(text: str, spans) -> list[dict]:
    return [{"type": t, "text": text[s:e], "start": s, "end": e} for s, e, t in spans]


def spans_of(prediction: dict) -> list[tuple[int, int, str]]:
    return [(e["start"], e["end"], e["type"]) for e in prediction["entities"]]


class NerTask(Task):
    name = "ner"
    title = "Find names in text (entities)"
    description = (
        "The names in each text (people, places, products, medicines...) with their type "
        "and where they are."
    )
    primary_metric = "entity_f1"
    compare_metric = "entity_f1"
    compare_title = "entity F1"
    metric_title = "entity F1"
    pipeline_tag = "token-classification"
    pipeline_options = ('aggregation_strategy="first"',)  # whole words grouped into entities
    auto_model = "AutoModelForTokenClassification"
    label_words = "the entities"
    labels_title = "Types of names"
    example_noun = "text"  # a row in layouts 1 and 3, a sentence of rows in layout 2
    # The text (or token, or tokens) and either `entities` (layout 1) or `tags` (layouts 2, 3).
    roles = (NER_TEXT, ENTITY_LAYOUT, ENTITIES, TAGS, SENTENCE, SPLIT)
    health_template = "spreadsheets/health/ner.html"
    evaluation_template = "runs/evaluation/ner.html"
    try_template = "catalog/try/ner.html"
    offers_fixes = False  # label merges and row drops assume one text and one label per row

    # 1. Columns and rows

    def suits(self, sample: pd.DataFrame, mapping: ColumnMapping) -> Suitability:
        """A column of entities or of tags: the signs are strong and rare in other tables."""
        if not (mapping.entities or mapping.tags):
            return Suitability(0.0)
        return Suitability(1.0, reason_for(sample, mapping))

    def propose(self, look: TableLook) -> Suitability | None:
        found = find_layout(look.frame, look.guess.text)
        if found is None:
            return None
        reasons = look.reasons
        reasons.pop("label", None)
        return Suitability(1.0, found.reason, ColumnMapping(**found.roles),
                           reasons | found.reasons)  # fmt: skip

    cli_help = CLI_HELP

    def cli_options(self) -> tuple[Role, ...]:
        return CLI_OPTIONS

    def roles_from_cli(self, values: dict) -> dict:
        """The roles --entities, --token/--tag/--sentence or --tokens/--tags name ({} if none),
        with the layout they mean."""
        rows = (values.get("token"), values.get("tag"), values.get("sentence"))
        lists = (values.get("tokens"), values.get("tags"))
        if any(rows) and any(lists):
            raise FinetuneError(
                "Use --token and --tag for one word per row, or --tokens and --tags for the "
                "words of a text in one row, not both."
            )
        if any(rows) or any(lists):
            words, tags = (rows[0], rows[1]) if any(rows) else lists
            words = words or values.get("text")
            if not words or not tags:
                one, many = ("--token", "--tag") if any(rows) else ("--tokens", "--tags")
                raise FinetuneError(f"Name both the column of words ({one}) and of tags ({many}).")
            layout = "token_rows" if any(rows) else "token_lists"
            return {"text": words, "tags": tags, "sentence": rows[2], "entity_layout": layout}
        if values.get("entities"):
            if not values.get("text"):
                raise FinetuneError("Name the column of texts with --text, beside --entities.")
            return {"text": values["text"], "entities": values["entities"],
                    "entity_layout": "entities"}  # fmt: skip
        return {}

    def check_mapping(self, mapping: ColumnMapping) -> None:
        super().check_mapping(mapping)
        layout = mapping.entity_layout
        if layout == "entities" and not mapping.entities:
            raise FinetuneError('Pick the column that lists the entities, like "Paris = LOC".')
        if layout in ("token_rows", "token_lists") and not mapping.tags:
            raise FinetuneError("Pick the column that holds the tags (like B-PER, I-PER, O).")
        if not (mapping.entities or mapping.tags):
            raise FinetuneError(
                'Pick the column that lists the entities of each text (like "Paris = LOC"), '
                "or the column of tags (like B-PER, I-PER, O)."
            )

    def prepare(
        self, frame: pd.DataFrame, mapping: ColumnMapping, row_numbers: list[int] | None = None
    ) -> NerExamples:
        parsed = parse(frame, mapping, row_numbers=row_numbers)
        numbers = list(row_numbers) if row_numbers else [i + 2 for i in range(len(frame))]
        return NerExamples(
            rows=list(parsed.rows),
            texts=list(parsed.texts),
            targets=[
                Annotated(t, tuple(s), numbers[p] if p < len(numbers) else None)
                for t, s, p in zip(parsed.texts, parsed.spans, parsed.rows, strict=True)
            ],
            skipped={reason: list(rows) for reason, rows in parsed.skipped.items()},
            parsed=parsed,
        )

    def stratify_keys(self, targets: list) -> list[str]:
        """Each text's rarest type, so rare types reach every part; "" for texts with none."""
        counts = Counter(t for target in targets for _, _, t in target.spans)
        return [
            min((t for _, _, t in target.spans), key=lambda t: (counts[t], t), default="")
            for target in targets
        ]

    def scoring_column(self, mapping: ColumnMapping) -> str | None:
        """None after one word per row (layout 2): a file to score has one text per row,
        in a column of any name. The layout is the one the data check found (it is stored
        in the mapping when the mapping is saved)."""
        return None if mapping.entity_layout == "token_rows" else mapping.text

    # 2. The model's head

    def make_head(self, train: Examples, everything: Examples) -> Head:
        types = sorted({t for target in everything.targets for _, _, t in target.spans})
        return {"labels": align.bio_labels(types), "types": types}

    def grow_head(self, old: Head, fresh: Head) -> Head:
        types = [*old["types"], *[t for t in fresh["types"] if t not in old["types"]]]
        return super().grow_head(old, fresh) | {"types": types}

    def model_kwargs(self, head: Head) -> dict:
        return label_kwargs(head["labels"])

    def encode(self, tokenizer, examples: Examples, head: Head, max_length: int):
        """Every window of every text, with one label per token (IGNORED on specials)."""
        windows = align.Windows(tokenizer, max_length)
        spans = [target.spans for target in examples.targets]
        return windows.training_rows(examples.texts, spans, head["labels"])

    def model_inputs(self, tokenizer, texts, pairs, head: Head, max_length: int) -> list[dict]:
        """Every window of every text, as `encode` reads them (finetune/distill.py)."""
        windows = align.Windows(tokenizer, max_length)
        return windows.training_rows(texts, [()] * len(texts), head["labels"])[0]

    def target_tensor(self, targets: list, width: int):
        import torch

        padded = [labels + [align.IGNORED] * (width - len(labels)) for labels in targets]
        return torch.tensor(padded, dtype=torch.long)

    def run_model(self, model, tokenizer, texts, pairs=None, *, max_length, device=None,
                  batch_size=64):  # fmt: skip
        """One align.TokenOutputs per text: its tokens' offsets and label scores, windows
        merged back."""
        return align.Windows(tokenizer, max_length).run(model, texts, device, batch_size)

    # 3. Outputs

    def postprocess(self, outputs, head: Head) -> list[dict]:
        return [{"entities": align.decode(output, head["labels"])} for output in outputs]

    def answer_key(self, prediction: dict):
        return tuple(spans_of(prediction))

    def loss(self, outputs, encoded_targets: list) -> float:
        """Mean cross-entropy over the tokens that have a label, as in training."""
        total, count = 0.0, 0
        for output, labels in zip(outputs, encoded_targets, strict=True):
            labels = np.asarray(labels, dtype=np.int64)
            keep = labels != align.IGNORED
            if keep.any():
                probs = align.softmax(output.logits[keep])
                picked = probs[np.arange(int(keep.sum())), labels[keep]]
                total += float(-np.log(np.clip(picked, 1e-12, None)).sum())
                count += int(keep.sum())
        return total / count if count else 0.0

    def validation_loss(self, outputs, targets: list, head: Head) -> float:
        index = {label: i for i, label in enumerate(head["labels"])}
        encoded = [
            align.token_labels(output.offsets.tolist(), target.spans, index)
            for output, target in zip(outputs, targets, strict=True)
        ]
        return self.loss(outputs, encoded)

    def prediction_columns(
        self, predictions: list[dict], head: Head, texts: list[str] | None = None
    ) -> dict[str, list]:
        """The entities column in the layout people train from ("Paris = LOC; ..."), so a
        scored file, once corrected, is training data again."""
        if texts is None:  # without the texts, every entity reads as all its occurrences
            listed = [[f"{e['text']} = {e['type']}" for e in p["entities"]] for p in predictions]
            return {"entities": ["; ".join(dict.fromkeys(items)) for items in listed]}
        return {
            "entities": [
                format_entities(text, spans_of(p))
                for text, p in zip(texts, predictions, strict=True)
            ]
        }

    def uncertainty(self, predictions: list[dict], head: Head) -> list[float]:
        """1 - the confidence of the text's least sure name; a text where no name was found
        counts as sure."""
        return [
            1.0 - min((float(e["confidence"]) for e in p["entities"]), default=1.0)
            for p in predictions
        ]

    def target_column(self, targets: list) -> list:
        return [str(target) for target in targets]

    def is_correct(self, target, prediction: dict) -> bool:
        return set(target.spans) == set(spans_of(prediction))

    # 4. Scores

    def metrics(self, targets: list, predictions: list[dict], head: Head) -> dict:
        expected = [target.spans for target in targets]
        found = [spans_of(p) for p in predictions]
        table = scores.entity_scores(expected, found, head.get("types", ()))
        overall = table["overall"]
        out = {
            "entity_f1": overall["f1"],
            "entity_precision": overall["precision"],
            "entity_recall": overall["recall"],
            "token_accuracy": scores.token_accuracy(
                [target.text for target in targets], expected, found
            ),
            "rows": len(targets),
            "entities": overall["support"],
        }
        return out | {f"f1_{row['type']}": row["f1"] for row in table["types"]}

    def evaluation(self, targets: list, predictions: list[dict], head: Head) -> dict:
        expected = [target.spans for target in targets]
        found = [spans_of(p) for p in predictions]
        table = scores.entity_scores(expected, found, head.get("types", ()))
        overall = {k: table["overall"][k] for k in ("precision", "recall", "f1")}
        texts = [target.text for target in targets]
        overall["token_accuracy"] = scores.token_accuracy(texts, expected, found)
        # The texts with a mistake, those with the most names missed or wrong first.
        wrong = [
            (len(set(target.spans) ^ set(spans_of(p))), target, p)
            for target, p in zip(targets, predictions, strict=True)
            if not self.is_correct(target, p)
        ]
        wrong.sort(key=lambda item: -item[0])
        examples = [
            {
                "row": target.row,
                "text": target.text,
                "expected": entity_dicts(target.text, target.spans),
                "predicted": p["entities"],
            }
            for _, target, p in wrong[:EXAMPLES_KEPT]
        ]
        return {
            "types": table["types"],
            "overall": overall,
            "examples": examples,
            "examples_total": len(wrong),
            "confusions": scores.confusions(expected, found),
        }

    def baselines(self, train: Examples, test: Examples, head: Head, fitted=None) -> dict:
        found = {c.name: c for c in fitted or self.candidates(train, None, head)}
        answers = found["dictionary"].answers(test)
        table = scores.entity_scores(
            [target.spans for target in test.targets], [spans_of(a) for a in answers]
        )
        overall = table["overall"]
        return {
            "baseline_dictionary_entity_f1": overall["f1"],
            "baseline_dictionary_entity_precision": overall["precision"],
            "baseline_dictionary_entity_recall": overall["recall"],
        }

    def candidates(self, train: Examples, validation: Examples | None, head: Head) -> list:
        lookup = Dictionary.learn(train.texts, [target.spans for target in train.targets])
        return [DictionaryCandidate(lookup, head)]

    def headline(self, metrics: dict) -> list[tuple[str, str]]:
        """Entity F1 first; when the dictionary baseline does better, its name says so."""
        f1, baseline = metrics["test_entity_f1"], metrics.get("baseline_dictionary_entity_f1")
        name = "Entity F1"
        if baseline is not None and f1 < baseline:
            name += f", below the dictionary of names seen in training ({baseline:.3f})"
        return [
            (name, f"{f1:.3f}"),
            ("Precision (found names that are right)", percent(metrics["test_entity_precision"])),
            ("Recall (names found)", percent(metrics["test_entity_recall"])),
            ("Words tagged right", percent(metrics["test_token_accuracy"])),
        ]

    baseline_names = {"dictionary": "The names seen in training, looked up"}

    def baseline_headline(self, metrics: dict) -> list[tuple[str, str]]:
        return [
            (words, f"{metrics[f'baseline_{name}_entity_f1']:.3f}")
            for name, words in self.baseline_names.items()
        ]

    def format_metric(self, value: float | None) -> str:
        return "" if value is None else f"{value:.3f}"

    # 5. The data report

    def length_in_words(self, max_length) -> str:
        return f"long texts read in overlapping pieces of {max_length} word pieces"

    def long_text_warning(self, count: int, size: str) -> str:
        many = count != 1
        return (
            f"{count} text{'s are' if many else ' is'} longer than the model reads at once "
            f"({size}); {'they are' if many else 'it is'} read in overlapping pieces, so no "
            "name is cut off."
        )

    def report_lines(self, report) -> list[str]:
        if not report.section.get("entity_types"):
            return []
        types = ", ".join(f"{x['type']} ({x['count']})" for x in report.entity_types)
        return [f"Entity types: {types}. Texts without any: {report.texts_without_entities}."]

    def rows_in_words(self, report) -> str:
        if report.entity_layout == "token_rows":  # one word per row: the texts are sentences
            return f"{report.rows_used} sentences usable for training"
        return super().rows_in_words(report)

    def health(self, report, examples: Examples, mapping: ColumnMapping, row_number) -> None:
        from finetune.tasks.ner.health import entity_section

        entity_section(report, examples, MIN_ENTITIES_PER_TYPE, ISSUES_SHOWN)

    # 6. Its pages (finetune/tasks/ner/pages.py)

    def health_context(self, health: dict) -> dict:
        from finetune.tasks.ner.layouts import LAYOUT_WORDS

        return {"entity_layout_words": LAYOUT_WORDS.get(health.get("entity_layout") or "")}

    def mapping_as_found(self, mapping: ColumnMapping, health: dict) -> ColumnMapping:
        """A layout left to "Detect it" kept as the check found it."""
        found = health.get("entity_layout")
        if not found or mapping.to_dict().get("entity_layout"):
            return mapping
        return ColumnMapping.from_dict(mapping.to_dict() | {"entity_layout": found})

    def evaluation_context(self, evaluation: dict, predictions: list[dict], params) -> dict:
        from finetune.tasks.ner.pages import entity_evaluation

        return entity_evaluation(evaluation, params)

    def try_context(self, result: dict, head: Head) -> dict:
        return {}  # the text with its names marked: the template draws it from the answer

    def shown_labels(self, info: dict) -> list[str]:
        """Its labels are tags (B-PER, I-PER, O); the types are what people know."""
        return list(info.get("head", {}).get("types") or info.get("labels", []))

    def prediction_schema(self):
        from finetune.tasks.ner.pages import entities_prediction

        return entities_prediction(self)
