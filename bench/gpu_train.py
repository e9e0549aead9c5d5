"""GPU training benchmark: LabelTune's trainer against the AutoTrain-like peer on one GPU.

    python bench/gpu_train.py --model /path/to/bert-base-cased            # full SST-2, 1 epoch
    python bench/gpu_train.py --model bert-base-cased --rows 20000 --peak-tflops 989

Needs only torch, transformers and this repository's finetune/ (no Django), so it runs on a
bare GPU machine. Trains 1 epoch on SST-2 (../shared/datasets/sst2; --rows to cut it), tests
on dev, and reports for each system: wall time, real (unpadded) training tokens per second,
and model FLOPs utilisation (MFU) against the GPU's bf16 peak: 6 x parameters x real tokens
per second (plus attention), over --peak-tflops (989 for an H100 or H200 SXM, dense bf16).
Writes bench/out/gpu_train.json. No GPU was lent to the session that wrote it: its figures
come from whoever runs it next (see bench/RESULTS.md).
"""

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SST2 = ROOT.parent / "shared" / "datasets" / "sst2"


def sst2(name: str, rows: int | None = None) -> pd.DataFrame:
    frame = pd.read_csv(SST2 / f"{name}.tsv", sep="\t", quoting=3, dtype=str, keep_default_na=False)
    return frame.head(rows) if rows else frame


def flops_per_token(config) -> float:
    """Training FLOPs per token: 6 x non-embedding parameters, plus attention scores."""
    hidden, layers = config.hidden_size, config.num_hidden_layers
    inner = getattr(config, "intermediate_size", 4 * hidden)
    params = layers * (4 * hidden * hidden + 2 * hidden * inner)
    return 6 * params + 6 * layers * hidden * 64  # attention at a typical ~64-token length


def real_tokens(model_path: str, texts: list[str], max_length: int) -> int:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_path)
    return sum(
        len(ids) for ids in tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
    )


def main() -> int:
    import torch
    from transformers import AutoConfig

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a local model folder or a hub id")
    parser.add_argument("--rows", type=int, default=0, help="training rows (0: all 67,349)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--peak-tflops", type=float, default=989.0)
    parser.add_argument("--skip-peer", action="store_true")
    args = parser.parse_args()
    if not torch.cuda.is_available():
        sys.exit("No GPU here: this benchmark measures GPU training.")

    from bench.peers import autotrain_like
    from finetune.mapping import ColumnMapping
    from finetune.train import TrainConfig, train

    train_rows, dev = sst2("train", args.rows or None), sst2("dev")
    validation = 1000
    split = ["train"] * (len(train_rows) - validation) + ["validation"] * validation
    frame = pd.concat([train_rows.assign(split=split), dev.assign(split="test")], ignore_index=True)
    used = train_rows.head(len(train_rows) - validation)
    tokens = real_tokens(args.model, used.sentence.tolist(), 128)
    per_token = flops_per_token(AutoConfig.from_pretrained(args.model))
    results = {"model": args.model, "rows": len(used), "real_tokens": tokens,
               "gpu": torch.cuda.get_device_name(0)}  # fmt: skip

    def figures(seconds: float, accuracy: float) -> dict:
        per_second = tokens / seconds
        return {
            "seconds": round(seconds, 1),
            "dev_accuracy": round(accuracy, 4),
            "real_tokens_per_s": round(per_second),
            "mfu": round(per_token * per_second / (args.peak_tflops * 1e12), 4),
        }

    out = ROOT / "bench" / "out"
    started = time.perf_counter()
    result = train(
        frame,
        ColumnMapping(text="sentence", label="label", split="split"),
        TrainConfig(base_model=args.model, epochs=1, batch_size=args.batch_size, device="cuda"),
        out / "gpu-run",
    )
    results["labeltune"] = figures(time.perf_counter() - started, result.metrics["test_accuracy"])
    print("LabelTune", results["labeltune"], flush=True)
    if not args.skip_peer:
        peer = autotrain_like.train(
            used.sentence.tolist(), used.label.tolist(), dev.sentence.tolist(),
            dev.label.tolist(), args.model, epochs=1,
        )  # fmt: skip
        results["autotrain_like"] = figures(peer["seconds"], peer["accuracy"])
        results["ratio"] = round(peer["seconds"] / results["labeltune"]["seconds"], 2)
        print("AutoTrain-like", results["autotrain_like"], flush=True)
    out.mkdir(parents=True, exist_ok=True)
    (out / "gpu_train.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
