"""Every task on real data: the bundled MiniLM, default settings, through LabelTune's own path.

    .venv/bin/python bench/tasks_minilm.py                        # all four runs, one by one
    .venv/bin/python bench/tasks_minilm.py --run stsb --threads 1 # one run, on one core
    .venv/bin/python bench/tasks_minilm.py --run rte --rows 200 --set max_steps=5   # a trial

Runs (--run, repeatable; default: all four, one after the other):
- goemotions: multi-label, one 0/1 column per label (train_multihot.csv etc.), as an .xlsx;
- goemotions-joined: the same rows with the labels joined in one cell ("anger, joy"), from the
  .tsv label ids and labels.txt, as a .csv;
- stsb: pair regression (sentence1, sentence2, score), as a .csv;
- rte: pair classification (sentence1, sentence2, label named entailment / not_entailment),
  as an .xlsx.
Each run turns the public data set in ../shared/datasets into the spreadsheet a user would
have, with a split column: the first --rows rows of train marked "train"; for goemotions the
first --validation-rows rows of dev marked "validation" and all of test marked "test"; for
stsb and rte all of dev marked "test" (no validation rows: LabelTune holds 10% of the training
rows back). It writes the sheet into a temporary folder, reads it back with
finetune.data.read_table, maps the columns with finetune.mapping.ColumnMapping, trains with
finetune.train.train (TrainConfig() except the task) and reads the run's metrics.json.
Each run's default --rows keeps it within 15 minutes of CPU time on one core: auto epochs
give at least about 400 optimizer steps, so below about 2,200 training rows a run costs the
same.
Wall and CPU seconds are recorded per phase (loading, training with validation, evaluating,
saving), with the load average, because the machine may be shared.
Results are merged by run name into bench/out/tasks_minilm.json; one line per run is printed.
"""

import argparse
import csv
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "datasets"


@dataclass
class Run:
    name: str
    task: str
    data: str  # in words, for the table
    rows: int  # default training rows: the first N of train (fits 15 minutes on 2 cores)
    filename: str
    published: str

    def mapping(self, frame: pd.DataFrame):
        from finetune.mapping import ColumnMapping

        if self.name == "goemotions":
            flags = [c for c in frame.columns if c not in ("id", "text", "split")]
            return ColumnMapping(text="text", labels=flags, split="split")
        if self.name == "goemotions-joined":
            return ColumnMapping(text="text", label="emotions", split="split")
        if self.name == "stsb":
            return ColumnMapping(
                text="sentence1", text_pair="sentence2", label="score", split="split"
            )
        return ColumnMapping(text="sentence1", text_pair="sentence2", label="label", split="split")


RUNS = {
    r.name: r
    for r in [
        Run(
            "goemotions",
            "multi_label",
            "GoEmotions, 28 labels, one 0/1 column per label (.xlsx); test: official test",
            2500,
            "emotions.xlsx",
            "macro-F1 0.46 (BERT-base, full data)",
        ),
        Run(
            "goemotions-joined",
            "multi_label",
            'GoEmotions, labels joined in one cell ("anger, joy") (.csv); test: official test',
            5000,
            "emotions.csv",
            "macro-F1 0.46 (BERT-base, full data)",
        ),
        Run(
            "stsb",
            "regression",
            "STS-B, sentence pairs, score 0-5 (.csv); test: dev",
            2400,
            "similarity.csv",
            "Pearson 88.6 / Spearman 88.5 (bert-base-cased, full data)",
        ),
        Run(
            "rte",
            "single_label",
            "RTE, sentence pairs, entailment / not_entailment (.xlsx); test: dev",
            2490,
            "entailment.xlsx",
            "accuracy 65.7 (bert-base-cased, full data)",
        ),
    ]
}


