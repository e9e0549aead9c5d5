"""One run on several processes against the same run on one: training time and figures.

    nice .venv/bin/python bench/multi_process.py > bench/out/multi_process.log 2>&1 &   # CPU
    python bench/multi_process.py --device cuda --processes 1 2 4 --base bert-large-uncased \
        --rows 20000                                                   # a machine with 4 GPUs

Data: the first rows/2 rows of each label of ../shared/datasets/sst2/train.tsv to train on
(10% held back for validation), all of dev.tsv (872 rows) as the test rows. Every way trains
with the same settings and the same batch size (rows per step, over all processes: each
process learns from its share of every batch, finetune/distributed.py), one after the other
in this process, which starts the others. Reports wall time (start to the run folder written),
training time, test accuracy and the validation figure of each. On a CPU the processes share
the cores, so two are not faster than one (the torch threads are split between them); the
script is there for GPUs, where each process has its own. Writes bench/out/multi_process.json.
"""

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def main() -> int:
    from bench.lora import load  # the same SST-2 rows as the LoRA benchmark
    from finetune.basemodels import DEFAULT_BASE_MODEL
    from finetune.mapping import ColumnMapping
    from finetune.train import TrainConfig, train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=DEFAULT_BASE_MODEL)
    parser.add_argument("--rows", type=int, default=2000, help="training rows (half per label)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--learning-rate", type=float, default=1e-4)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()

    table = load(args.rows)
    mapping = ColumnMapping(text="sentence", label="label", split="split")
    results = []
    for processes in args.processes:
        config = TrainConfig(base_model=args.base, epochs=args.epochs, patience=0,
                             learning_rate=args.learning_rate, batch_size=args.batch_size,
                             device=args.device, processes=processes)  # fmt: skip
        out = OUT / "multi_process" / f"p{processes}"
        shutil.rmtree(out, ignore_errors=True)
        started = time.monotonic()
        metrics = train(table, mapping, config, out).metrics
        row = {
            "processes": processes,
            "device": metrics["device"],
            "seconds": round(time.monotonic() - started, 1),
            "train_seconds": metrics["train_seconds"],
            "test_accuracy": round(metrics["test_accuracy"], 4),
            "val_accuracy": round(metrics["val_accuracy"], 4),
            "epochs_run": metrics["epochs_run"],
        }
        results.append(row)
        print(json.dumps(row), flush=True)
    summary = {"base": args.base, "rows": args.rows, "epochs": args.epochs,
               "batch_size": args.batch_size, "results": results}  # fmt: skip
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "multi_process.json").write_text(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
