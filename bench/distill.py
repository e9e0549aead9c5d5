"""A distilled student against its teacher on SST-2, on the CPU: accuracy on the same test
rows, latency one text at a time (p50, p95) and rows per second on 2,000 texts.

    git clone -q /work/main /tmp/f-bench && cd /tmp/f-bench && ln -s /work/main/.venv .venv
    nice .venv/bin/python bench/distill.py > bench/out/distill.log 2>&1 &
    nice .venv/bin/python bench/distill.py --layers 2 --keep-teacher   # a student of 2 layers

Teacher: the bundled MiniLM (6 layers) fine-tuned on the first `--rows` rows of
../shared/datasets/sst2/train.tsv (half of each label; 10% held back for validation), tested
on all of dev.tsv (872 rows). Student: finetune.distill with its defaults (3 layers: every
other one of the teacher's), learning the teacher's answers on the same training rows and on
`--unlabelled` more training sentences without their labels. Both are timed as the CPU serves
them (Predictor.load on the CPU: the int8 copy where its check passed), and in full precision
and as the int8 copy whatever the check said, one torch thread each way, on the same texts.
Prints and writes bench/out/distill/distill.json.
"""

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SST2 = ROOT.parent / "shared" / "datasets" / "sst2"
READ = dict(sep="\t", quoting=3, dtype=str, keep_default_na=False)


def load(rows: int):
    import pandas as pd

    train = pd.read_csv(SST2 / "train.tsv", **READ)
    picked = train.groupby("label", group_keys=False).head(rows // 2).assign(split="train")
    dev = pd.read_csv(SST2 / "dev.tsv", **READ).assign(split="test")
    rest = train.drop(picked.index)
    return pd.concat([picked, dev], ignore_index=True), rest


def speeds(folder: Path, texts: list[str], int8: bool | None = None) -> dict:
    """p50 and p95 ms one text at a time (after a warm-up), rows per second on all `texts`;
    `int8`: None as the CPU serves it (the int8 copy where its check passed), True or False
    to time that precision anyway."""
    from finetune.predict import Predictor

    predictor = Predictor.load(folder, device="cpu", candidate=False, int8=int8)
    predictor.predict(texts[:8])
    each = []
    for text in texts[:300]:
        started = time.perf_counter()
        predictor.predict([text])
        each.append(1000 * (time.perf_counter() - started))
    started = time.perf_counter()
    predictor.predict(texts)
    rate = len(texts) / (time.perf_counter() - started)
    return {
        "precision": predictor.precision,
        "p50_ms": round(float(np.percentile(each, 50)), 2),
        "p95_ms": round(float(np.percentile(each, 95)), 2),
        "rows_per_second": round(rate, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--unlabelled", type=int, default=4000)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--learning-rate", type=float, default=0.0, help="0: chosen by trials")
    parser.add_argument("--layers", type=int, default=0, help="the student's; 0: half")
    parser.add_argument(
        "--keep-teacher", action="store_true", help="reuse the teacher an earlier run trained"
    )
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "distill"))
    args = parser.parse_args()

    import torch

    from finetune.distill import DistillConfig, distill
    from finetune.mapping import ColumnMapping
    from finetune.predict import use_threads
    from finetune.train import TrainConfig, train

    out = Path(args.out)
    table, rest = load(args.rows)
    mapping = ColumnMapping(text="sentence", label="label", split="split")
    config = TrainConfig(epochs=args.epochs, learning_rate=args.learning_rate, max_length=64,
                         device="cpu", patience=0, contrastive="off")  # fmt: skip
    started = time.monotonic()
    if args.keep_teacher and (out / "teacher" / "metrics.json").is_file():
        teacher = json.loads((out / "teacher" / "metrics.json").read_text())
        teacher_seconds = teacher["train_seconds"]  # training alone, as measured then
        shutil.rmtree(out / "student", ignore_errors=True)
    else:
        shutil.rmtree(out, ignore_errors=True)
        teacher = train(table, mapping, config, out / "teacher").metrics
        teacher_seconds = time.monotonic() - started
    unlabelled = rest.sentence.head(args.unlabelled).tolist()
    started = time.monotonic()
    student = distill(out / "teacher", table, out / "student", unlabelled=unlabelled,
                      config=DistillConfig(device="cpu", layers=args.layers)).metrics  # fmt: skip
    student_seconds = time.monotonic() - started

    use_threads(1)
    torch.set_num_threads(1)
    dev = table[table.split == "test"].sentence.tolist()
    texts = (dev * 3)[:2000]
    found = {
        "rows": args.rows,
        "unlabelled": len(unlabelled),
        "test_rows": student["test_rows"],
        "teacher": {
            "layers": student["teacher_layers"],
            "test_accuracy": teacher["test_accuracy"],
            "int8_ok": teacher.get("int8_ok"),
            "int8_agreement": teacher.get("int8_agreement"),
            "int8_test_accuracy": teacher.get("int8_test_accuracy"),
            "train_seconds": round(teacher_seconds),
            **speeds(out / "teacher", texts),
            "full": speeds(out / "teacher", texts, int8=False),
            "int8": speeds(out / "teacher", texts, int8=True),
        },  # fmt: skip
        "student": {
            "layers": student["student_layers"],
            "test_accuracy": student["test_accuracy"],
            "int8_ok": student.get("int8_ok"),
            "int8_agreement": student.get("int8_agreement"),
            "int8_teacher_agreement": student.get("int8_teacher_agreement"),
            "int8_test_accuracy": student.get("int8_test_accuracy"),
            "distill_seconds": round(student_seconds),
            "agreement": student["distill_agreement"],
            "distill_ok": student["distill_ok"],
            **speeds(out / "student", texts),
            "full": speeds(out / "student", texts, int8=False),
            "int8": speeds(out / "student", texts, int8=True),
        },  # fmt: skip
    }
    print(json.dumps(found, indent=2))
    name = f"distill_{args.layers}_layers.json" if args.layers else "distill.json"
    (out / name).write_text(json.dumps(found, indent=2))


if __name__ == "__main__":
    main()