def goemotions_flags(rows: int, validation_rows: int) -> pd.DataFrame:
    folder = DATA / "goemotions"

    def part(name: str, split: str, n: int | None) -> pd.DataFrame:
        frame = pd.read_csv(folder / f"{name}_multihot.csv", dtype=str, keep_default_na=False)
        return (frame if n is None else frame.head(n)).assign(split=split)

    return pd.concat(
        [part("train", "train", rows), part("dev", "validation", validation_rows),
         part("test", "test", None)],
        ignore_index=True,
    )  # fmt: skip


def goemotions_joined(rows: int, validation_rows: int) -> pd.DataFrame:
    folder = DATA / "goemotions"
    names = (folder / "labels.txt").read_text().split()

    def part(name: str, split: str, n: int | None) -> pd.DataFrame:
        with open(folder / f"{name}.tsv", newline="", encoding="utf-8") as f:
            records = list(csv.reader(f, delimiter="\t", quotechar='"'))
        records = records if n is None else records[:n]
        return pd.DataFrame(
            {
                "id": [r[2] for r in records],
                "text": [r[0] for r in records],
                "emotions": [", ".join(names[int(i)] for i in r[1].split(",")) for r in records],
                "split": split,
            }
        )

    return pd.concat(
        [part("train", "train", rows), part("dev", "validation", validation_rows),
         part("test", "test", None)],
        ignore_index=True,
    )  # fmt: skip


def glue_pairs(folder: str, rows: int, columns: list[str], **read) -> pd.DataFrame:
    read = dict(sep="\t", dtype=str, keep_default_na=False) | read
    train = pd.read_csv(DATA / folder / "train.tsv", **read)[columns].head(rows)
    dev = pd.read_csv(DATA / folder / "dev.tsv", **read)[columns]
    return pd.concat([train.assign(split="train"), dev.assign(split="test")], ignore_index=True)


def build(run: Run, rows: int, validation_rows: int) -> pd.DataFrame:
    if run.name == "goemotions":
        return goemotions_flags(rows, validation_rows)
    if run.name == "goemotions-joined":
        return goemotions_joined(rows, validation_rows)
    if run.name == "stsb":
        return glue_pairs("stsb", rows, ["sentence1", "sentence2", "score"], quoting=3)
    frame = glue_pairs("rte", rows, ["sentence1", "sentence2", "label"])
    frame["label"] = frame["label"].map({"0": "entailment", "1": "not_entailment"})
    return frame


def figures(task: str, m: dict) -> tuple[dict, dict]:
    """(test figures, baseline figures) from metrics.json, by task."""
    keys = {
        "multi_label": ["micro_f1", "macro_f1", "exact_match"],
        "regression": ["pearson", "spearman", "mae", "rmse", "r2"],
        "single_label": ["accuracy", "macro_f1"],
    }[task]
    test = {k: round(m[f"test_{k}"], 4) for k in keys}
    baselines = {
        k: round(v, 4)
        for k, v in m.items()
        if k.startswith("baseline_") and k.split("_", 2)[2] in keys and isinstance(v, float)
    }
    return test, baselines


