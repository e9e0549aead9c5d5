"""Learning from new rows without forgetting (finetune/continual.py) on SST-2, against its
peers on the same rows: training on both halves from scratch, and on the new half alone.

    nice .venv/bin/python bench/continual.py > bench/out/continual.log 2>&1 &
    .venv/bin/python bench/continual.py --shares 0 1 --out bench/out

Half A: SST-2 train.tsv rows 1-500 (450 to train, 50 to validate, seeded), tested on the first
436 rows of dev.tsv; half B: train rows 501-1,000, tested on the other 436. Every model is
scored by the same Predictor (the fine-tuned model, not a candidate) on A's test rows (what
improving must not forget) and on all 872 dev rows. Runs, all from the bundled MiniLM with
one fixed setting (3 epochs at 1e-4, 64 word pieces) so time compares:
- a: trained on A;
- improve-S: a, improved with B, replaying S old training rows per new one (0: plain
  fine-tuning from a, nothing replayed; 1: as many as B has, here all of A's);
- scratch-ab: trained on A and B together from the base model;
- scratch-b: trained on B alone from the base model.
Prints and writes bench/out/continual.json: per run its accuracy on A's test rows and on all,
and the seconds it took (an improve-S run's own seconds; a's come first).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "datasets" / "sst2"
HALF = 500  # training rows of each half
SETTINGS = dict(epochs=3, learning_rate=1e-4, max_length=64, seed=42)


def read(name: str) -> pd.DataFrame:
    frame = pd.read_csv(DATA / f"{name}.tsv", sep="\t", quoting=3, dtype=str,
                        keep_default_na=False)  # fmt: skip
    return frame.rename(columns={"sentence": "text"})


def halves() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(A, B): each HALF training rows (a tenth to validate, seeded) and half of dev to test."""
    train, dev = read("train"), read("dev")
    rng = np.random.default_rng(0)
    out = []
    for part in range(2):
        rows = train.iloc[part * HALF : (part + 1) * HALF].copy()
        rows["split"] = np.where(rng.random(len(rows)) < 0.1, "validation", "train")
        tests = dev.iloc[part * len(dev) // 2 : (part + 1) * len(dev) // 2].assign(split="test")
        out.append(pd.concat([rows, tests], ignore_index=True))
    return out[0], out[1]


def scored(folder: Path, a_test: pd.DataFrame, all_test: pd.DataFrame) -> dict:
    from finetune.predict import Predictor

    model = Predictor.load(folder, candidate=False, int8=False)
    out = {}
    for name, rows in (("a_test", a_test), ("all_test", all_test)):
        answers = [p["label"] for p in model.predict(rows["text"].tolist())]
        out[f"{name}_accuracy"] = round(float(np.mean(np.array(answers) == rows["label"])), 4)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shares", type=float, nargs="+", default=[0.0, 0.5, 1.0])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()

    from finetune.continual import train_from
    from finetune.data import Table
    from finetune.mapping import ColumnMapping
    from finetune.train import TrainConfig, train

    folder = args.out / "continual"
    folder.mkdir(parents=True, exist_ok=True)
    a, b = halves()
    a_test = a[a["split"] == "test"]
    all_test = pd.concat([a_test, b[b["split"] == "test"]], ignore_index=True)
    mapping = ColumnMapping(text="text", label="label", split="split")
    config = TrainConfig(**SETTINGS)
    results = {}

    def record(name: str, out: Path, seconds: float, extra: dict | None = None) -> None:
        results[name] = {"seconds": round(seconds, 1)} | scored(out, a_test, all_test)
        results[name] |= extra or {}
        print(name, json.dumps(results[name]), flush=True)

    def timed(fn):
        started = time.monotonic()
        result = fn()
        return result, time.monotonic() - started

    both = pd.concat([a, b], ignore_index=True)
    for name, frame in (("a", a), ("scratch-ab", both), ("scratch-b", b)):
        _, seconds = timed(lambda f=frame, n=name: train(Table(f), mapping, config, folder / n))
        record(name, folder / name, seconds)
    for share in args.shares:
        name = f"improve-{share:g}"
        result, seconds = timed(lambda s=share, n=name: train_from(
            folder / "a", Table(b), folder / n, old_table=Table(a), share=s))  # fmt: skip
        found = result.metrics["continued_from"]
        record(name, folder / name, seconds, {"replayed_rows": found["replayed_rows"]})
    (args.out / "continual.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
