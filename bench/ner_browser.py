"""The benchmark's entity spreadsheets, uploaded and trained in a real browser.

    .venv/bin/python bench/ner_browser.py --run wnut17 --train token_rows
    .venv/bin/python bench/ner_browser.py --run resume_ner --train token_lists
    .venv/bin/python bench/ner_browser.py --run wnut17 --train none     # upload and check only

bench/ner_minilm.py trains through finetune.train directly. This one does what a person
does, on the same files: it writes the three spreadsheets of a data set (layout 1, names
listed, .xlsx; layout 2, a token per row, .csv; layout 3, tokens and tags lists, .csv; with
the benchmark's split column), starts the whole app with `manage.py up` (its own SQLite,
embedded Redis and RQ worker, the bundled MiniLM, CPU), and in Debian's Chromium signs up,
uploads each file, keeps the columns and the task the page suggests, and runs the data
check. It records what the page guessed and the names per type it counted, which must be
the same for the three files. Then it trains one of them (--train) with the page's default
settings, waits for the run to finish, reads the evaluation page's "All types" row, tries a
sentence in Try it, and compares the run folder's metrics.json with the figure
bench/ner_minilm.py records for the same data (bench/out/ner_minilm.json, when present).

Results are merged by name into bench/out/ner_browser.json and screenshots are saved in
bench/out/ner_browser/ (wnut17-entities-try-window.png is the README's 07-ner-try.png); one
line per step is printed.
"""

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ner_minilm import RUNS, layout_files  # noqa: E402
from tests.e2e.appserver import CHROMIUM_ARGS, App, app_env, chromium_path, free_port  # noqa: E402
from tests.e2e.conftest import sign_up, upload  # noqa: E402

OUT = ROOT / "bench" / "out" / "ner_browser.json"
SHOTS = ROOT / "bench" / "out" / "ner_browser"
TRAINING_TIMEOUT_MS = 60 * 60 * 1000
# The layouts' own fields on the mapping page (webapp/spreadsheets/forms.py).
FIELDS = ["task", "entity_layout", "text_column", "entities_column", "tags_column",
          "sentence_column", "split_column"]  # fmt: skip
TRY = {
    "wnut17": "Watching Game of Thrones with Justin Bieber in New York tonight",
    "resume_ner": "张伟，男，1975年出生，中国国籍，本科学历，现任华为技术有限公司高级工程师。",
}


def say(line: str) -> None:
    print(time.strftime("%H:%M:%S"), line, flush=True)


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def upload_and_check(page, app: App, path: Path, name: str) -> dict:
    """Upload, keep what the page suggests, run the data check; what the page showed."""
    started = time.monotonic()
    upload(page, app, path)  # the browser tests' own steps
    uploaded = time.monotonic() - started
    guessed = {f: page.input_value(f"#id_{f}") for f in FIELDS if page.locator(f"#id_{f}").count()}
    suggestion = page.locator(".card", has=page.locator("#id_task")).inner_text()
    page.get_by_role("button", name="Check my data").click()
    page.wait_for_selector("#health", timeout=300_000)
    health = page.locator("#health")
    types = {}
    for row in health.locator("table.entity-types tbody tr").all_inner_texts():
        cells = [c.strip() for c in row.split("\t")]
        if len(cells) >= 2 and cells[1].replace(",", "").isdigit():
            types[cells[0]] = int(cells[1].replace(",", ""))
    shot(page, name)
    figures = health.locator(".figures").inner_text()
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "guessed": guessed,
        "suggested": "We suggest" in suggestion,
        "ready": "Your data is ready for training." in health.inner_text(),
        "reading": health.locator("#entity-reading").inner_text(),
        "rows_used": figures.split("\n")[0].strip(),
        "entity_types": types,
        "upload_seconds": round(uploaded, 1),
        "upload_and_check_seconds": round(time.monotonic() - started, 1),
        "url": page.url,
    }


def train_in_browser(page, base: str, sheet_url: str, name: str) -> dict:
    """Train with the page's defaults; the evaluation's overall row and the run's own URL."""
    page.goto(sheet_url)
    page.get_by_role("link", name=re.compile("Choose a model and train")).click()
    page.wait_for_url(re.compile(r"/runs/new/"))
    page.fill("#id_name", name)
    defaults = {
        f: page.input_value(f"#id_{f}") for f in ("epochs", "max_length", "extend_vocabulary")
    }
    note = page.locator(".language-note, .note, .warning").all_inner_texts()
    shot(page, f"{name}-train-page")
    clicked = time.monotonic()
    page.get_by_role("button", name="Start training").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}/$"))
    run_url = page.url
    final = "#run-status .badge:is(.finished, .failed, .canceled)"
    page.wait_for_selector(final, timeout=TRAINING_TIMEOUT_MS)
    seconds = time.monotonic() - clicked
    status = page.locator("#run-status").inner_text()
    shot(page, f"{name}-run")
    result = {"defaults": defaults, "notes": note, "run_url": run_url,
              "click_to_finished_seconds": round(seconds, 1)}  # fmt: skip
    if page.locator("#run-status .badge.finished").count() != 1:
        return result | {"status": status}
    result["status"] = "finished"
    result["settings"] = page.locator("main").inner_text().split("Settings")[-1][:600]
    page.get_by_role("link", name="Read the evaluation").click()
    page.wait_for_url(re.compile(r"/evaluation/$"))
    overall = page.locator("table.entity-types tfoot tr").inner_text().split("\t")
    result["page_overall"] = dict(zip(["types", "precision", "recall", "f1", "names"],
                                      [c.strip() for c in overall], strict=False))  # fmt: skip
    result["headline"] = page.locator(".card p.big").first.inner_text()
    shot(page, f"{name}-evaluation")
    return result


