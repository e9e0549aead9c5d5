"""Labels that look wrong, measured: SST-2 with labels flipped on purpose.

    nice .venv/bin/python bench/label_issues.py                # list + four trainings (~20 min on 2 cores)
    nice .venv/bin/python bench/label_issues.py --no-train     # only the list: precision, recall, time
    nice .venv/bin/python bench/label_issues.py --fixed        # the trainings with one fixed setting
    .venv/bin/python bench/label_issues.py --rows 2000 --noise 0.1 --seed 0 --out bench/out

Data: the first --rows rows of ../shared/datasets/sst2/train.tsv with --noise of their labels
flipped (seeded). The data check (finetune.health.check) and the label check
(finetune.label_issues.check_labels, the bundled MiniLM) run on those rows, timed apart: the
label check's time is what it adds to the data check. The list at its default cut is scored
against the flipped rows (precision, recall), as are its rows above a few confidences (what
"accept all above X%" would change). Each C the check tries is scored alone on the same
embeddings. Then the bundled MiniLM is trained with LabelTune's defaults on the noisy rows, on
the rows after accepting the suggestions at least 90% sure (the page's first "accept all
above" choice) and after accepting every one (relabel_rows fixes, as the web page makes them),
and on the clean rows; SST-2 dev (872 rows) is the test split each time. Writes
bench/out/label_issues.json and prints one line per figure.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sst2_minilm import load, run_labeltune  # noqa: E402

CUTS = (0.9, 0.8, 0.7, 0.6)  # confidences "accept all above" is tried at
FIXED = {"epochs": 3, "learning_rate": 1e-4, "patience": 0}  # --fixed: the same steps each way


def flip(frame: pd.DataFrame, rows: int, share: float, seed: int) -> tuple[pd.DataFrame, set]:
    """The frame with `share` of its first `rows` labels flipped (0 <-> 1), and their positions."""
    rng = np.random.default_rng(seed)
    flipped = set(rng.choice(rows, size=round(share * rows), replace=False).tolist())
    noisy = frame.copy()
    at = sorted(flipped)
    noisy.loc[at, "label"] = noisy.loc[at, "label"].map({"0": "1", "1": "0"})
    return noisy, flipped


def score(listed: list[int], flipped: set) -> dict:
    hits = len(set(listed) & flipped)
    return {
        "listed": len(listed),
        "precision": round(hits / len(listed), 4) if listed else None,
        "recall": round(hits / len(flipped), 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--noise", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-train", action="store_true", help="only the list, no training")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument(
        "--fixed", action="store_true",
        help="train with one fixed setting (3 epochs at 1e-4, no early stop) instead of the "
        "defaults, whose time budget plans the epochs by the machine's speed at the time",
    )  # fmt: skip
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args.out.mkdir(parents=True, exist_ok=True)
    out_file = args.out / ("label_issues_fixed.json" if args.fixed else "label_issues.json")

    from finetune import label_issues
    from finetune.basemodels import DEFAULT_BASE_MODEL
    from finetune.fixes import apply
    from finetune.health import check
    from finetune.mapping import ColumnMapping
    from finetune.tasks import get_task

    both = load(args.rows)  # the rows, then SST-2 dev as split "test"
    noisy_both, flipped = flip(both, args.rows, args.noise, args.seed)
    rows = noisy_both.head(args.rows).drop(columns="split")
    mapping, task = ColumnMapping(text="sentence", label="label"), get_task("single_label")
    report = {"rows": args.rows, "noise": args.noise, "seed": args.seed, "flipped": len(flipped),
              "cpu_count": os.cpu_count()}  # fmt: skip

    # 1. The data check alone, then the label check: what it adds.
    start = time.monotonic()
    check(rows, mapping, task="single_label")
    report["data_check_seconds"] = round(time.monotonic() - start, 2)
    examples = task.prepare(rows, mapping)
    label_issues.SHOWN = len(examples)  # score the whole list, not the page's first rows
    start = time.monotonic()
    found = label_issues.check_labels(examples, task, base_model=DEFAULT_BASE_MODEL)
    report["label_check_seconds"] = round(time.monotonic() - start, 1)
    position = {x["row"]: x["row"] - 2 for x in found.issues}  # spreadsheet row -> position
    listed = [position[x["row"]] for x in found.issues]
    report["default_cut"] = score(listed, flipped)
    report["suggestion_right"] = round(
        np.mean([both.label[position[x["row"]]] == x["suggested"] for x in found.issues]), 4
    )
    report["above"] = {
        f"{cut:.0%}": score([position[x["row"]] for x in found.issues if x["confidence"] >= cut],
                            flipped)
        for cut in CUTS
    }  # fmt: skip
    print(json.dumps(report, indent=2))

    # 2. Logistic regression's C on the same embeddings (embeddings timed once more).
    start = time.monotonic()
    features = label_issues.embed(examples.texts, base_model=DEFAULT_BASE_MODEL)
    report["embed_seconds"] = round(time.monotonic() - start, 1)
    given = np.array([int(t) for t in examples.targets])
    report["by_c"] = {}
    for c in label_issues.C_GRID:
        start = time.monotonic()
        probs = label_issues.out_of_fold(features, given, several=False, c=c)
        ranked, _ = label_issues._cleanlab_one(given, probs)
        ranked = [int(i) for i in ranked if probs[i].argmax() != given[i]]
        report["by_c"][str(c)] = score(ranked, flipped) | {
            "seconds": round(time.monotonic() - start, 1),
            "oof_accuracy": round(float((probs.argmax(1) == given).mean()), 4),
        }
    out_file.write_text(json.dumps(report, indent=2))
    print(json.dumps(report["by_c"], indent=2))
    if args.no_train:
        return 0

    # 3. Test accuracy trained on the noisy rows, after accepting the suggestions (those the
    # page's first "accept all above" choice takes, 90% sure or more, and every listed one),
    # and on the clean rows.
    def accepted(cut: float) -> pd.DataFrame:
        accept = {"kind": "relabel_rows", "suggested": True,
                  "changes": [{"row": x["row"], "from": x["given"], "to": x["suggested"]}
                              for x in found.issues if x["confidence"] >= cut]}  # fmt: skip
        mapping = ColumnMapping(text="sentence", label="label", split="split")
        return apply(noisy_both, mapping, [accept])[0]

    report["trained"] = {}
    ways = (("noisy", noisy_both), ("accepted_90", accepted(CUTS[0])),
            ("accepted_all", accepted(0.0)), ("clean", both))  # fmt: skip
    for name, frame in ways:
        settings = FIXED if args.fixed else {}
        folder = args.out / f"label_issues_{name}{'_fixed' if args.fixed else ''}"
        result = run_labeltune(frame.reset_index(drop=True), folder, settings)
        report["trained"][name] = {k: result[k] for k in ("dev_accuracy", "seconds", "epochs_run")}
        print(name, report["trained"][name], flush=True)
        out_file.write_text(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
