"""LabelTune against what users would run instead, side by side in one run (issue 10).

    .venv/bin/python -m bench.speed                      # every part; about 30 minutes on 2 cores
    .venv/bin/python -m bench.speed --parts predict,read --repeat 3
    .venv/bin/python -m bench.speed --no-write           # print, leave bench/RESULTS.md alone

Parts (each runs in a child process of its own, so its peak memory is its own):
- train:   SST-2, first 2,000 training rows (1,800 to train, 200 to validate), 3 epochs, the
           bundled MiniLM; dev accuracy on all 872 dev rows. LabelTune vs. AutoTrain-like
           (bench/peers/autotrain_like.py) vs. Tutorial (bench/peers/tutorial.py; its wall
           time extrapolated from its first steps, see that file).
- predict: one text at a time, warm, 300 SST-2 dev texts: finetune Predictor vs.
           transformers.pipeline on the same run folder; p50 / p95 in milliseconds.
- score:   20,000 rows, file in to file out: finetune.predict.score_file vs. pipeline with
           batch 64 plus pandas to read and write; rows per second.
- http, memory, click: through a real server (`manage.py up`, production settings): one
           prediction over HTTP (Try it and the API), the web process's memory with 3 models,
           and a click on Train to the first training step; see bench/web_speed.py.
- read:    100,000 rows x 5 columns: finetune.data.read_table vs. pandas (CSV: read_csv with
           dtype=str and keep_default_na=False, the median of CSV_ROUNDS calls each, taken in
           turns; XLSX: read_excel with openpyxl, one call each).
Figures go to bench/out/speed.json, and the table between the speed markers in
bench/RESULTS.md is written anew (medians of --repeat runs; ratios are peer / LabelTune).
Parts not run this time keep their last figures there, each with its command, date and the
machine's load average before and after it (the machine may be shared).
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.speed_common import OUT, TRAIN_ROWS, percentiles, run_folder, sst2  # noqa: E402

RESULTS = ROOT / "bench" / "RESULTS.md"
START, END = "<!-- speed:start -->", "<!-- speed:end -->"
PARTS = ("train", "predict", "score", "read", "http", "memory", "click")
WEB_PARTS = ("http", "memory", "click")  # bench/web_speed.py
VALIDATION_ROWS, EPOCHS = 200, 3
PREDICT_TEXTS, SCORE_ROWS, READ_ROWS = 300, 20_000, 100_000
TUTORIAL_STEPS = 30  # Tutorial steps actually run; the rest of its schedule is extrapolated
PREDICT_THREADS = 1  # torch threads for one prediction, as settings.PREDICT_THREADS
CSV_ROUNDS = 5  # CSV reads of each side, in turns, so a busy moment hits both alike


# Parts: each returns a flat dict of figures.


def part_train() -> dict:
    import pandas as pd

    from bench.peers import autotrain_like, tutorial
    from finetune.basemodels import bundled_path
    from finetune.mapping import ColumnMapping
    from finetune.train import TrainConfig, train

    rows = sst2("train").head(TRAIN_ROWS)
    dev = sst2("dev")
    split = ["train"] * (TRAIN_ROWS - VALIDATION_ROWS) + ["validation"] * VALIDATION_ROWS
    frame = pd.concat([rows.assign(split=split), dev.assign(split="test")], ignore_index=True)
    train_rows = rows.head(TRAIN_ROWS - VALIDATION_ROWS)
    figures = {}
    # LabelTune, then the ablation: the same run with plain shuffled batches.
    for name, grouped in (("labeltune", True), ("labeltune_plain_batches", False)):
        with tempfile.TemporaryDirectory() as out:
            started, cpu = time.perf_counter(), time.process_time()
            result = train(
                frame,
                ColumnMapping(text="sentence", label="label", split="split"),
                TrainConfig(epochs=EPOCHS, patience=0, group_by_length=grouped),
                Path(out) / "run",
            )
            figures[f"{name}_s"] = time.perf_counter() - started
            figures[f"{name}_cpu_s"] = time.process_time() - cpu
            figures[f"{name}_accuracy"] = result.metrics["test_accuracy"]
    # LabelTune trains first, so the peak so far is its own (the peers' comes after).
    figures["labeltune_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    model = str(bundled_path())
    args = (train_rows.sentence.tolist(), train_rows.label.tolist())
    test = (dev.sentence.tolist(), dev.label.tolist())
    # CPU seconds (every thread of this process) beside wall seconds: on a shared machine the
    # CPU time of each side is the steadier figure.
    peer = autotrain_like.train(*args, *test, model, epochs=EPOCHS)
    figures["autotrain_s"], figures["autotrain_accuracy"] = peer["seconds"], peer["accuracy"]
    figures["autotrain_cpu_s"] = peer["cpu_seconds"]
    peer = tutorial.train(*args, *test, model, epochs=EPOCHS, max_steps=TUTORIAL_STEPS)
    figures["tutorial_s"], figures["tutorial_cpu_s"] = peer["seconds"], peer["cpu_seconds"]
    return figures


def part_predict() -> dict:
    from transformers import pipeline

    from finetune.predict import Predictor, use_threads

    use_threads(PREDICT_THREADS)  # both sides, as the web process answers (PREDICT_THREADS)
    folder = run_folder()
    texts = sst2("dev").sentence.tolist()[:PREDICT_TEXTS]
    predictor = Predictor.load(folder, device="cpu", int8=False, candidate=False)
    int8 = Predictor.load(folder, device="cpu", int8=True, candidate=False)
    classify = pipeline("text-classification", model=str(folder), device="cpu")
    sides = {
        "labeltune": lambda t: predictor.predict([t]),
        "labeltune_int8": lambda t: int8.predict([t]),
        "pipeline": lambda t: classify(t),
    }
    times = {name: [] for name in sides}
    for n, text in enumerate(texts[:20] + texts):  # 20 to warm up; then each text in turns,
        for name, fn in sides.items():  # so a busy moment on a shared machine hits all alike
            started = time.perf_counter()
            fn(text)
            if n >= 20:
                times[name].append(time.perf_counter() - started)
    figures = {}
    for name, values in times.items():
        figures[f"{name}_p50_ms"], figures[f"{name}_p95_ms"] = percentiles(values)
    return figures


def part_score() -> dict:
    import pandas as pd
    from transformers import pipeline

    from finetune.predict import Predictor, score_file

    folder = run_folder()
    train = sst2("train")
    frame = train.iloc[TRAIN_ROWS : TRAIN_ROWS + SCORE_ROWS][["sentence"]]
    figures = {}
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "in.csv"
        frame.to_csv(source, index=False)
        for name, int8 in (("labeltune", False), ("labeltune_int8", True)):
            predictor = Predictor.load(folder, device="cpu", int8=int8, candidate=False)
            started = time.perf_counter()
            score_file(predictor, source, Path(work) / "ours.csv")
            figures[f"{name}_rows_per_s"] = SCORE_ROWS / (time.perf_counter() - started)
        classify = pipeline("text-classification", model=str(folder), device="cpu")
        started = time.perf_counter()
        table = pd.read_csv(source, dtype=str, keep_default_na=False)
        answers = classify(table.sentence.tolist(), batch_size=64, truncation=True)
        table["prediction"] = [a["label"] for a in answers]
        table["confidence"] = [a["score"] for a in answers]
        table.to_csv(Path(work) / "peer.csv", index=False)
        figures["pipeline_rows_per_s"] = SCORE_ROWS / (time.perf_counter() - started)
    return figures


def part_read() -> dict:
    import pandas as pd

    from finetune.data import read_table

    rng = random.Random(0)
    words = "the film was quick brown lazy dull great awful plot acting really".split()
    frame = pd.DataFrame(
        {
            "id": [f"{i:06d}" for i in range(READ_ROWS)],
            "text": [" ".join(rng.choices(words, k=15)) for _ in range(READ_ROWS)],
            "title": [" ".join(rng.choices(words, k=4)) for _ in range(READ_ROWS)],
            "score": [f"{rng.random() * 5:.2f}" for _ in range(READ_ROWS)],
            "label": [rng.choice(["pos", "neg", "NA"]) for _ in range(READ_ROWS)],
        }
    )
    with tempfile.TemporaryDirectory() as work:
        csv_path, xlsx_path = Path(work) / "rows.csv", Path(work) / "rows.xlsx"
        frame.to_csv(csv_path, index=False)
        frame.to_excel(xlsx_path, index=False)
        times = {"csv_labeltune_s": [], "csv_pandas_s": []}
        for _ in range(CSV_ROUNDS):
            for name, fn in (
                ("csv_labeltune_s", lambda: read_table(csv_path)),
                ("csv_pandas_s", lambda: pd.read_csv(csv_path, dtype=str, keep_default_na=False)),
            ):
                started = time.perf_counter()
                fn()
                times[name].append(time.perf_counter() - started)
        figures = {name: statistics.median(values) for name, values in times.items()}
        for name, fn in (
            ("xlsx_labeltune_s", lambda: read_table(xlsx_path)),
            ("xlsx_openpyxl_s", lambda: pd.read_excel(xlsx_path, dtype=str, engine="openpyxl")),
        ):
            started = time.perf_counter()
            fn()
            figures[name] = time.perf_counter() - started
    return figures


# The parent: run the parts, take medians, write the table.


def run_part(name: str) -> dict:
    """Run one part in a child process; its figures plus its peak memory."""
    load_before = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, "-m", "bench.speed", "--child", name],
        cwd=ROOT,
        capture_output=True,
        text=True,
        # Both sides' threads sleep while they wait, as in LabelTune's own processes (finetune
        # sets it on import, but a peer may load torch first).
        env={"OMP_WAIT_POLICY": "PASSIVE"}
        | os.environ
        | {"HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
    )
    if done.returncode:
        raise SystemExit(f"The {name} part failed:\n{done.stderr[-3000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return figures | {"load_before": load_before, "load_after": os.getloadavg()[0]}


def earlier_figures() -> dict:
    """bench/out/speed.json's parts, so a run of some parts keeps the others' figures."""
    try:
        figures = json.loads((OUT / "speed.json").read_text())
    except (OSError, ValueError):
        figures = {}
    figures.setdefault("measured", {})
    return figures


def medians(runs: list[dict]) -> dict:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def _own_peak(t: dict) -> str:
    """LabelTune's peak memory while it trained; older runs kept only the part's peak, which
    includes the peers (the Tutorial pads every row to 512 pieces)."""
    if "labeltune_peak_rss_mb" in t:
        return f"{t['labeltune_peak_rss_mb']:.0f} MB peak"
    return f"{t['peak_rss_mb']:.0f} MB peak of the part, the peers' training included"


def table(figures: dict) -> str:
    rows = ["| what | LabelTune | peer | ratio (target) |", "| --- | --- | --- | --- |"]
    t = figures.get("train")
    if t:
        rows += [
            f"| training, SST-2 2,000 rows, 3 epochs, CPU | {t['labeltune_s']:.0f} s "
            f"({t['labeltune_cpu_s']:.0f} CPU s), dev accuracy {t['labeltune_accuracy']:.4f} | "
            f"AutoTrain-like {t['autotrain_s']:.0f} s ({t['autotrain_cpu_s']:.0f} CPU s), "
            f"{t['autotrain_accuracy']:.4f} | {t['autotrain_s'] / t['labeltune_s']:.1f}× wall, "
            f"{t['autotrain_cpu_s'] / t['labeltune_cpu_s']:.1f}× CPU (≥ 4×) |",
            f"| | | Tutorial {t['tutorial_s']:.0f} s ({t['tutorial_cpu_s']:.0f} CPU s; "
            f"extrapolated from {TUTORIAL_STEPS} steps) | {t['tutorial_s'] / t['labeltune_s']:.1f}× "
            f"wall, {t['tutorial_cpu_s'] / t['labeltune_cpu_s']:.1f}× CPU (≥ 10×) |",
            f"| memory, training process | {_own_peak(t)} | | (≤ 3 GB) |",
            f"| ablation: plain shuffled batches instead of length-grouped | "
            f"{t['labeltune_plain_batches_s']:.0f} s ({t['labeltune_plain_batches_cpu_s']:.0f} CPU "
            f"s), {t['labeltune_plain_batches_accuracy']:.4f} | | length grouping: "
            f"{t['labeltune_plain_batches_cpu_s'] / t['labeltune_cpu_s']:.2f}× CPU |",
        ]
    p = figures.get("predict")
    if p:
        rows.append(
            f"| one prediction, warm, in-process | p50 {p['labeltune_p50_ms']:.1f} ms, p95 "
            f"{p['labeltune_p95_ms']:.1f} ms | pipeline p50 {p['pipeline_p50_ms']:.1f} ms, p95 "
            f"{p['pipeline_p95_ms']:.1f} ms | {p['pipeline_p50_ms'] / p['labeltune_p50_ms']:.1f}× "
            "(p50 ≤ 15 ms, never slower) |"
        )
        rows.append(
            f"| ablation: the int8 copy, one prediction | p50 {p['labeltune_int8_p50_ms']:.1f} ms, "
            f"p95 {p['labeltune_int8_p95_ms']:.1f} ms | | "
            f"{p['labeltune_p50_ms'] / p['labeltune_int8_p50_ms']:.2f}× the full model |"
        )
    if any(name in figures for name in WEB_PARTS):
        from bench.web_speed import table_rows

        rows += table_rows(figures)
    s = figures.get("score")
    if s:
        rows.append(
            f"| scoring 20,000 rows, file to file | {s['labeltune_rows_per_s']:.0f} rows/s | "
            f"pipeline batch 64: {s['pipeline_rows_per_s']:.0f} rows/s | "
            f"{s['labeltune_rows_per_s'] / s['pipeline_rows_per_s']:.1f}× (≥ 2×) |"
        )
        rows.append(
            f"| ablation: the int8 copy, scoring | {s['labeltune_int8_rows_per_s']:.0f} rows/s | | "
            f"{s['labeltune_int8_rows_per_s'] / s['labeltune_rows_per_s']:.2f}× the full model |"
        )
    r = figures.get("read")
    if r:
        rows += [
            f"| reading 100,000 × 5 CSV | {r['csv_labeltune_s']:.2f} s | pandas.read_csv "
            f"{r['csv_pandas_s']:.2f} s | {r['csv_labeltune_s'] / r['csv_pandas_s']:.1f}× as "
            "long (≤ 1.5×) |",
            f"| reading 100,000 × 5 XLSX | {r['xlsx_labeltune_s']:.2f} s | openpyxl "
            f"{r['xlsx_openpyxl_s']:.2f} s | {r['xlsx_openpyxl_s'] / r['xlsx_labeltune_s']:.1f}× "
            "(≥ 4×) |",
        ]
    return "\n".join(rows)


def write_results(figures: dict) -> None:
    import platform

    import torch
    import transformers

    measured = []
    for name in (name for name in PARTS if name in figures):
        run, part = figures["measured"].get(name), figures[name]
        if run is None or "load_before" not in part:
            measured.append(f"- {name}: an earlier run (bench/out/speed.json)")
            continue
        measured.append(
            f"- {name}: `{run['command']}`, {run['date']}, medians of {run['repeat']} run(s), "
            f"load average {part['load_before']:.1f} before, {part['load_after']:.1f} after"
        )
    section = "\n".join(
        [
            START,
            f"On {os.cpu_count()} cores, Python {platform.python_version()}, torch "
            f"{torch.__version__}, transformers {transformers.__version__}. Each part:",
            "",
            *measured,
            "",
            table(figures),
            END,
        ]
    )
    text = RESULTS.read_text(encoding="utf-8")
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1]
    else:
        text += "\n## LabelTune against its peers (issue 10)\n\n" + section + "\n"
    RESULTS.write_text(text, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--parts", default=",".join(PARTS), help="comma-separated: " + ", ".join(PARTS)
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each part (median kept)")
    parser.add_argument("--no-write", action="store_true", help="leave bench/RESULTS.md alone")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        if args.child in WEB_PARTS:
            from bench import web_speed

            figures = getattr(web_speed, f"part_{args.child}")()
        else:
            figures = globals()[f"part_{args.child}"]()
        figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(figures))
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    figures = earlier_figures()
    command = "python -m bench.speed " + " ".join(sys.argv[1:])
    for name in args.parts.split(","):
        runs = [run_part(name) for _ in range(args.repeat)]
        figures[name] = medians(runs)
        figures["measured"][name] = {"command": command, "repeat": args.repeat,
                                     "date": time.strftime("%Y-%m-%d %H:%M")}  # fmt: skip
        print(name, json.dumps(figures[name]), flush=True)
    (OUT / "speed.json").write_text(json.dumps(figures, indent=2))
    print(table(figures))
    if not args.no_write:
        write_results(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
