"""What the named-entity pages show, as plain data: the evaluation section (each type's
scores, the word-level accuracy in words, the test texts with a mistake) and one answer's
shape for the API's document.

The test texts come from evaluation.json's "examples" (the task keeps the most wrong ones,
with "examples_total" counting them all): most mistakes first, twenty at a time from
?offset= (the htmx "Show more") up to ?shown= (the same without JavaScript), only those with
a mistake in a name of ?type=. A text's mistakes are the names it missed (in the
spreadsheet, not found as they are) and the ones it got wrong (found, but not in the
spreadsheet: another type, other words, or not a name at all).
"""

from collections import Counter

from finetune.tasks.base import percent

PAGE = 20  # texts shown at first and added by each "Show more"


def entity_evaluation(evaluation: dict, params) -> dict:
    """The section's context from evaluation.json's "types", "overall" and "examples" (empty
    where it has none); `params`: the page's query (?type=, ?shown=, ?offset=)."""
    types = evaluation.get("types", [])
    accuracy = (evaluation.get("overall") or {}).get("token_accuracy")
    return {
        "entity_types": types,
        "entity_support": sum(int(row.get("support", 0)) for row in types),
        "token_percent": percent(accuracy) if accuracy is not None else "",
    } | mistakes_context(evaluation, params)


def with_mistakes(example: dict) -> dict:
    """An example with its "missed" and "wrong" names and the types they are of."""
    expected, predicted = example.get("expected", []), example.get("predicted", [])
    expected_keys, predicted_keys = {_span(e) for e in expected}, {_span(e) for e in predicted}
    missed = [e for e in expected if _span(e) not in predicted_keys]
    wrong = [e for e in predicted if _span(e) not in expected_keys]
    return example | {
        "missed": missed,
        "wrong": wrong,
        "mistake_types": {e["type"] for e in missed + wrong},
    }


def _span(entity: dict) -> tuple:
    return entity.get("start"), entity.get("end"), entity.get("type")


def _number(params, name: str, default: int) -> int:
    try:
        return max(0, int(params.get(name, default)))
    except ValueError:
        return default


def count_words(shown: int, total: int, kind: str) -> str:
    """ "Showing 20 of 87 texts with mistakes", "Showing all 3 texts with a mistake in a
    “PER” name"."""
    if kind:
        which = f"with a mistake in a “{kind}” name"
    else:
        which = "with a mistake" if total == 1 else "with mistakes"
    if total == 1:
        return f"Showing the one text {which}"
    if shown >= total:
        return f"Showing all {total:,} texts {which}"
    return f"Showing {shown:,} of {total:,} texts {which}"


def mistakes_context(evaluation: dict, params) -> dict:
    """The texts of one step of the list: from ?offset= up to ?shown= (or PAGE more)."""
    examples = [with_mistakes(e) for e in evaluation.get("examples", [])]
    examples.sort(key=lambda e: -(len(e["missed"]) + len(e["wrong"])))  # stable: test order
    types = Counter(t for e in examples for t in e["mistake_types"])
    kind = params.get("type", "")
    kind = kind if kind in types else ""
    matching = [e for e in examples if kind in e["mistake_types"]] if kind else examples
    offset = _number(params, "offset", 0)
    end = min(len(matching), max(offset + PAGE, _number(params, "shown", PAGE)))
    kept, total = len(examples), max(evaluation.get("examples_total", 0), len(examples))
    return {
        "entity_examples": matching[offset:end],
        "entity_offset": offset,
        "entity_end": end,
        "entity_more": min(PAGE, len(matching) - end),
        "entity_kind": kind,
        "entity_kinds": sorted(types.items()),
        "entity_count": count_words(end, len(matching), kind),
        "entity_kept": (
            f"This page keeps the {kept:,} texts with the most mistakes, of {total:,} in all; "
            "the test rows download above has every one."
        )
        if total > kept
        else "",
    }


def entities_prediction(task):
    """One answer of a named-entity model as a pydantic model: the names found."""
    from pydantic import BaseModel, Field, create_model

    from finetune.tasks.pages import schema_name

    class Entity(BaseModel):
        """One name found in a text by a named-entity model."""

        type: str = Field(description="Its type, as in the training spreadsheet (PER, LOC...).")
        text: str = Field(description="The name as it is written in the input.")
        start: int = Field(description="Where it starts in the input, in characters from 0.")
        end: int = Field(description="Where it ends (the character after its last one).")
        confidence: float = Field(description="How sure the model is, from 0 to 1.")

    return create_model(
        schema_name(task),
        __doc__=f"One answer of a model that does this: {task.description}",
        entities=(
            list[Entity],
            Field(
                description="Each name found in the text, in reading order, with its "
                "character offsets (Chinese text counts one character each)."
            ),
        ),
    )
