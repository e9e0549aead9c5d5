"""Small sheets: what serves, picked by the validation rows alone (before) and by the pick
that few validation rows can trust (after: finetune/crossval.py), against the peers on the same
rows: the frozen MiniLM's embeddings + a linear model, and SetFit (contrastive pairs, then
logistic regression on the tuned embeddings; sentence-transformers, same model).

    nice .venv/bin/python bench/small_sheets.py > bench/out/small_sheets.log 2>&1 &
    .venv/bin/python bench/small_sheets.py --runs sst2-64 sst2-64-pairs --out bench/out

Runs (the bundled MiniLM, TrainConfig() defaults unless named):
- sst2-N: the first N/2 rows of each label of SST-2's train.tsv (LabelTune holds 10% back for
  validation), all 872 rows of dev.tsv as the test rows; contrastive pairs off, so the
  fine-tuned model is the one of before;
- sst2-N-pairs: the same with `contrastive="on"` (the model first learns from pairs);
- goemotions-N: the first N rows of GoEmotions' train (28 labels, one 0/1 column each), the
  first 1,000 rows of its test;
- stsb-N: the first N pairs of STS-B's train (score 0-5), the first 500 pairs of its dev.
Prints and writes bench/out/small_sheets.json: per run each candidate's validation,
cross-validated and test figures, what serves before and after and its test figure, the
peers' test figures and the seconds each part took.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "datasets"
BASE = "all-MiniLM-L6-v2"


def sst2(rows: int) -> pd.DataFrame:
    read = dict(sep="\t", quoting=3, dtype=str, keep_default_na=False)
    train = pd.read_csv(DATA / "sst2" / "train.tsv", **read)
    train = train.groupby("label", group_keys=False).head(rows // 2).assign(split="train")
    dev = pd.read_csv(DATA / "sst2" / "dev.tsv", **read).assign(split="test")
    return pd.concat([train, dev], ignore_index=True)


def goemotions(rows: int) -> pd.DataFrame:
    from bench.tasks_minilm import goemotions_flags

    frame = goemotions_flags(rows, 0)
    test = frame[frame["split"] == "test"].head(1000)
    return pd.concat([frame[frame["split"] == "train"], test], ignore_index=True)


def stsb(rows: int) -> pd.DataFrame:
    from bench.tasks_minilm import glue_pairs

    frame = glue_pairs("stsb", rows, ["sentence1", "sentence2", "score"], quoting=3)
    test = frame[frame["split"] == "test"].head(500)
    return pd.concat([frame[frame["split"] == "train"], test], ignore_index=True)


def setting(name: str):
    """(frame, mapping, TrainConfig overrides, whether the SetFit peer applies) of a run."""
    from finetune.mapping import ColumnMapping

    kind, rows, *rest = name.split("-")
    rows = int(rows)
    if kind == "sst2":
        overrides = {"contrastive": "on" if rest == ["pairs"] else "off"}
        mapping = ColumnMapping(text="sentence", label="label", split="split")
        return sst2(rows), mapping, overrides, rest != ["pairs"]
    if kind == "goemotions":
        frame = goemotions(rows)
        flags = [c for c in frame.columns if c not in ("id", "text", "split")]
        mapping = ColumnMapping(text="text", labels=flags, split="split")
        return frame, mapping, {"task": "multi_label"}, False
    mapping = ColumnMapping(text="sentence1", text_pair="sentence2", label="score",
                            split="split")  # fmt: skip
    return stsb(rows), mapping, {"task": "regression"}, False


def primary_of(task, candidate, part) -> float:
    answers = candidate.answers(part)
    return float(task.metrics(part.targets, answers, candidate.head)[task.primary_metric])


def before_pick(task, rows: list[dict], names: set[str]) -> str:
    """What served before this change: the best on the validation rows among the candidates
    that existed then, the fine-tuned model winning ties (finetune.candidates._beats)."""
    from finetune.candidates import _beats

    best = rows[0]
    for row in rows[1:]:
        if row["name"] in names and _beats(task, row["validation"], best["validation"]):
            best = row
    return best["name"]


def setfit_peer(prepared, config) -> dict:
    """SetFit's recipe with this model: contrastive pairs of the training rows
    (finetune.contrastive.tune, sentence-transformers), then the sentence-meaning model's
    logistic regression on the tuned embeddings (C picked on the validation rows)."""
    import torch

    from finetune import contrastive, encoder
    from finetune.embeddings import EmbeddingsCandidate

    task, splits = prepared.task, prepared.splits
    started = time.monotonic()
    tuned = encoder.Encoder(prepared.base)
    paired = contrastive.tune(task, tuned.model, prepared.base, splits.train, config,
                              torch.device("cpu"))  # fmt: skip
    tuned.model.eval()
    paired = paired.pairs if paired else 0
    with encoder.reused():
        encoder._shared[("setfit-peer", encoder.MAX_LENGTH)] = tuned
        tuned.memo = {}
        fitted = EmbeddingsCandidate.fit("setfit-peer", splits.train, splits.validation,
                                         prepared.head, task, "label")  # fmt: skip
        figure = primary_of(task, fitted, splits.test)
    return {"test": round(figure, 4), "pairs": paired,
            "seconds": round(time.monotonic() - started, 1)}  # fmt: skip


def run(name: str) -> dict:
    return measure(*setting(name))


def measure(frame: pd.DataFrame, mapping, overrides: dict, peer: bool) -> dict:
    """One run on `frame` (bench/quality.py calls this with its own rows too)."""
    import torch

    from finetune.train import TrainConfig, evaluate, fit, prepare

    config = TrainConfig(**overrides)
    started = time.monotonic()
    prepared = prepare(frame, mapping, config)
    fitted = fit(prepared, torch.device("cpu"))
    trained = time.monotonic()
    task, splits = prepared.task, prepared.splits
    found = []  # the base model's candidates, as compare() fitted them
    own = task.base_model_candidates

    def kept(*args, **kwargs) -> list:
        made = own(*args, **kwargs)
        if args[2] is splits.validation:  # compare()'s own fit, not a cross-validation fold
            found.extend(made)
        return made

    task.base_model_candidates = kept  # on this run's task only: the next run's is its own
    try:
        head, predictions, metrics, _ = evaluate(prepared, fitted, torch.device("cpu"))
    finally:
        del task.base_model_candidates
    evaluated = time.monotonic()
    primary = task.primary_metric
    test = {"model": metrics[f"test_{primary}"], "tfidf": metrics[f"baseline_tfidf_{primary}"]}
    test |= {c.name: primary_of(task, c, splits.test) for c in found}
    rows = metrics["candidates"]
    existed = {"model", "tfidf"} | ({"embeddings"} if task.name == "single_label" else set())
    before = before_pick(task, rows, existed)
    out = {
        "train_rows": len(splits.train),
        "validation_rows": len(splits.validation),
        "test_rows": len(splits.test),
        "primary": primary,
        "test": {k: round(v, 4) for k, v in test.items()},
        "candidates": rows,
        "served_before": before,
        "served_before_test": round(test[before], 4),
        "served": metrics["served"],
        "served_test": round(metrics[f"served_test_{primary}"], 4),
        "picked_by": metrics.get("picked_by", "validation"),
        "contrastive_pairs": (fitted.choices or {}).get("contrastive_pairs", 0),
        "train_seconds": round(trained - started, 1),
        "evaluate_seconds": round(evaluated - trained, 1),
        "epochs_run": metrics["epochs_run"],
        "learning_rate": metrics.get("learning_rate"),
    }
    if peer:
        out["setfit_peer"] = setfit_peer(prepared, config)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="+", default=["sst2-64", "sst2-64-pairs",
                        "goemotions-400", "stsb-256", "sst2-256", "sst2-256-pairs"])  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "small_sheets.json"
    results = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    for name in args.runs:
        results[name] = run(name)
        print(name, json.dumps(results[name]), flush=True)
        path.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
