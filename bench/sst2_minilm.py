"""SST-2 benchmark: LabelTune's default training of the bundled MiniLM vs. a peer baseline.

    .venv/bin/python bench/sst2_minilm.py                 # LabelTune only (about 3 minutes on 2 cores)
    .venv/bin/python bench/sst2_minilm.py --peer          # also the transformers Trainer peer
    .venv/bin/python bench/sst2_minilm.py --rows 2000 --out bench/out

Data: the first --rows rows of ../shared/datasets/sst2/train.tsv to train on (10% of them held
back for validation), and all of dev.tsv (872 rows) as the test split, through LabelTune's own
split column. Peer: the same model, rows, epochs and learning rate through the stock
`transformers.Trainer` recipe (padding every row to max_length, as run_glue does by default),
timed in the same run. Writes bench/out/sst2_minilm.json and prints one line per system.
"""

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SST2 = ROOT.parent / "shared" / "datasets" / "sst2"


def load(rows: int) -> pd.DataFrame:
    read = dict(sep="\t", quoting=3, dtype=str, keep_default_na=False)
    train = pd.read_csv(SST2 / "train.tsv", **read).head(rows).assign(split="train")
    dev = pd.read_csv(SST2 / "dev.tsv", **read).assign(split="test")
    return pd.concat([train, dev], ignore_index=True)


def run_labeltune(frame: pd.DataFrame, out: Path, overrides: dict) -> dict:
    from finetune.mapping import ColumnMapping
    from finetune.train import TrainConfig, train

    config = TrainConfig(**overrides)
    start = time.monotonic()
    result = train(
        frame, ColumnMapping(text="sentence", label="label", split="split"), config, out / "run"
    )
    m = result.metrics
    return {
        "system": "LabelTune" + (f" {overrides}" if overrides else " (defaults)"),
        "seconds": round(time.monotonic() - start, 1),
        "dev_accuracy": round(m["test_accuracy"], 4),
        "dev_macro_f1": round(m["test_macro_f1"], 4),
        "epochs_run": m["epochs_run"],
        "best_epoch": m["best_epoch"],
        "baseline_tfidf_accuracy": round(m["baseline_tfidf_accuracy"], 4),
        "baseline_majority_accuracy": round(m["baseline_majority_accuracy"], 4),
        "config": config.to_dict(),
    }


def run_peer(
    frame: pd.DataFrame, out: Path, epochs: int, lr: float, batch: int, max_length: int
) -> dict:
    """transformers.Trainer, run_glue style: fixed-length padding, eval each epoch, best kept."""
    import numpy as np
    import torch
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        Trainer,
        TrainingArguments,
        set_seed,
    )

    from finetune.basemodels import bundled_path

    set_seed(42)
    path = str(bundled_path())
    tokenizer = AutoTokenizer.from_pretrained(path)
    train_rows = frame[frame.split == "train"].sample(frac=1.0, random_state=42)
    n_val = len(train_rows) // 10
    parts = {
        "val": train_rows.iloc[:n_val],
        "train": train_rows.iloc[n_val:],
        "test": frame[frame.split == "test"],
    }

    class Rows(torch.utils.data.Dataset):
        def __init__(self, rows):
            self.enc = tokenizer(
                rows.sentence.tolist(), padding="max_length", truncation=True, max_length=max_length
            )
            self.labels = rows.label.astype(int).tolist()

        def __len__(self):
            return len(self.labels)

        def __getitem__(self, i):
            return {k: torch.tensor(v[i]) for k, v in self.enc.items()} | {"labels": self.labels[i]}

    model = AutoModelForSequenceClassification.from_pretrained(
        path, num_labels=2, use_safetensors=True
    )
    args = TrainingArguments(
        output_dir=str(out / "peer"),
        num_train_epochs=epochs,
        learning_rate=lr,
        per_device_train_batch_size=batch,
        per_device_eval_batch_size=64,
        warmup_steps=0.1,  # a fraction of all steps, like our warmup_ratio
        weight_decay=0.01,
        eval_strategy="epoch",
        save_strategy="epoch",
        load_best_model_at_end=True,
        metric_for_best_model="accuracy",
        save_total_limit=1,
        report_to=[],
        seed=42,
        logging_strategy="no",
        disable_tqdm=True,
    )

    def accuracy(p):
        return {"accuracy": float((np.argmax(p.predictions, -1) == p.label_ids).mean())}

    start = time.monotonic()
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=Rows(parts["train"]),
        eval_dataset=Rows(parts["val"]),
        compute_metrics=accuracy,
    )
    trainer.train()
    test = trainer.evaluate(Rows(parts["test"]))
    return {
        "system": "transformers Trainer (run_glue style)",
        "seconds": round(time.monotonic() - start, 1),
        "dev_accuracy": round(test["eval_accuracy"], 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument(
        "--peer", action="store_true", help="also time the transformers Trainer peer"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change one TrainConfig setting, e.g. --set learning_rate=1e-4",
    )
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.out.mkdir(parents=True, exist_ok=True)
    frame = load(args.rows)
    overrides = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.set)}
    results = [run_labeltune(frame, args.out, overrides)]
    if args.peer:
        cfg = results[0]
        results.append(
            run_peer(
                frame,
                args.out,
                cfg["epochs_run"],
                cfg["config"]["learning_rate"],
                cfg["config"]["batch_size"],
                cfg["config"]["max_length"],
            )
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report = {
        "rows": args.rows,
        "cpu_count": os.cpu_count(),
        "peak_rss_mb": round(peak_mb),
        "results": results,
    }
    (args.out / "sst2_minilm.json").write_text(json.dumps(report, indent=2))
    for r in results:
        print(f"{r['system']}: dev accuracy {r['dev_accuracy']:.4f} in {r['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
