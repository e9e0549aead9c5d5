"""Named entities drawn in a text: (text, entities) -> segments a template renders.

    segments = highlight("Ada met Bob in Paris", [{"start": 15, "end": 20, "type": "LOC"}])
    # [{"text": "Ada met Bob in ", "entity": False},
    #  {"text": "Paris", "entity": True, "type": "LOC", "colour": 3, "confidence": None}]

Each segment is plain text: a template prints it with Django's autoescaping (templates/
includes/entities.html), so a text holding "<script>" or "&" is shown, never run, and no
`|safe` is needed. Offsets are characters of the text (Python string indices), so Chinese
text is cut between characters like any other. Entities that overlap one already drawn, or
fall outside the text, are left out rather than drawn wrong. The same type always gets the
same colour (one of COLOURS), on every page.
"""

import zlib

COLOURS = 8  # classes ent-0 .. ent-7 in static/css/app.css


def colour_of(entity_type: str) -> int:
    """A stable colour number for a type: the same on every page and in every process."""
    return zlib.crc32(str(entity_type).encode("utf-8")) % COLOURS


def highlight(text: str, entities: list[dict] | None) -> list[dict]:
    """The text cut into plain segments ({"text", "entity": False}) and entity segments
    ({"text", "entity": True, "type", "colour", "confidence": 0-100 or None}), in order.

    1. Keep the entities whose offsets lie inside the text, sorted by start (longest first).
    2. Walk the text: the plain stretch before each entity, then the entity itself; an
       entity starting inside the previous one is skipped.
    3. What is left after the last entity is the final plain segment."""
    text = text or ""
    spans = []
    for entity in entities or []:
        try:
            start, end = int(entity["start"]), int(entity["end"])
        except (KeyError, TypeError, ValueError):
            continue
        if 0 <= start < end <= len(text):
            spans.append((start, -end, entity))
    spans.sort(key=lambda s: (s[0], s[1]))
    segments, at = [], 0
    for start, negative_end, entity in spans:
        if start < at:
            continue
        if start > at:
            segments.append({"text": text[at:start], "entity": False})
        confidence = entity.get("confidence")
        segments.append(
            {
                "text": text[start:-negative_end],
                "entity": True,
                "type": str(entity.get("type", "")),
                "colour": colour_of(entity.get("type", "")),
                "confidence": None if confidence is None else round(100 * float(confidence)),
            }
        )
        at = -negative_end
    if at < len(text) or not segments:
        segments.append({"text": text[at:], "entity": False})
    return segments


def types_in(*entity_lists: list[dict]) -> list[dict]:
    """The types found in some entity lists, sorted, each with its colour: a legend."""
    names = sorted({str(e.get("type", "")) for entities in entity_lists for e in entities or []})
    return [{"type": name, "colour": colour_of(name)} for name in names]
