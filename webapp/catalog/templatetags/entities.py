"""`{% load entities %}{% highlighted text entities %}`: a text with its named entities marked;
`{{ type|entity_colour }}`: the colour number of a type of name, the same on every page.

The segments come from lib.entities.highlight (plain strings, cut in Python) and are printed
by templates/includes/entities.html with autoescaping on: user text never goes through
`|safe`. Used by the evaluation page of entity models (expected and predicted, side by side)
and by their "Try it" answer.
"""

from django import template

from lib.entities import colour_of, highlight

register = template.Library()


@register.inclusion_tag("includes/entities.html")
def highlighted(text: str, entities: list[dict] | None, confidence: bool = False) -> dict:
    """`confidence`: show each entity's confidence beside its type (the Try it answer)."""
    return {"segments": highlight(text, entities), "confidence": confidence}


@register.filter
def entity_colour(entity_type: str) -> int:
    return colour_of(entity_type)
