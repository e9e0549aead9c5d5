"""The best model the data allows (issue 18): LabelTune's defaults against the peers, row by row.

    nice .venv/bin/python bench/quality.py --rows sst2-64          # one row (a few minutes)
    nice .venv/bin/python bench/quality.py                         # every row, one by one
    nice .venv/bin/python bench/quality.py --table                 # only redraw the table

Rows (--rows, comma-separated; default: all), each on the shared data sets with the same
training and test rows for every system:
- sst2-64, sst2-256: the first N/2 rows of each label of SST-2's train, its dev (872) as test;
- goemotions-700: GoEmotions, 28 labels, the first 700 training rows, 1,000 test rows;
- rte-2000: RTE sentence pairs, the first 2,000 training pairs, its dev (277) as test;
- stsb-2000: STS-B sentence pairs, score 0-5, the first 2,000 pairs, 500 dev pairs as test;
- chinese-2000: Chinese classification built from Resume NER (bench/chinese_minilm.py: does
  the sentence name an organisation), 2,000 training sentences, its test (477);
- wnut17-2000: English names, WNUT 2017, 2,000 training sentences, names listed per text;
- resume-2000: Chinese names, Resume NER, 2,000 training sentences, names listed per text.
Systems: LabelTune's defaults (TrainConfig(), the bundled MiniLM): the candidate that serves
and the fine-tuned model; a plain fine-tune script (bench/peers/autotrain_like.py, single
label only: it keeps the epoch best on the test rows, which flatters it); SetFit's recipe
(bench/small_sheets.setfit_peer, single label); the frozen MiniLM's embeddings + logistic
regression (LabelTune's own candidate, scored on the test rows); TF-IDF + logistic regression
on characters 1-3 and on words. For names: the dictionary of training names, and the count
of names found that start or end inside a word (bench/ner_minilm.whole_words).
Each figure has its wall time beside it (the machine may be shared: the load average is kept).
Results are merged by row into bench/out/quality.json; the markdown table of every row
measured so far is written to bench/out/quality.md (paste it in bench/RESULTS.md).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
SYSTEMS = ["served", "model", "plain fine-tune", "SetFit", "embeddings + LR", "TF-IDF chars",
           "TF-IDF words", "dictionary"]  # fmt: skip


def classification(name: str):
    """(frame, mapping, TrainConfig overrides, text columns) of a sentence-level row."""
    from bench import chinese_minilm, small_sheets, tasks_minilm
    from finetune.mapping import ColumnMapping

    kind, rows = name.rsplit("-", 1)
    rows = int(rows)
    if kind == "sst2":  # the defaults: pairs first up to contrastive.MAX_TRAIN_ROWS rows
        frame, mapping, _, _ = small_sheets.setting(f"sst2-{rows}")
        return frame, mapping, {}, ["sentence"]
    if kind == "goemotions":
        frame, mapping, overrides, _ = small_sheets.setting(f"goemotions-{rows}")
        return frame, mapping, overrides, ["text"]
    if kind == "stsb":
        frame, mapping, overrides, _ = small_sheets.setting(f"stsb-{rows}")
        return frame, mapping, overrides, ["sentence1", "sentence2"]
    if kind == "rte":
        frame = tasks_minilm.build(tasks_minilm.RUNS["rte"], rows, 0)
        mapping = ColumnMapping(text="sentence1", text_pair="sentence2", label="label",
                                split="split")  # fmt: skip
        return frame, mapping, {}, ["sentence1", "sentence2"]
    frame = chinese_minilm.load(rows)
    return frame, ColumnMapping(text="文本", label="类别", split="split"), {}, ["文本"]


def tfidf(train: pd.DataFrame, test: pd.DataFrame, texts: list[str], label: str) -> dict:
    """Test accuracy of TF-IDF + logistic regression on characters 1-3 and on words (single
    label only), with the seconds each took."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    def joined(frame):
        return frame[texts].astype(str).agg(" [SEP] ".join, axis=1)

    kinds = {
        "TF-IDF chars": dict(analyzer="char_wb", ngram_range=(1, 3)),
        "TF-IDF words": dict(ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b"),
    }
    out = {}
    for system, options in kinds.items():
        started = time.monotonic()
        vectorizer = TfidfVectorizer(sublinear_tf=True, max_features=200_000, **options)
        model = LogisticRegression(max_iter=1000, C=10.0)
        model.fit(vectorizer.fit_transform(joined(train)), train[label])
        guess = model.predict(vectorizer.transform(joined(test)))
        figure = float((guess == test[label].to_numpy()).mean())
        out[system] = cell(figure, time.monotonic() - started)
    return out


def plain_fine_tune(train, test, texts: list[str], label: str) -> dict:
    from bench.peers import autotrain_like
    from finetune.basemodels import bundled_path

    def joined(frame):
        return frame[texts].astype(str).agg(" [SEP] ".join, axis=1).tolist()

    result = autotrain_like.train(joined(train), train[label].astype(str).tolist(),
                                  joined(test), test[label].astype(str).tolist(),
                                  str(bundled_path()))  # fmt: skip
    return cell(result["accuracy"], result["seconds"])


def cell(figure, seconds) -> dict:
    return {"figure": None if figure is None else round(float(figure), 4),
            "seconds": round(float(seconds), 1)}  # fmt: skip


def run_classification(name: str, peers: bool) -> dict:
    from bench import small_sheets

    frame, mapping, overrides, texts = classification(name)
    single = overrides.get("task", "single_label") == "single_label"
    measured = small_sheets.measure(frame, mapping, overrides, peers and single)
    seconds = measured["train_seconds"] + measured["evaluate_seconds"]
    test = measured["test"]
    cells = {
        "served": cell(measured["served_test"], seconds) | {"which": measured["served"]},
        "model": cell(test["model"], seconds),
    }
    for key, value in test.items():
        if key == "embeddings":  # the frozen MiniLM's; "embeddings_tuned" is LabelTune's own
            cells["embeddings + LR"] = cell(value, measured["evaluate_seconds"])
    if "setfit_peer" in measured:
        cells["SetFit"] = cell(measured["setfit_peer"]["test"], measured["setfit_peer"]["seconds"])
    if single and peers:
        train = frame[frame.split == "train"]
        test_rows = frame[frame.split == "test"]
        cells |= tfidf(train, test_rows, texts, mapping.label)
        cells["plain fine-tune"] = plain_fine_tune(train, test_rows, texts, mapping.label)
    elif "tfidf" in test:
        cells["TF-IDF chars"] = cell(test["tfidf"], measured["evaluate_seconds"])
    return {
        "metric": measured["primary"],
        "train_rows": measured["train_rows"],
        "test_rows": measured["test_rows"],
        "epochs_run": measured["epochs_run"],
        "cells": cells,
        "candidates": measured["candidates"],
    }


def run_names(name: str, peers: bool) -> dict:
    """A names row through bench/ner_minilm.py: the entities layout as an .xlsx, trained once
    with the defaults; served and model figures, the dictionary, names that cut a word."""
    from bench import ner_minilm

    kind, rows = name.rsplit("-", 1)
    run = ner_minilm.RUNS["wnut17" if kind == "wnut17" else "resume_ner"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        files, _ = ner_minilm.layout_files(run, int(rows), 500, folder)
        path, mapping = files["entities"]
        figures = ner_minilm.train_once(path, mapping, {}, folder / "run")
        words = ner_minilm.whole_words(folder / "run", path, mapping)
        metrics = json.loads((folder / "run" / "metrics.json").read_text(encoding="utf-8"))
    seconds = figures["wall_seconds"]
    served = metrics.get("served", "model")
    served_f1 = metrics.get("served_test_entity_f1", figures["test_entity_f1"])
    return {
        "metric": "entity_f1",
        "train_rows": figures.get("train_rows"),
        "test_rows": figures.get("test_rows"),
        "epochs_run": figures.get("epochs_run"),
        "cells": {
            "served": cell(served_f1, seconds) | {"which": served},
            "model": cell(figures["test_entity_f1"], seconds),
            "dictionary": cell(figures.get("baseline_dictionary_entity_f1"), 0),
        },
        "whole_words": words,
        "candidates": metrics.get("candidates"),
    }


ROWS = ["sst2-64", "sst2-256", "goemotions-700", "rte-2000", "stsb-2000", "chinese-2000",
        "wnut17-2000", "resume-2000"]  # fmt: skip


def table(results: dict) -> str:
    """The markdown table of every row measured: each figure with its wall seconds."""
    lines = ["| row | metric | trained / test rows | " + " | ".join(SYSTEMS) + " | notes |",
             "| --- " * (len(SYSTEMS) + 4) + "|"]  # fmt: skip
    for name in [r for r in ROWS if r in results] + [r for r in results if r not in ROWS]:
        row = results[name]
        shown = []
        for system in SYSTEMS:
            got = row["cells"].get(system)
            if not got or got["figure"] is None:
                shown.append("–")
                continue
            text = f"{got['figure']:.3f} ({got['seconds']:.0f} s)"
            shown.append(text + (f" {got['which']}" if "which" in got else ""))
        notes = [f"epochs {row.get('epochs_run')}", f"load {row.get('load_average')}"]
        if "whole_words" in row:
            notes.append(
                f"names cutting a word: {row['whole_words']['per_word']['names_cutting_a_word']}"
            )
        lines.append(f"| {name} | {row['metric']} | {row['train_rows']} / {row['test_rows']} | "
                     + " | ".join(shown) + f" | {'; '.join(notes)} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", default=",".join(ROWS), help="comma-separated: " + ", ".join(ROWS)
    )
    parser.add_argument(
        "--no-peers", action="store_true", help="LabelTune and its own candidates only"
    )
    parser.add_argument("--table", action="store_true", help="only write the table again")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "quality.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for name in [] if args.table else [r for r in args.rows.split(",") if r]:
        kind = name.rsplit("-", 1)[0]
        if kind not in {r.rsplit("-", 1)[0] for r in ROWS}:
            parser.error(f"unknown row {name}: the rows are {', '.join(ROWS)} (any size)")
        measure = run_names if kind in ("wnut17", "resume") else run_classification
        row = measure(name, not args.no_peers)
        row["load_average"] = round(os.getloadavg()[0], 1)
        row["measured"] = time.strftime("%Y-%m-%d %H:%M")
        results[name] = row
        path.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")
        print(name, json.dumps(row["cells"], ensure_ascii=False), flush=True)
    (args.out / "quality.md").write_text(table(results), encoding="utf-8")
    print(f"Wrote {path} and {args.out / 'quality.md'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
