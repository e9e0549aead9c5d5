"""Chinese text: the bundled English-first MiniLM with and without vocabulary extension,
beside TF-IDF baselines (words, as before; characters, as now).

    nice -n 10 .venv/bin/python bench/chinese_minilm.py                # both runs, ~10 min on 2 cores
    nice -n 10 .venv/bin/python bench/chinese_minilm.py --extend on    # one run only
    nice -n 10 .venv/bin/python bench/chinese_minilm.py --rows 1000 --epochs 2

Data: sentences of ../shared/datasets/resume_ner (Chinese resumes, one character per line
with its BMES tag), labelled "机构" when the sentence names an organisation (any character
tagged B-ORG, M-ORG, E-ORG or S-ORG), else "无". Train: the first --rows sentences of
train.char.bmes; validation: dev.char.bmes (463); test: test.char.bmes (477); through
LabelTune's own split column, read as a spreadsheet would be. Writes
bench/out/chinese_minilm.json (chinese_minilm_on.json with --extend on) and prints one line
per system.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESUME = ROOT.parent / "shared" / "datasets" / "resume_ner"
SPLITS = {"train": "train", "dev": "validation", "test": "test"}
ORG, NONE = "机构", "无"


def sentences(path: Path) -> list[tuple[str, str]]:
    """(sentence, label) per blank-line-separated block of `char TAG` lines."""
    out, chars, tags = [], [], []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if line.strip():
            char, tag = line.split(" ")
            chars.append(char)
            tags.append(tag)
        elif chars:
            out.append(("".join(chars), ORG if any(t.endswith("-ORG") for t in tags) else NONE))
            chars, tags = [], []
    return out


def load(rows: int) -> pd.DataFrame:
    parts = []
    for name, split in SPLITS.items():
        found = sentences(RESUME / f"{name}.char.bmes")
        if split == "train":
            found = found[:rows]
        parts.append(pd.DataFrame(found, columns=["文本", "类别"]).assign(split=split))
    return pd.concat(parts, ignore_index=True)


def tfidf_baselines(frame: pd.DataFrame) -> dict:
    """Test accuracy of TF-IDF + logistic regression on words (LabelTune's old baseline: a
    Chinese sentence is one word), character bigrams, and characters 1-3 (the new one)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    train, test = frame[frame.split == "train"], frame[frame.split == "test"]
    kinds = {
        "words": dict(ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b"),
        "character bigrams": dict(analyzer="char", ngram_range=(2, 2)),
        "characters 1-3": dict(analyzer="char_wb", ngram_range=(1, 3)),
    }
    out = {}
    for name, options in kinds.items():
        vectorizer = TfidfVectorizer(sublinear_tf=True, max_features=200_000, **options)
        classifier = LogisticRegression(max_iter=1000, C=10.0)
        classifier.fit(vectorizer.fit_transform(train["文本"]), train["类别"])
        guess = classifier.predict(vectorizer.transform(test["文本"]))
        out[name] = round(float((guess == test["类别"].to_numpy()).mean()), 4)
    return out


def run_labeltune(frame: pd.DataFrame, out: Path, extend: str, epochs: int) -> dict:
    from finetune import rundir
    from finetune.mapping import ColumnMapping
    from finetune.train import TrainConfig, train

    config = TrainConfig(extend_vocabulary=extend, epochs=epochs)
    start = time.monotonic()
    result = train(
        frame,
        ColumnMapping(text="文本", label="类别", split="split"),
        config,
        out / f"run_extend_{extend}",
    )
    m, health = result.metrics, rundir.read_json(result.out_dir, "health.json")
    return {
        "system": f"LabelTune, bundled MiniLM, extend_vocabulary={extend}",
        "seconds": round(time.monotonic() - start, 1),
        "test_accuracy": round(m["test_accuracy"], 4),
        "test_macro_f1": round(m["test_macro_f1"], 4),
        "baseline_tfidf_accuracy": round(m["baseline_tfidf_accuracy"], 4),
        "baseline_majority_accuracy": round(m["baseline_majority_accuracy"], 4),
        "unknown_share": health["unknown_share"],
        "added_characters": health["added_characters"],
        "epochs_run": m["epochs_run"],
        "best_epoch": m["best_epoch"],
        "train_rows": m["train_rows"],
        "test_rows": m["test_rows"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000, help="training sentences")
    parser.add_argument("--epochs", type=int, default=0, help="0: LabelTune's automatic choice")
    parser.add_argument(
        "--extend", choices=["on", "off", "both"], default="both", help="vocabulary extension"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    frame = load(args.rows)
    labels = frame[frame.split == "test"]["类别"].value_counts(normalize=True).round(3)
    report = {"rows": frame.split.value_counts().to_dict(), "test_labels": labels.to_dict()}
    report["tfidf_test_accuracy"] = tfidf_baselines(frame)
    for name, accuracy in report["tfidf_test_accuracy"].items():
        print(f"TF-IDF + logistic regression on {name}: test accuracy {accuracy}")
    report["runs"] = []
    for extend in ["off", "on"] if args.extend == "both" else [args.extend]:
        row = run_labeltune(frame, args.out, extend, args.epochs)
        report["runs"].append(row)
        print(json.dumps(row, ensure_ascii=False))
    path = args.out / f"chinese_minilm{'' if args.extend == 'both' else '_' + args.extend}.json"
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
