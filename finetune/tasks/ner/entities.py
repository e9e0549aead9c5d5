"""The one-column entity list of layout 1, "Paris = LOC; New York Times = ORG", both ways.

    mentions, unreadable = parse_entity_cell("Paris = LOC; Paris#2 (LOC); ORG: ACME")
    place(text, mentions)        # character spans, and what could not be found or placed
    format_entities(text, spans) # spans -> the list as people write it

The rule (shown on the mapping page as ENTITY_FORMAT_HELP): entities are separated by ";" (or
a new line); each is `text = TYPE`, `text (TYPE)` or `TYPE: text`; without `#n` an entity is
every occurrence of its text, `Paris#2 = LOC` is the second one only. In spaced scripts only
whole words match ("Paris" is not found inside "Parisian"); in a text mostly in an unspaced
script (Chinese, Japanese, Thai...) any position does. A text not found as written is looked for ignoring case.
Full-width punctuation (；＝（）：) is read like its ASCII twin. A name holding ";" still reads
(see parse_entity_cell).
"""

import re
from typing import NamedTuple

from finetune.scripts import UNSPACED_CLASS

ENTITY_FORMAT_HELP = (
    'List the entities of each text in one cell, separated by semicolons: "Paris = LOC; '
    'New York Times = ORG" ("Paris (LOC)" and "LOC: Paris" work too). An entity is found '
    'everywhere its text appears; write "Paris#2 = LOC" to mark only the second one.'
)
ITEM_SEPARATOR = re.compile(r"([;；\n])")
PARENS = re.compile(r"^(?P<text>.+?)\s*[(（]\s*(?P<type>[^()（）]+?)\s*[)）]$")
COLON = re.compile(r"^(?P<type>[^\s:：=＝]+)\s*[:：]\s*(?P<text>.+)$")
NTH = re.compile(r"^(?P<text>.*\S)#(?P<n>\d+)$")
TYPE = re.compile(r"^[^\s;；=＝#]{1,40}$")  # one word, as tags are: LOC, creative-work, 人名
# Scripts written without spaces between words (finetune.scripts), with the CJK punctuation
# and full-width forms that sit between their characters without spaces too.
UNSPACED = re.compile(f"[{UNSPACED_CLASS}\u3000-\u303f\uff00-\uffef]")


class Mention(NamedTuple):
    text: str
    type: str
    nth: int | None = None  # 1 = the first occurrence; None = every occurrence


def is_unspaced(ch: str) -> bool:
    """Whether a character belongs to a script written without spaces between words."""
    return bool(ch) and UNSPACED.match(ch) is not None


def parse_entity_cell(cell, text: str | None = None) -> tuple[list[Mention], list[str]]:
    """(mentions, pieces that could not be read) from one cell of the entities column.

    A piece that cannot be read is read again joined to the next ones by their ";", so a
    name holding a ";" ("Simon &amp; Schuster = ORG") still reads; given the row's `text`,
    only where the joined name is in it (so "junk; Rome = LOC" keeps Rome).
    """
    raw = "" if cell is None or cell != cell else str(cell)  # None and NaN are empty
    parts = ITEM_SEPARATOR.split(raw)
    pieces, separators = parts[::2], parts[1::2]
    haystack = None if text is None else text.casefold()
    mentions, unreadable, i = [], [], 0
    while i < len(pieces):
        joined, taken = pieces[i], None
        for j in range(i, len(pieces)):
            if j > i:
                if separators[j - 1] == "\n":
                    break
                joined += separators[j - 1] + pieces[j]
            mention = _mention(joined.strip())
            if mention and (j == i or haystack is None or mention.text.casefold() in haystack):
                taken = (mention, j)
                break
        if taken:
            mentions.append(taken[0])
            i = taken[1] + 1
            continue
        if pieces[i].strip():
            unreadable.append(pieces[i].strip())
        i += 1
    return mentions, unreadable


def _mention(piece: str) -> Mention | None:
    normal = piece.replace("＝", "=")
    if "=" in normal:
        name, _, type_ = normal.rpartition("=")
    elif found := PARENS.match(piece) or COLON.match(piece):
        name, type_ = found.group("text"), found.group("type")
    else:
        return None
    name, type_, nth = name.strip(), type_.strip(), None
    if numbered := NTH.match(name):
        name, nth = numbered.group("text"), int(numbered.group("n"))
    if not name or not TYPE.match(type_) or nth == 0:
        return None
    return Mention(name, type_, nth)


