"""Data fixes: small steps that turn the user's table into the one training sees, without
touching the file. A fix is a plain dict, so a list of them can be stored beside a mapping:

    fixes = suggest(report, mapping)      # the fixes a health report offers
    frame, mapping = apply(frame, mapping, [{"kind": "drop_duplicates"}], task=task.name)
    table, mapping, rows = apply_table(table, mapping, fixes, task=task.name)
    describe({"kind": "drop_empty"})      # "Dropped the rows with an empty text or label."

Kinds:
- {"kind": "merge_labels", "into": "spam", "labels": ["Spam", "SPAM"]}: cells holding one of
  `labels` (spaces around ignored) hold `into`; in a cell of several labels, each label; with
  0/1 columns, the merged columns join the `into` column.
- {"kind": "drop_label", "label": "urgent"}: drop a label. With one label per row, the rows
  that have it go; in a cell of several labels, it is taken out of the cell; with 0/1
  columns, its column leaves the label columns (the rows keep their other labels).
- {"kind": "drop_empty", "roles": ["text", "label"]}: drop the rows the task skips for an
  empty cell (of the text, second text or label; `roles` limits which, default all).
- {"kind": "drop_duplicates"}: drop rows repeating an earlier row's input and answer.
- {"kind": "drop_conflicts", "keep": "first" | "none"}: for inputs that appear with different
  answers, keep the first row, or none of them.
- {"kind": "swap_columns", "text": "label column", "label": "text column"}: the text and label
  columns exchange roles. It only changes the mapping, and applying it to a mapping already
  swapped changes nothing, so it can be applied again to the mapping it produced.
- {"kind": "relabel_rows", "changes": [{"row": 57, "from": "neg", "to": "pos"}, ...]}: give
  spreadsheet row 57 the label "pos" (with several labels per row, "from" and "to" are lists);
  "suggested": true when the new labels are the ones finetune.label_issues suggested.
- {"kind": "drop_rows", "rows": [57, 90]}: drop these spreadsheet rows.

Rows are judged by the task's own `prepare` (what counts as empty, as the same answer), the
same way the health report judges them. The frame `apply` returns keeps in its index each
row's position in the frame it was given; `apply_table` turns that into spreadsheet row
numbers, so a report on the fixed table still names the rows the user sees.
"""

from dataclasses import replace

import numpy as np
import pandas as pd

from finetune.data import Table
from finetune.errors import FinetuneError
from finetune.mapping import ColumnMapping, detect_separator, truthy
from finetune.tasks import get_task

KINDS = ("merge_labels", "drop_label", "drop_empty", "drop_duplicates", "drop_conflicts",
         "swap_columns", "relabel_rows", "drop_rows")  # fmt: skip
ROW_KINDS = ("relabel_rows", "drop_rows")  # fixes of single rows, named by spreadsheet row
ROWS_NAMED = 5  # rows named in a sentence before "and N more"
RARE_OFFERS = 10  # rare labels offered a merge one by one; more look like a wrong column
SWAP_RARE_SHARE = 0.5  # share of labels with too few rows before the columns look swapped
SWAP_LENGTH_RATIO = 2.0  # labels this many times longer than texts look like the texts
SWAP_MIN_RARE = 3  # ... and at least this many rare labels


# 1. Applying fixes


def apply(
    frame: pd.DataFrame, mapping: ColumnMapping, fixes: list[dict], *, task: str | None = None
) -> tuple[pd.DataFrame, ColumnMapping]:
    """The frame and mapping after `fixes`, in order; the frame given is not changed."""
    frame, mapping, _ = apply_counting(frame, mapping, fixes, task=task)
    return frame, mapping


