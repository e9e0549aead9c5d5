"""What bench/speed.py and bench/web_speed.py share: the SST-2 reader, the trained MiniLM run
folder the prediction parts use, and percentiles in milliseconds.

bench/speed.py runs the parts and imports bench/web_speed.py for those through a real server;
both import this module, never each other's back.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
SST2 = ROOT.parent / "shared" / "datasets" / "sst2"
TRAIN_ROWS = 2000  # the first SST-2 training rows every trained part uses


def sst2(name: str):
    import pandas as pd

    read = dict(sep="\t", quoting=3, dtype=str, keep_default_na=False)
    return pd.read_csv(SST2 / f"{name}.tsv", **read)


def run_folder() -> Path:
    """A trained MiniLM run folder for the prediction parts (trained once, kept in bench/out)."""
    folder = OUT / "minilm-sst2-run"
    if not (folder / "labeltune.json").is_file():
        from finetune.mapping import ColumnMapping
        from finetune.train import TrainConfig, train

        frame = sst2("train").head(TRAIN_ROWS)
        train(frame, ColumnMapping(text="sentence", label="label"), TrainConfig(epochs=1), folder)
    return folder


def percentiles(times: list[float]) -> tuple[float, float]:
    """(p50, p95) of `times` in seconds, as milliseconds."""
    ordered = sorted(times)
    return ordered[len(ordered) // 2] * 1000, ordered[int(len(ordered) * 0.95)] * 1000
