"""Spreadsheet reading speed: finetune.data.read_table against plain pandas, in the same run.

    .venv/bin/python bench/read_speed.py            # 100,000 rows; writes bench/out/read_speed.json

CSV: read_table (encoding and delimiter detection, every cell as text, tidying) vs.
`pandas.read_csv(dtype=str)`, which does none of that. XLSX: read_table (python-calamine) vs.
`pandas.read_excel` with openpyxl, the usual way. Best of 3 runs each.
"""

import json
import random
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from finetune.data import read_table  # noqa: E402


def best_of(n, fn) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(rows: int = 100_000) -> int:
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(0)
    words = "the film was quick brown lazy dull great awful plot acting really".split()
    frame = pd.DataFrame(
        {
            "id": [f"{i:06d}" for i in range(rows)],
            "text": [" ".join(rng.choices(words, k=15)) for _ in range(rows)],
            "label": [rng.choice(["pos", "neg", "NA"]) for _ in range(rows)],
        }
    )
    csv_path, xlsx_path = out / "speed.csv", out / "speed.xlsx"
    frame.to_csv(csv_path, index=False)
    frame.to_excel(xlsx_path, index=False)
    results = {
        "rows": rows,
        "csv_read_table_s": best_of(3, lambda: read_table(csv_path)),
        "csv_pandas_read_csv_s": best_of(3, lambda: pd.read_csv(csv_path, dtype=str)),
        "xlsx_read_table_s": best_of(3, lambda: read_table(xlsx_path)),
        "xlsx_pandas_openpyxl_s": best_of(1, lambda: pd.read_excel(xlsx_path, dtype=str)),
    }
    results = {k: round(v, 3) if isinstance(v, float) else v for k, v in results.items()}
    (out / "read_speed.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