def cpu_seconds() -> float:
    """CPU time of this process (all its threads): a measure the machine's other users do not
    stretch the way they stretch wall time."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Phases:
    """on_progress hook: wall and CPU seconds spent in each phase (loading, training with the
    per-epoch validation, evaluating, saving)."""

    def __init__(self):
        self.phase, self.since, self.cpu_since = None, time.monotonic(), cpu_seconds()
        self.wall, self.cpu, self.steps = {}, {}, 0

    def __call__(self, progress) -> None:
        # Validation after each epoch counts as training; the final stages report 1 of 1 steps.
        training = progress.phase in ("training", "evaluating") and progress.total_steps > 1
        phase = "training" if training else progress.phase
        if training:
            self.steps = max(self.steps, progress.step)
        if phase != self.phase:
            self.close()
            self.phase = phase

    def close(self) -> None:
        now, cpu = time.monotonic(), cpu_seconds()
        if self.phase:
            self.wall[self.phase] = self.wall.get(self.phase, 0) + now - self.since
            self.cpu[self.phase] = self.cpu.get(self.phase, 0) + cpu - self.cpu_since
        self.since, self.cpu_since = now, cpu

    def summary(self) -> dict:
        self.close()
        return {
            p: {"wall": round(self.wall[p], 1), "cpu": round(self.cpu[p], 1)} for p in self.wall
        }


def run_one(run: Run, rows: int, validation_rows: int, overrides: dict) -> dict:
    from finetune.data import read_table
    from finetune.suggest import suggest
    from finetune.train import TrainConfig, train

    load_before = os.getloadavg()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="tasks_minilm_") as tmp:
        sheet = Path(tmp) / run.filename
        frame = build(run, rows, validation_rows)
        if sheet.suffix == ".xlsx":
            frame.to_excel(sheet, index=False)
        else:
            frame.to_csv(sheet, index=False)
        written = time.monotonic()
        table = read_table(sheet)
        mapping = run.mapping(table.frame)
        suggestion = suggest(table)
        config = TrainConfig(task=run.task, **overrides)
        trained, cpu_before = time.monotonic(), cpu_seconds()
        phases = Phases()
        result = train(table, mapping, config, Path(tmp) / "run", on_progress=phases)
        seconds, cpu = time.monotonic() - trained, cpu_seconds() - cpu_before
        metrics = json.loads((result.out_dir / "metrics.json").read_text())
        history = json.loads((result.out_dir / "history.json").read_text())
    test, baselines = figures(run.task, metrics)
    return {
        "run": run.name,
        "task": run.task,
        "data": run.data,
        "first_train_rows": rows,
        "validation_rows_from_dev": validation_rows if run.name.startswith("goemotions") else 0,
        "rows_trained": metrics["train_rows"],
        "validation_rows": metrics["validation_rows"],
        "test_rows": metrics["test_rows"],
        "test": test,
        "published": run.published,
        "baselines": baselines,
        "epochs_run": metrics["epochs_run"],
        "best_epoch": metrics["best_epoch"],
        "validation_by_epoch": [
            {k: h[k] for k in ("epoch", "loss", "val_loss", "val_metric", "metric_name")}
            for h in history
        ],
        "seconds_write_sheet": round(written - start, 1),
        "seconds_read_and_train": round(time.monotonic() - written, 1),
        "seconds_train": round(seconds, 1),
        "cpu_seconds_train": round(cpu, 1),
        "steps": phases.steps,
        "seconds_by_phase": phases.summary(),
        "suggested_task": suggestion.task,
        "suggested_reason": suggestion.reason,
        "load_average_before_after": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
        "config": config.to_dict(),
        "mapping": mapping.in_words(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", action="append", choices=sorted(RUNS), help="default: all")
    parser.add_argument(
        "--rows", type=int, help="first rows of train to use (default: each run's own)"
    )
    parser.add_argument(
        "--validation-rows",
        type=int,
        default=1000,
        help="goemotions: first rows of dev marked validation (default: 1000)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        help="torch CPU threads (default: torch's own, one per core); on a machine others are "
        "using, --threads 1 avoids threads waiting on each other and gives an upper bound",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="change one TrainConfig setting, e.g. --set max_steps=20 for a trial",
    )
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    overrides = {k: json.loads(v) for k, v in (item.split("=", 1) for item in args.set)}
    report_path = args.out / "tasks_minilm.json"
    report = json.loads(report_path.read_text()) if report_path.exists() else {"results": {}}
    for name in args.run or list(RUNS):
        run = RUNS[name]
        result = run_one(run, args.rows or run.rows, args.validation_rows, overrides)
        result["overrides"] = overrides
        result["cpu_count"] = os.cpu_count()
        result["torch_threads"] = args.threads or "default"
        result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
        report["results"][name] = result
        report_path.write_text(json.dumps(report, indent=2))
        shown = ", ".join(f"{k} {v:.4f}" for k, v in result["test"].items())
        print(
            f"{name}: {result['rows_trained']} rows trained, test {shown} "
            f"in {result['seconds_read_and_train']:.0f} s (published: {run.published})",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