def occurrences(text: str, name: str) -> list[int]:
    """Where `name` starts in `text`: whole words in spaced scripts, any position in a text
    mostly in an unspaced one ("ABC" in "1ABC公司" too); ignoring case when it is not found
    as written."""
    whole = not mostly_unspaced(text)
    found = _scan(text, name, whole)
    if not found:
        folded, name_folded = text.casefold(), name.casefold()
        if len(folded) == len(text) and len(name_folded) == len(name):  # same offsets
            found = _scan(folded, name_folded, whole)
    return found


def mostly_unspaced(text: str) -> bool:
    """More than half of the letters of `text` are in unspaced scripts."""
    letters = [ch for ch in text if ch.isalpha()]
    return sum(1 for ch in letters if is_unspaced(ch)) > 0.5 * len(letters)


def _scan(text: str, name: str, whole: bool) -> list[int]:
    starts, at = [], text.find(name)
    while at >= 0 and name:
        if not whole or _whole(text, at, at + len(name)):
            starts.append(at)
        at = text.find(name, at + 1)
    return starts


def _word_char(ch: str) -> bool:
    return ch.isalnum() and not is_unspaced(ch)


def _whole(text: str, start: int, end: int) -> bool:
    """No spaced-script word goes on across either edge ("Paris" in "Parisian" does)."""
    if start > 0 and _word_char(text[start - 1]) and _word_char(text[start]):
        return False
    return not (end < len(text) and _word_char(text[end]) and _word_char(text[end - 1]))


class Placed(NamedTuple):
    spans: list[tuple[int, int, str]]  # sorted, not overlapping
    unfound: list[str]  # mentions in words: 'Paris#3 = LOC'
    overlaps: list[str]  # what was dropped, in words


def place(text: str, mentions: list[Mention]) -> Placed:
    """Character spans of `mentions` in `text`.

    1. Each mention gives every occurrence, or only the nth.
    2. Spans sorted by start, the longer first; a span overlapping one already kept is
       dropped. A span inside a longer one, found only because it is every occurrence of its
       text ("New York" inside "New York Times"), is dropped quietly: it is not a mistake.
    """
    candidates, unfound = [], []
    for m in mentions:
        starts = occurrences(text, m.text)
        if m.nth is not None:
            starts = starts[m.nth - 1 : m.nth]
        if not starts:
            unfound.append(describe(m))
        candidates += [(s, s + len(m.text), m.type, m.nth is not None) for s in starts]
    kept, overlaps = [], []
    for start, end, type_, explicit in sorted(set(candidates), key=lambda c: (c[0], c[0] - c[1])):
        if kept and start < kept[-1][1]:
            last = kept[-1]
            if (start, end, type_) == last[:3]:
                continue  # the same entity listed twice
            inside = last[0] <= start and end <= last[1] and (end - start) < (last[1] - last[0])
            if not (inside and not explicit):
                overlaps.append(
                    f'"{text[start:end]}" ({type_}) overlaps "{text[last[0] : last[1]]}" '
                    f"({last[2]})"
                )
            continue
        kept.append((start, end, type_, explicit))
    return Placed([k[:3] for k in kept], unfound, overlaps)


def describe(m: Mention) -> str:
    return f"{m.text}{f'#{m.nth}' if m.nth else ''} = {m.type}"


def format_entities(text: str, spans) -> str:
    """The entities column for one text: `#n` only where "every occurrence" would say more
    than the spans do (the text also appears unmarked, or with another type)."""
    spans = sorted((int(s), int(e), str(t)) for s, e, t in spans)
    by_name: dict[str, list[tuple[int, int, str]]] = {}
    for span in spans:
        by_name.setdefault(text[span[0] : span[1]], []).append(span)
    items, written = [], set()
    for start, end, type_ in spans:
        name = text[start:end]
        if name in written:
            continue
        group, starts = by_name[name], occurrences(text, name)
        if sorted(s for s, _, _ in group) == starts and len({t for _, _, t in group}) == 1:
            items.append(f"{name} = {type_}")
            written.add(name)
        elif start in starts:
            items.append(f"{name}#{starts.index(start) + 1} = {type_}")
        else:
            items.append(f"{name} = {type_}")  # not a whole word: read back as unfound
    return "; ".join(items)
