"""LoRA against full fine-tuning on SST-2: quality, time, peak memory and what is stored per
model; and the memory of a process serving 10 LoRA models of one base, base held once
(shared) against each model loaded on its own (merged).

    nice .venv/bin/python bench/lora.py > bench/out/lora.log 2>&1 &       # bundled MiniLM, CPU
    python bench/lora.py --base bert-base-uncased --rows 5000 --device cuda  # on a GPU machine

Data: the first rows/2 rows of each label of ../shared/datasets/sst2/train.tsv to train on
(10% held back for validation), all of dev.tsv (872 rows) as the test rows. Both methods
train with the same settings (the epochs set, the learning rate left on automatic: each
method's three trial rates, finetune/tuning.py and finetune/lora.py), each in a process of
its own so its peak memory is its own, side by side, on one torch thread each; besides the
wall-clock time each reports the CPU time it used, which a busy machine does not inflate. Serving: one process per way loads the LoRA model 10
times from 10 folders (copies of the trained one) and reads its memory (VmRSS) before, after
the first model and after the tenth. Prints and writes bench/out/lora/lora.json.
"""

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SST2 = ROOT.parent / "shared" / "datasets" / "sst2"
MODELS = 10


def load(rows: int):
    import pandas as pd

    read = dict(sep="\t", quoting=3, dtype=str, keep_default_na=False)
    train = pd.read_csv(SST2 / "train.tsv", **read)
    train = train.groupby("label", group_keys=False).head(rows // 2).assign(split="train")
    dev = pd.read_csv(SST2 / "dev.tsv", **read).assign(split="test")
    return pd.concat([train, dev], ignore_index=True)


def rss_mb() -> float:
    """This process's resident memory now, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def train_one(args) -> dict:
    """One training in this process: its figures, peak memory and stored size."""
    import torch

    from finetune import lora
    from finetune.mapping import ColumnMapping
    from finetune.train import TrainConfig, train

    torch.set_num_threads(args.threads)

    config = TrainConfig(base_model=args.base, method=args.method, epochs=args.epochs,
                         lora_rank=args.rank, device=args.device, patience=0)  # fmt: skip
    out = Path(args.out) / args.method
    shutil.rmtree(out, ignore_errors=True)
    mapping = ColumnMapping(text="sentence", label="label", split="split")
    started = time.monotonic()
    metrics = train(load(args.rows), mapping, config, out).metrics
    seconds = time.monotonic() - started
    weights = out / (lora.ADAPTER_FILE if args.method == "lora" else "model.safetensors")
    cuda = torch.cuda.is_available() and config.device != "cpu"
    return {
        "method": args.method,
        "test_accuracy": metrics["test_accuracy"],
        "learning_rate": metrics["learning_rate"],
        "trials": {
            str(t["learning_rate"]): round(t["val_metric"], 4)
            for t in metrics["learning_rate_trials"]
        },  # fmt: skip
        "epochs_run": metrics["epochs_run"],
        "train_seconds": metrics["train_seconds"],
        "total_seconds": round(seconds, 1),
        "cpu_seconds": round(cpu_seconds(), 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_gpu_mb": round(torch.cuda.max_memory_allocated() / 2**20) if cuda else None,
        "stored_mb": round(weights.stat().st_size / 2**20, 2),
        "trained_share": metrics.get("lora_trained_share", 1.0),
        "device": metrics["device"],
    }


def serve(args) -> dict:
    """Load the LoRA model from MODELS folders, one way; memory before, after 1, after all."""
    from finetune.predict import Predictor, use_threads

    use_threads(1)
    source = Path(args.out) / "lora"
    folders = []
    for n in range(MODELS):
        folder = Path(args.out) / "serve" / f"model-{n}"
        if not folder.is_dir():
            shutil.copytree(source, folder)
        folders.append(folder)
    shared = args.way == "shared"
    before, after, loaded, seconds = rss_mb(), [], [], []
    for folder in folders:
        started = time.monotonic()
        predictor = Predictor.load(folder, device="cpu", int8=False, candidate=False,
                                   shared_base=shared)  # fmt: skip
        predictor.predict(["a warm , funny film ."])
        seconds.append(time.monotonic() - started)
        loaded.append(predictor)
        after.append(rss_mb())
    return {
        "way": args.way,
        "before_mb": round(before),
        "one_model_mb": round(after[0] - before),
        "ten_models_mb": round(after[-1] - before),
        "ten_over_one": round((after[-1] - before) / (after[0] - before), 2),
        "load_seconds_first": round(seconds[0], 2),
        "load_seconds_next": round(sum(seconds[1:]) / (len(seconds) - 1), 2),
    }


def start(*options) -> subprocess.Popen:
    command = [sys.executable, __file__, *map(str, options)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT)  # fmt: skip


def finish(process: subprocess.Popen) -> dict:
    out, err = process.communicate()
    if process.returncode:
        sys.stderr.write(err[-4000:])
        raise SystemExit(f"bench child {process.args[2:]} failed")
    return json.loads(out.strip().splitlines()[-1])


def child(*options) -> dict:
    return finish(start(*options))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="all-MiniLM-L6-v2")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=1, help="torch threads per training")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "lora"))
    parser.add_argument("--parts", default="train,serve")
    parser.add_argument("--child", choices=["train", "serve"])
    parser.add_argument("--method", default="lora")
    parser.add_argument("--way", default="shared")
    args = parser.parse_args()
    if args.child == "train":
        print(json.dumps(train_one(args)))
        return
    if args.child == "serve":
        print(json.dumps(serve(args)))
        return
    Path(args.out).mkdir(parents=True, exist_ok=True)
    common = ["--base", args.base, "--rows", args.rows, "--epochs", args.epochs, "--rank",
              args.rank, "--device", args.device, "--out", args.out, "--threads", args.threads]  # fmt: skip
    results = {"base": args.base, "rows": args.rows, "epochs": args.epochs, "rank": args.rank}
    if "train" in args.parts:
        running = {m: start(*common, "--child", "train", "--method", m) for m in ("full", "lora")}
        for method, process in running.items():
            results[method] = finish(process)
            print(json.dumps(results[method]), flush=True)
    if "serve" in args.parts:
        for way in ("separate", "shared"):
            results[f"serve_{way}"] = child(*common, "--child", "serve", "--way", way)
            print(json.dumps(results[f"serve_{way}"]), flush=True)
    (Path(args.out) / "lora.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
