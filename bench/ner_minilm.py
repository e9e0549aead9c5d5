"""Named entities on real data: wnut17 (English) and resume_ner (Chinese) as spreadsheets.

    .venv/bin/python bench/ner_minilm.py                          # both data sets, one by one
    .venv/bin/python bench/ner_minilm.py --run resume_ner --threads 2
    .venv/bin/python bench/ner_minilm.py --run wnut17 --rows 200 --set max_steps=5   # a trial
    .venv/bin/python bench/ner_minilm.py --run resume_ner --set extend_vocabulary=off
    .venv/bin/python bench/ner_minilm.py --keep /tmp/ner --files-only  # just the spreadsheets
    .venv/bin/python bench/ner_minilm.py --run wnut17 --label-pieces first --name wnut17_first

Each run turns a token-per-line data set from ../shared/datasets into the three spreadsheet
layouts users have (bench/ner_layouts.py), with a split column: the first --rows training
sentences marked "train", the first --validation-rows dev sentences "validation", every test
sentence "test" (the published figures are on the whole test set):
1. layout 1, one row per text with its entities listed ("Paris = LOC; ..."), as an .xlsx;
2. layout 2, one row per token with a sentence number, as a .csv;
3. layout 3, one row per text with space-separated tokens and tags, as a .csv.
It writes the three files into a temporary folder (or --keep DIR), reads each back with finetune.data.read_table
and the "ner" task's own reading (finetune.tasks.ner), and checks that all three give the same
texts, entity spans and splits (and the ones the data set holds). Identical examples with the
same seed train the same model, so it trains once, on layout 1, with finetune.train.train and
TrainConfig(task="ner") plus any --set, the bundled MiniLM, on the CPU.
Wall and CPU seconds and the load average are recorded, because the machine may be shared.
Whole words: the trained model's test answers are decoded twice, per word (what LabelTune
serves) and per token (pipeline's "simple" grouping, what it served before), and for each the
entity F1 and the number of names found that start or end inside a word are recorded
(`whole_words`). --label-pieces first trains with only each word's first piece labelled.
Results are merged by run name into bench/out/ner_minilm.json; one line per run is printed.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "datasets"
OUT = ROOT / "bench" / "out" / "ner_minilm.json"


@dataclass
class Run:
    name: str
    folder: str
    files: tuple[str, str, str]  # train, dev, test
    rows: int  # default training sentences (all of them fit 15 minutes of CPU)
    published: str


RUNS = {
    r.name: r
    for r in [
        Run(
            "wnut17",
            "wnut17",
            ("train.conll", "dev.conll", "test.conll"),
            3394,
            "test entity F1: shared-task best 0.42; transformer models about 0.50-0.57",
        ),
        Run(
            "resume_ner",
            "resume_ner",
            ("train.char.bmes", "dev.char.bmes", "test.char.bmes"),
            3821,
            "test entity F1: Lattice LSTM 0.9446; BERT-base-chinese about 0.95",
        ),
    ]
}


def layout_files(run: Run, rows: int, validation_rows: int, folder: Path):
    """{layout: (path, mapping)} for the three spreadsheets, and the expected examples."""
    from bench.ner_layouts import expected, layout_frames, read_conll
    from finetune.mapping import ColumnMapping

    train_file, dev_file, test_file = (DATA / run.folder / f for f in run.files)
    train, dev = read_conll(train_file, limit=rows), read_conll(dev_file, limit=validation_rows)
    test = read_conll(test_file)
    sentences = train + dev + test
    splits = ["train"] * len(train) + ["validation"] * len(dev) + ["test"] * len(test)
    frames = layout_frames(sentences, splits)
    files = {
        "entities": (
            folder / f"{run.name}-entities.xlsx",
            ColumnMapping(text="text", entities="entities", split="split"),
        ),
        "token_rows": (
            folder / f"{run.name}-token-rows.csv",
            ColumnMapping(text="token", tags="tag", sentence="sentence", split="split"),
        ),
        "token_lists": (
            folder / f"{run.name}-token-lists.csv",
            ColumnMapping(text="tokens", tags="tags", split="split"),
        ),
    }
    for layout, (path, _) in files.items():
        frame = frames[layout]
        if path.suffix == ".xlsx":
            frame.to_excel(path, index=False)
        else:
            frame.to_csv(path, index=False)
    texts, spans = expected(sentences)
    return files, (texts, spans, splits)


def read_layouts(files: dict, want) -> dict:
    """Read each spreadsheet as the app does; check that all give the expected examples."""
    from finetune.data import read_table
    from finetune.tasks import get_task

    task = get_task("ner")
    texts, spans, splits = want
    seen = {}
    for layout, (path, mapping) in files.items():
        started = time.monotonic()
        table = read_table(path)
        examples = task.prepare(table.frame, mapping, row_numbers=table.row_numbers)
        got_splits = [table.frame[mapping.split].iloc[i] for i in examples.rows]
        same = (
            examples.texts == texts
            and [sorted(t.spans) for t in examples.targets] == [sorted(s) for s in spans]
            and got_splits == splits
        )
        seen[layout] = {
            "file": path.name,
            "texts": len(examples),
            "same_as_data_set": same,
            "read_seconds": round(time.monotonic() - started, 2),
        }
        if not same:
            print(f"{layout}: the examples differ from the data set's", file=sys.stderr)
    return seen


def train_once(path: Path, mapping, settings: dict, out_dir: Path) -> dict:
    from finetune.data import read_table
    from finetune.train import TrainConfig, train

    table = read_table(path)
    config = TrainConfig.from_dict({"task": "ner", **settings})
    wall, cpu = time.monotonic(), time.process_time()
    result = train(table, mapping, config, out_dir)
    figures = {
        "wall_seconds": round(time.monotonic() - wall, 1),
        "cpu_seconds": round(time.process_time() - cpu, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "config": config.to_dict(),
    }
    keep = ("test_entity", "test_token", "baseline_", "train_rows", "validation_rows", "test_rows")
    keep += ("best_epoch", "epochs_run", "train_seconds", "unknown", "vocabulary", "windows")
    return figures | {k: v for k, v in result.metrics.items() if k.startswith(keep)}


def cuts_a_word(text: str, start: int, end: int) -> bool:
    """Whether the name text[start:end] starts or ends inside a word (letters or digits on
    both sides of its edge; CJK characters are words of their own)."""
    from finetune.tasks.ner.align import CJK

    def inside(i: int) -> bool:  # between characters i-1 and i, inside a word?
        if i <= 0 or i >= len(text):
            return False
        a, b = text[i - 1], text[i]
        return a.isalnum() and b.isalnum() and not (CJK.match(a) or CJK.match(b))

    return inside(start) or inside(end)


def whole_words(run_dir: Path, path: Path, mapping) -> dict:
    """Test entity F1 and names that cut a word, decoded per word and per token."""
    import numpy as np

    from finetune.data import read_table
    from finetune.predict import Predictor
    from finetune.tasks import get_task
    from finetune.tasks.ner import align, scores

    table = read_table(path)
    examples = get_task("ner").prepare(table.frame, mapping, row_numbers=table.row_numbers)
    test = [i for i, r in enumerate(examples.rows) if table.frame[mapping.split].iloc[r] == "test"]
    texts = [examples.texts[i] for i in test]
    expected = [examples.targets[i].spans for i in test]
    predictor = Predictor.load(run_dir, int8=False, candidate=False)  # the model itself
    labels = [predictor.model.config.id2label[i] for i in range(predictor.model.config.num_labels)]
    outputs = align.Windows(predictor.tokenizer, predictor.max_length).run(predictor.model, texts)
    out = {}
    for name, starts in (("per_word", True), ("per_token", False)):
        found = []
        for o in outputs:
            view = o if starts else align.TokenOutputs(o.text, o.offsets, o.logits)
            found.append([(e["start"], e["end"], e["type"]) for e in align.decode(view, labels)])
        cut = sum(
            cuts_a_word(t, s, e) for t, spans in zip(texts, found, strict=True) for s, e, _ in spans
        )
        out[name] = {
            "entity_f1": round(scores.entity_scores(expected, found)["overall"]["f1"], 4),
            "names_found": int(np.sum([len(f) for f in found])),
            "names_cutting_a_word": int(cut),
        }
    return out


def parse_settings(pairs: list[str]) -> dict:
    settings = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        low = value.lower()
        settings[key] = True if low == "true" else False if low == "false" else _number(value)
    return settings


def _number(value: str):
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", action="append", choices=sorted(RUNS), help="default: both")
    parser.add_argument("--rows", type=int, help="training sentences (default: all)")
    parser.add_argument("--validation-rows", type=int, default=500)
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a TrainConfig setting, e.g. max_steps=5")  # fmt: skip
    parser.add_argument("--name", help="record under this name (default: the run's)")
    parser.add_argument("--label-pieces", choices=("all", "first"), default="all",
                        help="which pieces of a word learn its label (align.Windows)")  # fmt: skip
    parser.add_argument("--keep", metavar="DIR",
                        help="write the spreadsheets (and the run folder) here and keep them")  # fmt: skip
    parser.add_argument("--files-only", action="store_true",
                        help="write and check the spreadsheets, do not train (with --keep)")  # fmt: skip
    args = parser.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    from finetune.tasks.ner import align

    align.Windows.label_pieces = args.label_pieces
    results = json.loads(OUT.read_text()) if OUT.is_file() else {}
    for name in args.run or list(RUNS):
        run = RUNS[name]
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(args.keep or tmp)
            folder.mkdir(parents=True, exist_ok=True)
            rows = args.rows or run.rows
            files, want = layout_files(run, rows, args.validation_rows, folder)
            layouts = read_layouts(files, want)
            if args.files_only:
                same = all(v["same_as_data_set"] for v in layouts.values())
                print(
                    f"{name}: layouts identical: {same}: "
                    + ", ".join(str(p) for p, _ in files.values())
                )
                continue
            path, mapping = files["entities"]
            figures = train_once(path, mapping, parse_settings(args.set), folder / "run")
            figures["label_pieces"] = args.label_pieces
            figures["whole_words"] = whole_words(folder / "run", path, mapping)
        record = {
            "data": run.folder,
            "published": run.published,
            "layouts": layouts,
            "command": "bench/ner_minilm.py " + " ".join(sys.argv[1:]),
            "measured": time.strftime("%Y-%m-%d %H:%M"),
        } | figures
        results[args.name or name] = record
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False))
        print(
            f"{args.name or name}: entity F1 {figures.get('test_entity_f1')} "
            f"(dictionary {figures.get('baseline_dictionary_entity_f1')}), "
            f"layouts identical: {all(v['same_as_data_set'] for v in layouts.values())}, "
            f"{figures['wall_seconds']} s wall, {figures['cpu_seconds']} s CPU, "
            f"whole words: {figures['whole_words']}"
        )


if __name__ == "__main__":
    main()