def apply_counting(
    frame: pd.DataFrame,
    mapping: ColumnMapping,
    fixes: list[dict],
    *,
    task: str | None = None,
    row_numbers: list[int] | None = None,
) -> tuple[pd.DataFrame, ColumnMapping, list[int | None]]:
    """As `apply`, with the number of rows each fix changed or dropped (None: a swap).
    `row_numbers`: each frame row's spreadsheet row, which row fixes name (default i + 2)."""
    the_task = get_task(task)  # None: the default task
    origin = np.arange(len(frame))
    numbers = np.array(row_numbers if row_numbers is not None else origin + 2)
    frame = frame.reset_index(drop=True).copy()
    mapping = ColumnMapping.from_dict(mapping.to_dict())
    counts = []
    for fix in fixes:
        kind = check_fix(fix)
        if kind == "swap_columns":
            mapping, _ = _swap(mapping, fix)
            counts.append(None)  # no row changes
            continue
        if kind == "merge_labels" or (kind == "drop_label" and _several_per_row(mapping, the_task)):
            frame, mapping, changed = _merge(frame, mapping, fix, the_task)
            counts.append(changed)
            continue
        if kind == "relabel_rows":
            counts.append(_relabel(frame, mapping, fix, the_task, numbers))
            continue
        if kind == "drop_rows":
            drop = np.flatnonzero(np.isin(numbers, [int(r) for r in fix["rows"]])).tolist()
        else:
            drop = _rows_to_drop(frame, mapping, fix, the_task)
        counts.append(len(drop))
        if drop:
            frame = frame.drop(index=drop).reset_index(drop=True)
            origin, numbers = np.delete(origin, drop), np.delete(numbers, drop)
    frame.index = pd.Index(origin)
    return frame, mapping, counts


def apply_table(
    table: Table, mapping: ColumnMapping, fixes: list[dict], *, task: str | None = None
) -> tuple[Table, ColumnMapping, list[int | None]]:
    """(the fixed table, its mapping, rows each fix changed); row numbers stay the user's."""
    numbers = [table.row_number(i) for i in range(len(table.frame))]
    frame, mapping, counts = apply_counting(
        table.frame, mapping, fixes, task=task, row_numbers=numbers
    )
    numbers = [numbers[int(i)] for i in frame.index]
    fixed = replace(table, frame=frame.reset_index(drop=True), row_numbers=numbers)
    return fixed, mapping, counts


def mapping_after(mapping: ColumnMapping, fixes: list[dict]) -> ColumnMapping:
    """The mapping that training uses after `fixes` (only a swap changes it); reads no rows."""
    mapping = ColumnMapping.from_dict(mapping.to_dict())
    for fix in fixes:
        if fix.get("kind") == "swap_columns":
            mapping, _ = _swap(mapping, fix)
    return mapping


def check_fix(fix: dict) -> str:
    """The fix's kind; FinetuneError when it is not a fix LabelTune knows."""
    kind = fix.get("kind") if isinstance(fix, dict) else None
    if kind not in KINDS:
        raise FinetuneError(f"{kind!r} is not a fix LabelTune knows.")
    if kind == "merge_labels" and not (fix.get("into") and fix.get("labels")):
        raise FinetuneError("Pick the label to merge into.")
    if kind == "drop_label" and not str(fix.get("label") or "").strip():
        raise FinetuneError("Pick the label to drop.")
    if kind == "drop_conflicts" and fix.get("keep") not in ("first", "none"):
        raise FinetuneError('Say which rows to keep: "first" or "none".')
    if kind in ROW_KINDS and not _rows_of(fix):
        raise FinetuneError("Pick the rows to change.")
    return kind


def _rows_of(fix: dict) -> list[int]:
    """The spreadsheet rows a row fix names ([] when it names none, or not as numbers)."""
    items = fix.get("changes") if fix.get("kind") == "relabel_rows" else fix.get("rows")
    if not isinstance(items, list):
        return []
    if fix["kind"] == "relabel_rows":
        ok = all(isinstance(c, dict) and isinstance(c.get("to"), str | list) for c in items)
        items = [c.get("row") for c in items] if ok else []
    return items if all(type(r) is int for r in items) else []


def _relabel(frame: pd.DataFrame, mapping: ColumnMapping, fix: dict, task, numbers) -> int:
    """Give the named rows their new labels, in place; the number of rows changed."""
    several = _several_per_row(mapping, task)
    separator = None
    if several and not mapping.labels:
        cells = frame[mapping.label].astype(str)
        separator = mapping.label_separator or detect_separator(cells) or ";"
    changed = 0
    for change in fix["changes"]:
        hits = np.flatnonzero(numbers == change["row"])
        if not len(hits):  # dropped by an earlier fix
            continue
        at, to = int(hits[0]), change["to"]
        names = [to] if isinstance(to, str) else [str(x) for x in to]
        if mapping.labels:  # 0/1 columns: a 1 in the columns of its new labels
            for column in mapping.labels:
                frame.loc[at, column] = "1" if column in names else "0"
        elif separator:
            frame.loc[at, mapping.label] = f"{separator} ".join(names)
        else:
            frame.loc[at, mapping.label] = names[0] if names else ""
        changed += 1
    return changed


