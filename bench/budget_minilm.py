"""Time budgets on SST-2: the old defaults against each budget, with the bundled MiniLM.

    nice .venv/bin/python bench/budget_minilm.py                      # 256 and 2,000 rows
    nice .venv/bin/python bench/budget_minilm.py --rows 2000 --budget quick --budget best

Data as bench/sst2_minilm.py: the first --rows rows of SST-2's train.tsv to learn from (10% held
back for validation), all 872 rows of dev.tsv as the test rows. "before" is the defaults this
project had until the budgets came: learning rate 5e-5 and 3 to 15 epochs aiming at 400
optimizer steps (patience 2 in both). Each budget runs TrainConfig(budget=...) with the
learning rate and the epochs on auto. Writes bench/out/budget_minilm.json and prints one line
per run: test accuracy, best epoch, epochs run, wall time, and the run's decisions.
"""

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

OLD_LEARNING_RATE = 5e-5
OLD_AUTO_EPOCH_STEPS = 400


def old_epochs(train_rows: int, batch_size: int = 16) -> int:
    """The automatic epochs before the budgets: 3 to 15, aiming at 400 optimizer steps."""
    steps_per_epoch = math.ceil(train_rows / batch_size)
    return min(15, max(3, math.ceil(OLD_AUTO_EPOCH_STEPS / steps_per_epoch)))


def run(frame, out: Path, name: str, settings: dict) -> dict:
    from finetune.mapping import ColumnMapping
    from finetune.train import TrainConfig, train

    start = time.monotonic()
    mapping = ColumnMapping(text="sentence", label="label", split="split")
    result = train(frame, mapping, TrainConfig(**settings), out / name)
    m = result.metrics
    return {
        "system": name,
        "rows": int((frame.split == "train").sum()),
        "seconds": round(time.monotonic() - start, 1),
        "test_accuracy": round(m["test_accuracy"], 4),
        "best_epoch": m["best_epoch"],
        "epochs_run": m["epochs_run"],
        "learning_rate": m.get("learning_rate", settings.get("learning_rate")),
        "decisions": m.get("decisions", []),
    }


def main() -> int:
    from sst2_minilm import load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", help="default: 256 and 2000")
    parser.add_argument("--budget", action="append", help="default: better (the default)")
    parser.add_argument("--no-before", action="store_true", help="skip the old defaults")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for rows in args.rows or [256, 2000]:
        frame = load(rows)
        train_rows = rows - rows // 10
        runs = [] if args.no_before else [
            ("before", {"learning_rate": OLD_LEARNING_RATE, "epochs": old_epochs(train_rows)})
        ]  # fmt: skip
        runs += [(f"budget {b}", {"budget": b}) for b in args.budget or ["better"]]
        for name, settings in runs:
            result = run(frame, args.out / f"budget-{rows}", name.replace(" ", "-"), settings)
            results.append(result)
            print(
                f"{rows} rows, {name}: test accuracy {result['test_accuracy']:.4f}, best epoch "
                f"{result['best_epoch']} of {result['epochs_run']} run, {result['seconds']:.0f} s",
                flush=True,
            )
            for sentence in result["decisions"]:
                print(f"    {sentence}", flush=True)
            report = {"cpu_count": os.cpu_count(), "results": results}
            (args.out / "budget_minilm.json").write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
