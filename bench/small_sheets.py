"""Small sheets: the fine-tuned bundled MiniLM against the candidates that may serve instead
(TF-IDF, and the frozen MiniLM's sentence embeddings + logistic regression), on SST-2.

    nice .venv/bin/python bench/small_sheets.py > bench/out/small_sheets.log 2>&1 &
    .venv/bin/python bench/small_sheets.py --rows 64 --out bench/out

Data: the first rows/2 rows of each label of ../shared/datasets/sst2/train.tsv to train on
(LabelTune holds 10% of them back for validation, as it does for a user's sheet with a split
column), all of dev.tsv (872 rows) as the test rows. Default settings. Prints and writes
bench/out/small_sheets.json: the fine-tuned model's test accuracy, each candidate's
validation macro-F1 and test accuracy, which one serves and its test accuracy, the seconds
each part took and how fast the encoder reads rows.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SST2 = ROOT.parent / "shared" / "datasets" / "sst2"


def load(rows: int) -> pd.DataFrame:
    read = dict(sep="\t", quoting=3, dtype=str, keep_default_na=False)
    train = pd.read_csv(SST2 / "train.tsv", **read)
    train = train.groupby("label", group_keys=False).head(rows // 2).assign(split="train")
    dev = pd.read_csv(SST2 / "dev.tsv", **read).assign(split="test")
    return pd.concat([train, dev], ignore_index=True)


def run(rows: int) -> dict:
    import torch

    from finetune.mapping import ColumnMapping
    from finetune.train import TrainConfig, evaluate, fit, prepare

    config = TrainConfig()
    mapping = ColumnMapping(text="sentence", label="label", split="split")
    started = time.monotonic()
    prepared = prepare(load(rows), mapping, config)
    fitted = fit(prepared, torch.device("cpu"))
    trained = time.monotonic()
    task, splits = prepared.task, prepared.splits
    fitted_by_base, seconds = [], []  # the base model's candidates, and their fitting time
    own = task.base_model_candidates

    def timed(*args) -> list:
        begun = time.monotonic()
        fitted_by_base.extend(own(*args))
        seconds.append(time.monotonic() - begun)
        return fitted_by_base

    task.base_model_candidates = timed  # on this run's task only: the next run's is its own
    try:
        head, predictions, metrics, _ = evaluate(prepared, fitted, torch.device("cpu"))
    finally:
        del task.base_model_candidates
    evaluated = time.monotonic()
    rows_read = len(splits.train) + 2 * len(splits.validation) + len(splits.test)
    accuracy = {
        "model": metrics["test_accuracy"],
        "tfidf": metrics["baseline_tfidf_accuracy"],
    }
    for candidate in fitted_by_base:
        answers = candidate.answers(splits.test)
        right = sum(a["label"] == t for a, t in zip(answers, splits.test.targets, strict=True))
        accuracy[candidate.name] = right / len(splits.test)
    return {
        "train_rows": len(splits.train),
        "validation_rows": len(splits.validation),
        "test_rows": len(splits.test),
        "test_accuracy": {name: round(value, 4) for name, value in accuracy.items()},
        "candidates_macro_f1": metrics["candidates"],
        "served": metrics["served"],
        "served_test_accuracy": round(metrics["served_test_accuracy"], 4),
        "train_seconds": round(trained - started, 1),
        "evaluate_seconds": round(evaluated - trained, 1),
        "embeddings_fit_seconds": round(sum(seconds), 1),  # train + validation rows read
        "encoder_rows_read": rows_read,
        "epochs_run": metrics["epochs_run"],
    }


def encoder_speed(rows: int = 2000) -> dict:
    """Rows per second the frozen bundled MiniLM embeds (SST-2 training sentences)."""
    from finetune.embeddings import Encoder

    read = dict(sep="\t", quoting=3, dtype=str, keep_default_na=False)
    texts = pd.read_csv(SST2 / "train.tsv", **read)["sentence"].head(rows).tolist()
    encoder = Encoder("all-MiniLM-L6-v2")
    started = time.monotonic()
    encoder.embed(texts)
    seconds = time.monotonic() - started
    return {"rows": rows, "seconds": round(seconds, 1), "rows_per_second": round(rows / seconds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--speed-rows", type=int, default=2000, help="rows timed alone")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    results = {"speed": encoder_speed(args.speed_rows)}
    print(json.dumps(results["speed"]), flush=True)
    for rows in args.rows:
        results[str(rows)] = run(rows)
        print(json.dumps(results[str(rows)]), flush=True)
    (args.out / "small_sheets.json").write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
