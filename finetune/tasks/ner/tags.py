"""Entity tags, one per token, in every scheme people write them, and back.

    scheme = detect_scheme(["B-PER", "I-PER", "O"])          # "BIO"
    decoded = entity_ranges(["B-PER", "I-PER", "O"], scheme)  # token ranges, end excluded
    decoded.ranges    # [(0, 2, "PER")]
    decoded.repairs   # [(token index, what was impossible, in words)]
    bio_tags(3, [(0, 2, "PER")])                             # ["B-PER", "I-PER", "O"]

Schemes: "BIO" (B- begins, I- continues), "IO" (I- only: a run of one type is one entity),
"BIOES" (E- ends, S- is a single token; BILOU's L- and U- read the same), "BMES" (as BIOES
with M- in the middle, the usual Chinese scheme) and "bare" (the tag is the type; a run of one
type is one entity). "O" and an empty tag are outside every entity. Prefixes may be joined by
"-" or "_" and written in either case ("b-PER", "B_PER").

Impossible sequences are repaired, never refused: an I-, M- or E- that does not continue an
entity of its type starts one (the usual reading, and what seqeval does with BIO); in BIOES and
BMES an entity left open (no E- or S-) ends at its last token. Each repair is counted so the
health report can say how many tags were mended.
"""

import re
from dataclasses import dataclass, field

OUTSIDE = {"", "O", "o"}
PREFIXES = {"B": "B", "I": "I", "M": "M", "E": "E", "S": "S", "L": "E", "U": "S"}
PREFIXED = re.compile(r"^([BIMESLUbimeslu])[-_](\S.*)$")


@dataclass
class Decoded:
    ranges: list[tuple[int, int, str]] = field(default_factory=list)  # (first, end, type)
    repairs: list[tuple[int, str]] = field(default_factory=list)  # (token index, in words)


def split_tag(tag) -> tuple[str, str]:
    """("B", "PER") for "B-PER"; ("O", "") outside; ("", "PER") for a bare type."""
    text = "" if tag is None else str(tag).strip()
    if text in OUTSIDE:
        return "O", ""
    found = PREFIXED.match(text)
    if found:
        return PREFIXES[found.group(1).upper()], found.group(2)
    return "", text


def is_prefixed(tag) -> bool:
    """Whether a tag carries a scheme prefix (B-, I-, E-, S-, M-, L-, U-)."""
    return split_tag(tag)[0] not in ("", "O")


def detect_scheme(tags) -> str:
    """The scheme of a column of tags, from the prefixes it uses (all sentences together)."""
    prefixes = {split_tag(t)[0] for t in tags}
    if "M" in prefixes:
        return "BMES"
    if prefixes & {"E", "S"}:
        return "BIOES"
    if "B" in prefixes:
        return "BIO"
    if "I" in prefixes:
        return "IO"
    return "bare" if "" in prefixes else "BIO"


def entity_ranges(tags, scheme: str | None = None) -> Decoded:
    """The entities of one sentence as token ranges, repairing impossible sequences.

    1. Outside tags close the open entity.
    2. B- and S- always start an entity (S- closes it at once).
    3. I-/M-/E- continue an open entity of their type; otherwise they start one (a repair,
       except in IO where an I- run is how entities are written). E- closes it.
    4. Bare types (and unprefixed tags in other schemes) continue a run of their type.
    5. In BIOES/BMES an entity closed by anything but E- was left open: a repair.
    """
    tags = list(tags)
    scheme = scheme or detect_scheme(tags)
    closing = scheme in ("BIOES", "BMES")
    decoded = Decoded()
    start, kind, open_ = 0, "", False  # the entity being read

    def close(at: int, properly: bool) -> None:
        nonlocal open_
        if not open_:
            return
        decoded.ranges.append((start, at, kind))
        if closing and not properly:
            decoded.repairs.append((at - 1, f'"{kind}" entity has no end tag'))
        open_ = False

    for i, tag in enumerate(tags):
        prefix, type_ = split_tag(tag)
        continues = open_ and kind == type_
        if prefix == "O":
            close(i, False)
            continue
        if prefix in ("B", "S") or not continues:
            if prefix in ("I", "M", "E") and scheme != "IO":
                decoded.repairs.append((i, f'"{tag}" without "B-{type_}" before it'))
            close(i, False)
            start, kind, open_ = i, type_, True
        if prefix in ("E", "S"):
            close(i + 1, True)
    close(len(tags), not closing)
    return decoded


def bio_tags(length: int, ranges) -> list[str]:
    """BIO tags for `length` tokens from (first, end, type) token ranges (end excluded)."""
    tags = ["O"] * length
    for first, end, type_ in ranges:
        for i in range(first, end):
            tags[i] = ("B-" if i == first else "I-") + type_
    return tags
