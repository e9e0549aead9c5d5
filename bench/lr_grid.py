"""The learning rates the time budget's trials choose from, changed: LabelTune's defaults with
finetune.tuning.SMALL_RATES replaced, or one rate set (no trials), on SST-2 or Resume NER.

    nice .venv/bin/python bench/lr_grid.py --data sst2-2000 --rates 2e-5,5e-5,1e-4
    nice .venv/bin/python bench/lr_grid.py --data sst2-2000 --rate 1e-4      # no trials
    nice .venv/bin/python bench/lr_grid.py --data sst2-2000 --seed 7         # another seed
    nice .venv/bin/python bench/lr_grid.py --data resume-2000 --rates 2e-5,5e-5,1e-4

sst2-N: the first N rows of SST-2's train.tsv (10% held back for validation), all of dev.tsv as
the test rows (bench/sst2_minilm.py). resume-N: the first N training sentences of Resume NER
with their names listed per text, 500 dev sentences for validation, all 477 test sentences
(bench/ner_minilm.py). Prints the rate picked, the trials, the epochs and every candidate's
validation and test figure; appends them to bench/out/lr_grid.json.
"""

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="sst2-2000", help="sst2-N or resume-N")
    parser.add_argument("--rates", default="", help="comma-separated rates the trials try")
    parser.add_argument("--rate", type=float, default=0.0, help="one rate, no trials")
    parser.add_argument("--seed", type=int, default=0, help="TrainConfig.seed; 0: its default")
    parser.add_argument("--trial-steps", type=int, default=0, help="each trial's; 0: the budget's")
    args = parser.parse_args()

    from bench import ner_minilm, sst2_minilm
    from finetune import tuning

    if args.rates:
        tuning.SMALL_RATES = tuple(float(x) for x in args.rates.split(","))
    if args.trial_steps:
        better = tuning.BUDGETS["better"]
        tuning.BUDGETS["better"] = tuning.Budget(better.name, better.title, better.seconds,
                                                 better.max_steps, args.trial_steps)  # fmt: skip
    settings = {"learning_rate": args.rate} if args.rate else {}
    settings |= {"seed": args.seed} if args.seed else {}
    kind, rows = args.data.rsplit("-", 1)
    folder = Path(tempfile.mkdtemp())
    if kind == "sst2":
        sst2_minilm.run_labeltune(sst2_minilm.load(int(rows)), folder, settings)
        run = folder / "run"
    else:
        files, _ = ner_minilm.layout_files(ner_minilm.RUNS["resume_ner"], int(rows), 500, folder)
        path, mapping = files["entities"]
        run = folder / "run"
        ner_minilm.train_once(path, mapping, settings, run)
    m = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    found = {
        "data": args.data,
        "seed": args.seed or None,
        "trial_steps": args.trial_steps or None,
        "rates": list(tuning.SMALL_RATES) if not args.rate else [args.rate],
        "picked": m["learning_rate"],
        "trials": [(t["learning_rate"], round(t["val_metric"], 3)) for t in
                   m.get("learning_rate_trials", [])],
        "epochs_run": m["epochs_run"],
        "best_epoch": m["best_epoch"],
        "served": m.get("served"),
        "test_primary": round(m[f"test_{'accuracy' if kind == 'sst2' else 'entity_f1'}"], 4),
        "candidates": [(c["name"], round(c["validation"], 4), round(c["test"], 4))
                       for c in m.get("candidates", [])],
    }  # fmt: skip
    print(json.dumps(found))
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "lr_grid.json").open("a", encoding="utf-8") as out:
        out.write(json.dumps(found) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