def _swap(mapping: ColumnMapping, fix: dict) -> tuple[ColumnMapping, int]:
    if not mapping.label:
        raise FinetuneError("Only a text column and a label column can be swapped.")
    to_text, to_label = fix.get("text"), fix.get("label")
    if to_text and (mapping.text, mapping.label) == (to_text, to_label):
        return mapping, 0  # swapped already
    if to_text and (mapping.text, mapping.label) != (to_label, to_text):
        raise FinetuneError(
            f'This fix swaps the columns "{to_label}" and "{to_text}", but the text and label '
            "columns are now others. Undo it and check the data again."
        )
    mapping.text, mapping.label = mapping.label, mapping.text
    return mapping, 1


def _several_per_row(mapping: ColumnMapping, task) -> bool:
    """Whether a row may have several labels (0/1 columns, or cells joining labels)."""
    return bool(mapping.labels) or "label_separator" in task.optional_roles


def _merge(frame: pd.DataFrame, mapping: ColumnMapping, fix: dict, task):
    """A merge, or a drop of a label where a row may have several (`into` None: the label
    is taken away, each row keeping its other labels)."""
    if fix["kind"] == "drop_label":
        into, merged = None, {str(fix["label"]).strip()}
    else:
        into, merged = str(fix["into"]).strip(), {str(x).strip() for x in fix["labels"]}
        merged.discard(into)
    if mapping.labels:  # 0/1 columns: a row has `into` when it had any merged label
        gone = [c for c in mapping.labels if c.strip() in merged]
        target = next((c for c in mapping.labels if c.strip() == into), None)
        if not gone or (target is None and into is not None):
            return frame, mapping, 0
        had = np.zeros(len(frame), dtype=bool)
        for column in gone:
            had |= np.array([truthy(v) is True for v in frame[column]], dtype=bool)
        mapping.labels = [c for c in mapping.labels if c not in gone]
        if target is None:  # dropped: the rows that had it lose it
            return frame, mapping, int(had.sum())
        has = np.array([truthy(v) is True for v in frame[target]], dtype=bool)
        frame[target] = np.where(had | has, "1", frame[target].astype(str))
        return frame, mapping, int((had & ~has).sum())
    cells = frame[mapping.label].astype(str)
    separator = None
    if "label_separator" in task.optional_roles:  # a task that reads several labels per cell
        separator = mapping.label_separator or detect_separator(cells) or ";"
    if separator is None:
        hit = cells.str.strip().isin(merged | {into}) & (cells != into)  # "spam " too
        frame.loc[hit, mapping.label] = into
        return frame, mapping, int(hit.sum())

    def merge_cell(cell: str) -> str:
        parts = [p.strip() for p in cell.split(separator) if p.strip()]
        if not merged.intersection(parts):
            return cell
        out = [into if p in merged else p for p in parts]
        return f"{separator} ".join(dict.fromkeys(p for p in out if p is not None))

    new = cells.map(merge_cell)
    changed = int((new != cells).sum())
    frame[mapping.label] = new
    return frame, mapping, changed


