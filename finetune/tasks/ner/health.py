"""The named-entity section of the data report (finetune.health.HealthReport.section):

    entity_types            [{"type": "LOC", "count": 120}, ...], most common first
    texts_without_entities  texts that hold no entity
    entity_issues           [{"reason", "count", "rows": [{"row", "detail"}, ...]}]: entities not
                            found in their text, overlapping or unreadable ones, repaired tags
    tags_repaired           tags mended (an I- without its B-, an entity left open)
    entity_layout           "entities" | "token_rows" | "token_lists"
    tag_scheme              "BIO", "IO", "BIOES", "BMES", "bare" ("" for entity lists)

Texts longer than the model reads are counted in `truncated` like every task's (named-entity
models read them in overlapping windows; the warning says so).
"""

from collections import Counter

# What a kind of issue means for training, in words: (singular, plural) of what happened.
ISSUE_WORDS = {
    "entity not found in its text": (
        "entity is not in its text and is left out",
        "entities are not in their text and are left out",
    ),
    "overlapping entities": (
        "entity overlaps another one and is left out",
        "entities overlap others and are left out",
    ),
    "unreadable entity": (
        'entity could not be read and is left out (write it like "Paris = LOC")',
        'entities could not be read and are left out (write them like "Paris = LOC")',
    ),
    "tags repaired": (
        "tag could not be right (like an I- tag without its B-) and was read as the start or "
        "end of a name",
        "tags could not be right (like an I- tag without its B-) and were read as the start "
        "or end of a name",
    ),
    "tag without a token": (
        "tag has no token beside it and is left out",
        "tags have no token beside them and are left out",
    ),
}


def entity_section(report, examples, min_per_type: int, shown: int) -> None:
    """Fill the report's entity fields and add its problems and warnings."""
    report.entity_issues, report.tags_repaired = [], 0
    report.entity_layout, report.tag_scheme = "", ""
    counts = Counter(t for target in examples.targets for _, _, t in target.spans)
    report.entity_types = [{"type": t, "count": n} for t, n in counts.most_common()]
    report.texts_without_entities = sum(1 for target in examples.targets if not target.spans)
    parsed = getattr(examples, "parsed", None)
    if parsed is not None:
        report.entity_layout, report.tag_scheme = parsed.layout, parsed.scheme
        report.tags_repaired = parsed.repaired
        skipped = set(parsed.skipped)  # already said by the report's skipped rows
        for reason, found in parsed.issues.items():
            rows = [{"row": row, "detail": detail} for row, detail in found[:shown]]
            report.entity_issues.append({"reason": reason, "count": len(found), "rows": rows})
            if reason not in skipped:
                report.warnings.append(_issue_sentence(reason, found))
    if len(examples) and not counts:
        report.problems.append(
            "No entity was found in any text, so there is nothing to learn. Check the entities "
            'or tags column and how it is written (like "Paris = LOC", or B-LOC / O tags).'
        )
    for kind, n in counts.items():
        if n < min_per_type:
            report.warnings.append(
                f'The type "{kind}" has only {n} {"entity" if n == 1 else "entities"}; the '
                f"model will hardly learn it. Add at least {min_per_type} examples of it."
            )


def _issue_sentence(reason: str, found: list[tuple[int, str]]) -> str:
    n = len(found)
    one, many = ISSUE_WORDS.get(reason, (f"row: {reason}", f"rows: {reason}"))
    shown = "; ".join(
        f"row {row}: {detail}" if detail else f"row {row}" for row, detail in found[:3]
    )
    more = f" and {n - 3} more" if n > 3 else ""
    return f"{n} {one if n == 1 else many} ({shown}{more})."
