"""How long a data check takes by sheet size: the figure behind which checks run in the web
request and which go to the prediction worker (webapp/spreadsheets/reading.py).

    nice .venv/bin/python bench/sheet_check.py      # writes bench/out/sheet_check.json

SST-2's training sentences (real texts, ../shared/datasets/sst2) written as CSV and .xlsx at
several sizes; for each, the parts of a check in the request, best of 3: read_table, the
column suggestion, and the fixes + health report of a text/label mapping. The upload's read on
the worker does the first two; a new mapping or a fix does all three.
"""

import csv
import json
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from finetune.data import read_table  # noqa: E402
from finetune.fixes import apply_table  # noqa: E402
from finetune.health import check  # noqa: E402
from finetune.mapping import ColumnMapping  # noqa: E402
from finetune.suggest import suggest  # noqa: E402
from finetune.writer import write_table  # noqa: E402

SST2 = ROOT.parent / "shared" / "datasets" / "sst2" / "train.tsv"
SIZES = {".csv": (10_000, 50_000, 67_349), ".xlsx": (10_000, 50_000)}


def best_of(n, fn):
    times, value = [], None
    for _ in range(n):
        start = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - start)
    return min(times), value


def main() -> int:
    sst2 = pd.read_csv(SST2, sep="\t", quoting=csv.QUOTE_NONE, dtype=str)
    frame = sst2.rename(columns={"sentence": "review", "label": "sentiment"})
    mapping = ColumnMapping(text="review", label="sentiment")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for suffix, sizes in SIZES.items():
            for rows in sizes:
                path = Path(folder) / f"sst2-{rows}{suffix}"
                write_table(frame.head(rows), path)
                read, table = best_of(3, lambda p=path: read_table(p))
                guess, _ = best_of(3, lambda t=table: suggest(t))

                def checked(t=table):
                    fixed, used, _ = apply_table(t, mapping, [], task="single_label")
                    return check(fixed, used, task="single_label")

                health, _ = best_of(3, checked)
                row = {"format": suffix, "rows": rows, "mb": round(path.stat().st_size / 1e6, 2),
                       "read_s": round(read, 2), "suggest_s": round(guess, 2),
                       "check_s": round(health, 2), "total_s": round(read + guess + health, 2)}  # fmt: skip
                results.append(row)
                print(row, flush=True)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "sheet_check.json").write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