def _rows_to_drop(frame: pd.DataFrame, mapping: ColumnMapping, fix: dict, task) -> list[int]:
    examples = task.prepare(frame, mapping)
    kind = fix["kind"]
    if kind == "drop_label":  # one label per row: the rows that have it
        label = str(fix["label"]).strip()
        return [examples.rows[i] for i, target in enumerate(examples.targets) if target == label]
    if kind == "drop_empty":
        roles = fix.get("roles") or ["text", "label"]
        words = {"text": ("empty text",), "label": ("empty label", "empty value")}
        reasons = {r for role in roles for r in words.get(role, ())}
        drop = {i for reason, rows in examples.skipped.items() if reason in reasons for i in rows}
        return sorted(drop)
    # Duplicates and conflicts: the whole input (both texts of a pair) and the task's answer.
    by_input: dict[str, list[int]] = {}
    for i, text in enumerate(examples.inputs()):
        by_input.setdefault(text.strip(), []).append(i)
    drop = []
    for positions in by_input.values():
        answers = [_answer(examples.targets[i]) for i in positions]
        if kind == "drop_duplicates":
            seen = set()
            for i, answer in zip(positions, answers, strict=True):
                if answer in seen:
                    drop.append(examples.rows[i])
                seen.add(answer)
        elif len(set(answers)) > 1:  # drop_conflicts
            keep = 1 if fix["keep"] == "first" else 0
            drop.extend(examples.rows[i] for i in positions[keep:])
    return sorted(drop)


def _answer(target):
    return tuple(target) if isinstance(target, list | tuple) else target


# 2. Offering fixes


def suggest(report, mapping, applied: list[dict] = ()) -> list[dict]:
    """The fixes a health report offers, most useful first, minus those in `applied`.

    `report` is a finetune.health.HealthReport or its dict, `mapping` a ColumnMapping or its
    dict (the mapping the report was made with). A rare label's merge comes with "into": None
    and "choices": the labels it may go into, largest first; the user picks one.
    """
    data = report.to_dict() if hasattr(report, "to_dict") else dict(report)
    if isinstance(mapping, dict):
        mapping = ColumnMapping.from_dict(mapping)
    if not get_task(data.get("task")).offers_fixes:
        return []  # its rows are not one text and one label each (named entities)
    counts = {x["label"]: x["count"] for x in data.get("labels") or []}
    rare = [x for x in data.get("rare_labels") or [] if x in counts]
    offers = []

    # 1. Text and label look swapped: most labels are rare and much longer than the texts.
    if _looks_swapped(data, mapping, counts, rare):
        offers.append({"kind": "swap_columns", "text": mapping.label, "label": mapping.text})
        return _without(offers, applied)

    # 2. Look-alike spellings: merge into the most common one.
    grouped = set()
    for group in data.get("similar_labels") or []:
        into = max(group, key=lambda label: (counts.get(label, 0), label))
        offers.append({"kind": "merge_labels", "into": into, "labels": list(group)})
        grouped.update(group)

    # 3. A label with too few rows: merge it into another label the user picks, or drop it.
    for label in [x for x in rare if x not in grouped][:RARE_OFFERS]:
        others = sorted((x for x in counts if x != label), key=lambda x: (-counts[x], x))
        if others:
            offers.append(
                {"kind": "merge_labels", "into": None, "labels": [label], "choices": others}
            )
        if len(others) >= 2:  # two labels at least are left to learn
            offers.append({"kind": "drop_label", "label": label})

    # 4. Rows to drop: empty cells, exact duplicates, the same text with different labels.
    reasons = {s["reason"] for s in data.get("skipped") or [] if s.get("count")}
    roles = [role for role, words in (("text", {"empty text"}), ("label", {"empty label", "empty value"})) if reasons & words]  # fmt: skip
    if roles:
        offers.append({"kind": "drop_empty", "roles": roles})
    conflicts = data.get("conflicts") or []
    in_conflicts = sum(len(c.get("rows") or []) - 1 for c in conflicts)
    if (data.get("duplicate_texts") or 0) > in_conflicts:
        offers.append({"kind": "drop_duplicates"})
    if conflicts:
        offers.append({"kind": "drop_conflicts", "keep": "first"})
        offers.append({"kind": "drop_conflicts", "keep": "none"})
    return _without(offers, applied)


def _looks_swapped(data: dict, mapping: ColumnMapping, counts: dict, rare: list) -> bool:
    if not mapping.label or mapping.labels or not counts or not data.get("text_chars"):
        return False
    if len(rare) < max(SWAP_RARE_SHARE * len(counts), SWAP_MIN_RARE):
        return False
    label_chars = sum(len(k) * n for k, n in counts.items()) / sum(counts.values())
    return label_chars >= SWAP_LENGTH_RATIO * data["text_chars"]


def _without(offers: list[dict], applied) -> list[dict]:
    done = [strip_offer(f) for f in applied]
    return [o for o in offers if strip_offer(o) not in done]