def try_it(page, text: str, name: str) -> dict:
    page.get_by_role("link", name="Try the model").click()
    page.wait_for_url(re.compile(r"/models/[0-9a-f-]{36}/$"))
    page.fill("#try textarea[name=text]", text)
    started = time.monotonic()
    page.locator("#try button[type=submit]").click()
    result = page.locator("#try-result")
    result.locator("p.big").wait_for(timeout=120_000)
    marks = [
        {
            "text": m.inner_text(),
            "type": m.get_attribute("data-type"),
            "title": m.get_attribute("title"),
        }  # fmt: skip
        for m in result.locator("p.entities mark.ent").all()
    ]
    shot(page, f"{name}-try")
    page.screenshot(path=str(SHOTS / f"{name}-try-window.png"))  # README's 07-ner-try.png
    return {"text": text, "entities": marks, "answer_seconds": round(time.monotonic() - started, 2)}


def run_folder(data_dir: Path, run_url: str) -> Path | None:
    """The finished run's folder in the app's data folder."""
    uuid = run_url.rstrip("/").rsplit("/", 1)[-1]
    return next((p.parent for p in data_dir.rglob(f"{uuid}/metrics.json")), None)


def pipeline_answer(folder: Path, text: str) -> list[dict]:
    """What transformers' own pipeline finds in `text` with the run folder."""
    from transformers import pipeline

    find = pipeline("token-classification", model=str(folder), aggregation_strategy="first")
    return [
        {
            "text": text[e["start"] : e["end"]],
            "type": e["entity_group"],
            "confidence": round(float(e["score"]), 2),
        }  # fmt: skip
        for e in find(text)
    ]


def run_metrics(folder: Path) -> dict:
    """The figures of the finished run's metrics.json that the record keeps."""
    metrics = json.loads((folder / "metrics.json").read_text())
    keep = ("test_entity", "test_token", "baseline_dictionary", "train_rows", "validation_rows",
            "test_rows", "epochs_run", "train_seconds", "added_characters")  # fmt: skip
    return {k: v for k, v in metrics.items() if k.startswith(keep)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", choices=sorted(RUNS), default="wnut17")
    parser.add_argument("--train", choices=["entities", "token_rows", "token_lists", "none"],
                        default="token_rows", help="the layout to train in the browser")  # fmt: skip
    parser.add_argument("--rows", type=int, help="training sentences (default: all)")
    parser.add_argument("--validation-rows", type=int, default=500)
    parser.add_argument("--name", help="record under this name (default: RUN-LAYOUT)")
    args = parser.parse_args()
    run = RUNS[args.run]
    name = args.name or f"{args.run}-{args.train}"
    chromium = chromium_path()
    if chromium is None:
        sys.exit("Chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    record = {"data": run.folder, "published": run.published,
              "command": "bench/ner_browser.py " + " ".join(sys.argv[1:]),
              "measured": time.strftime("%Y-%m-%d %H:%M")}  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        folder, data_dir = Path(tmp) / "files", Path(tmp) / "app"
        folder.mkdir()
        files, _ = layout_files(run, args.rows or run.rows, args.validation_rows, folder)
        env = app_env(LABELTUNE_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1",
                      TOKENIZERS_PARALLELISM="false", OMP_WAIT_POLICY="PASSIVE")  # fmt: skip
        app = App(env, free_port())
        try:
            app.wait_ready()
            say(f"app ready at {app.base_url}")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
                page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
                page.set_default_timeout(60_000)
                sign_up(page, app, "bench")
                layouts = {}
                for layout, (path, _) in files.items():
                    seen = upload_and_check(page, app, path, f"{args.run}-{layout}")
                    layouts[layout] = seen
                    say(f"{layout}: {seen['guessed']} → {seen['entity_types']}")
                record["layouts"] = layouts
                counts = [json.dumps(v["entity_types"], sort_keys=True) for v in layouts.values()]
                record["same_names_in_every_layout"] = len(set(counts)) == 1
                if args.train != "none":
                    trained = train_in_browser(page, app.base_url, layouts[args.train]["url"], name)
                    say(f"training: {trained.get('status')} in "
                        f"{trained['click_to_finished_seconds']} s")  # fmt: skip
                    if trained.get("status") == "finished":
                        trained["try_it"] = try_it(page, TRY[args.run], name)
                        folder = run_folder(data_dir, trained["run_url"])
                        trained["metrics"] = run_metrics(folder)
                        trained["pipeline"] = pipeline_answer(folder, TRY[args.run])
                    record["trained"] = {"layout": args.train} | trained
                browser.close()
        finally:
            app.stop()
            record["load_average"] = [round(x, 2) for x in os.getloadavg()]
    script = ROOT / "bench" / "out" / "ner_minilm.json"
    if script.is_file():
        earlier = json.loads(script.read_text()).get(args.run, {})
        record["ner_minilm_entity_f1"] = earlier.get("test_entity_f1")
    results = json.loads(OUT.read_text()) if OUT.is_file() else {}
    results[name] = record
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    metrics = record.get("trained", {}).get("metrics", {})
    say(
        f"{name}: same names in every layout: {record['same_names_in_every_layout']}; "
        f"entity F1 {metrics.get('test_entity_f1')} "
        f"(dictionary {metrics.get('baseline_dictionary_entity_f1')}, "
        f"finetune.train on the same data: {record.get('ner_minilm_entity_f1')})"
    )


if __name__ == "__main__":
    main()