def strip_offer(fix: dict) -> dict:
    """The fix without what only an offer carries (the choices), for comparing fixes."""
    return {k: v for k, v in fix.items() if k != "choices"}


def matches_offer(fix: dict, offers: list[dict]) -> bool:
    """Whether `fix` is one of `offers`, a rare label's merge with one of its choices."""
    for offer in offers:
        if offer.get("choices") is not None:
            same = {**strip_offer(offer), "into": fix.get("into")} == fix
            if same and fix.get("into") in offer["choices"]:
                return True
        elif strip_offer(offer) == fix:
            return True
    return False


# 3. Words


def describe(fix: dict, *, rows: int | None = None, done: bool = True) -> str:
    """One plain sentence: what the fix did ("Merged ...") or, with done=False, what it does
    ("Merge ..."); `rows` adds how many rows it changed."""
    kind = fix.get("kind")
    verb = {
        "merge_labels": ("Merged", "Merge"),
        "drop_label": ("Dropped", "Drop"),
        "drop_empty": ("Dropped", "Drop"),
        "drop_duplicates": ("Dropped", "Drop"),
        "drop_conflicts": ("Dropped", "Drop"),
        "swap_columns": ("Swapped", "Swap"),
        "relabel_rows": ("Changed", "Change"),
        "drop_rows": ("Dropped", "Drop"),
    }.get(kind, ("Applied", "Apply"))[0 if done else 1]
    if kind == "merge_labels":
        others = [x for x in fix.get("labels") or [] if x != fix.get("into")]
        names = _and([f'"{x}"' for x in others])
        into = f'"{fix["into"]}"' if fix.get("into") else "another label"
        what = "label" if len(others) == 1 else "labels"
        sentence = f"{verb} the {what} {names} into {into}"
    elif kind == "drop_label":
        sentence = f'{verb} the label "{fix.get("label")}"'
    elif kind == "drop_empty":
        roles = fix.get("roles") or ["text", "label"]
        sentence = f"{verb} the rows with an empty {' or '.join(roles)}"
    elif kind == "drop_duplicates":
        sentence = f"{verb} the rows that repeat an earlier row (same text, same label)"
    elif kind == "drop_conflicts" and fix.get("keep") == "first":
        keep = "Kept" if done else "Keep"
        sentence = f"{keep} only the first row of each text that appears with different labels"
    elif kind == "drop_conflicts":
        sentence = f"{verb} every row whose text appears with different labels"
    elif kind == "swap_columns" and fix.get("text"):
        sentence = (
            f'{verb} the text and label columns: "{fix["text"]}" is the text, '
            f'"{fix["label"]}" the label'
        )
    elif kind == "swap_columns":
        sentence = f"{verb} the text and label columns"
    elif kind == "relabel_rows" and len(fix.get("changes") or []) == 1:
        change = fix["changes"][0]
        sentence = (
            f'{verb} the label of row {change.get("row")} from "{_label_words(change.get("from"))}" '
            f'to "{_label_words(change.get("to"))}"'
        )
    elif kind == "relabel_rows":
        rows = [c.get("row") for c in fix.get("changes") or []]
        whose = " to the ones LabelTune suggested" if fix.get("suggested") else ""
        sentence = f"{verb} the labels of {len(rows):,} rows{whose} ({_rows_words(rows)})"
    elif kind == "drop_rows":
        sentence = f"{verb} {_rows_words(fix.get('rows') or [])}"
    else:
        sentence = f"{verb} a fix LabelTune does not know ({kind})"
    if rows is not None and kind not in ROW_KINDS:  # those name their rows already
        sentence += f" ({rows:,} row{'s' if rows != 1 else ''})"
    return sentence + "."


def _label_words(value) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(str(x) for x in value) or "(no label)"
    return str(value)


def _rows_words(rows: list) -> str:
    """The rows in words: "row 5", "rows 5, 9 and 14", "rows 5, 9, 14, 20, 31 and 7 more"."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    named = [str(r) for r in rows[:ROWS_NAMED]]
    if len(rows) > ROWS_NAMED:
        return f"rows {', '.join(named)} and {len(rows) - ROWS_NAMED:,} more"
    return f"rows {_and(named)}"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
