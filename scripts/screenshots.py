"""Remake the README screenshots from a real training run, in Chromium.

    .venv/bin/python scripts/screenshots.py            # writes docs/screenshots/*.png
    .venv/bin/python scripts/screenshots.py --rows 500 # a quicker, smaller run

Steps: cut the first rows of ../shared/datasets/sst2/train.tsv into an .xlsx; start
`manage.py up` on a free port with a temporary data folder; in Chromium sign up, upload the
file, check the columns, train the bundled default model with the default settings (3 to 5
minutes on a 2-core CPU), and capture each page on the way. Needs Debian's Chromium
(/usr/bin/chromium, or the path in LABELTUNE_CHROMIUM) and the dev requirements.
"""

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.e2e.appserver import CHROMIUM_ARGS, App, app_env, chromium_path, free_port  # noqa: E402

BASE_DIR = Path(__file__).resolve().parent.parent
SST2 = BASE_DIR.parent / "shared" / "datasets" / "sst2" / "train.tsv"
OUT = BASE_DIR / "docs" / "screenshots"
VIEWPORT = {"width": 1280, "height": 860}
MAX_HEIGHT = 1500  # longer pages are cropped to their useful top part
MAX_BYTES = 300_000
PASSWORD = "screenshots-are-fun-42"
TRY_TEXT = "A warm, funny and beautifully acted film."
TRAINING_TIMEOUT = 30 * 60


def make_workbook(rows: int, folder: Path) -> Path:
    frame = pd.read_csv(SST2, sep="\t", quoting=3, dtype=str, keep_default_na=False)
    path = folder / f"sst2-{rows}.xlsx"
    frame.head(rows).to_excel(path, index=False, sheet_name="reviews")
    return path


def shoot(page, name: str, bottom_of: str | None = None) -> None:
    """Save a 1280 px wide PNG: the whole page down to the element `bottom_of` (or to the
    end), at most MAX_HEIGHT tall."""
    height = page.evaluate("document.documentElement.scrollHeight")
    if bottom_of:
        box = page.locator(bottom_of).bounding_box()
        scroll = page.evaluate("window.scrollY")
        height = box["y"] + scroll + box["height"] + 12
    clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": min(height, MAX_HEIGHT)}
    path = OUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, clip=clip)
    size = path.stat().st_size
    note = "  (over 300 KB: crop it)" if size > MAX_BYTES else ""
    print(f"  {path.relative_to(BASE_DIR)}  {size // 1024} KB{note}")


def wait_mid_training(page) -> None:
    """Until the progress bar is past a third and the live curve has a few points."""
    deadline = time.monotonic() + TRAINING_TIMEOUT
    while time.monotonic() < deadline:
        if page.locator("#run-status .badge:is(.finished, .failed, .canceled)").count():
            raise SystemExit("The run ended before a mid-training screenshot could be taken.")
        bar = page.locator("#run-status .progress")
        history = page.locator("#run-history")
        if bar.count() and history.count():
            percent = int(bar.get_attribute("aria-valuenow") or 0)
            points = json.loads(history.text_content() or "[]")
            if percent >= 35 and len(points) >= 5 and any(p.get("val") for p in points):
                page.wait_for_timeout(500)  # let the chart redraw after the last swap
                return
        page.wait_for_timeout(2000)
    raise SystemExit("Training did not get going in time.")


def walk(page, base: str, workbook: Path) -> None:
    # 1. Sign up, then the upload page with the file picked.
    page.goto(base + "/signup/")
    page.fill("#id_username", "maria")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    page.goto(base + "/data/upload/")
    page.set_input_files("input[type=file]", str(workbook))
    shoot(page, "01-upload", bottom_of=".card")

    # 2. Upload; keep the guessed columns; the data check appears.
    page.click("#upload-button")
    page.wait_for_url(re.compile(r"/data/[0-9a-f-]{36}/$"), timeout=120_000)
    page.get_by_role("button", name="Check my data").click()
    page.wait_for_selector("#health", timeout=120_000)
    shoot(page, "02-mapping-health", bottom_of=".card:has(#health)")

    # 3. The model choice, with the default settings.
    page.get_by_role("link", name=re.compile("Choose a model and train")).click()
    page.wait_for_url(re.compile(r"/runs/new/"))
    shoot(page, "03-new-run")
    page.get_by_role("button", name="Start training").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}/$"))

    # 4. The run page while it trains, then wait for the end.
    started = time.monotonic()
    wait_mid_training(page)
    shoot(page, "04-run-training")
    page.wait_for_selector(
        "#run-status .badge:is(.finished, .failed, .canceled)", timeout=TRAINING_TIMEOUT * 1000
    )
    print(f"  training took {time.monotonic() - started:.0f} s")
    if not page.locator("#run-status .badge.finished").count():
        raise SystemExit("The run did not finish: " + page.locator("#run-status").inner_text())

    # 5. The evaluation, down to the confusion matrix.
    page.get_by_role("link", name="Read the evaluation").click()
    page.wait_for_url(re.compile(r"/evaluation/$"))
    page.wait_for_timeout(500)  # the chart draws after load
    shoot(page, "05-evaluation", bottom_of="table.confusion")

    # 6. The model page with an answer from Try it.
    page.get_by_role("link", name="Try the model").click()
    page.wait_for_url(re.compile(r"/models/[0-9a-f-]{36}/$"))
    page.fill("#try textarea", TRY_TEXT)
    page.get_by_role("button", name="Label this text").click()
    page.wait_for_selector("#try-result p.big", timeout=120_000)
    shoot(page, "06-model-try", bottom_of="#try")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000, help="rows of SST-2 to train on")
    args = parser.parse_args()
    chromium = chromium_path()
    if chromium is None:
        sys.exit("Chromium is not installed: apt-get install chromium, or set LABELTUNE_CHROMIUM.")
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="labeltune-screenshots-"))
    app = None
    try:
        workbook = make_workbook(args.rows, work)
        app = App(app_env(LABELTUNE_DATA_DIR=str(work / "var")), free_port())
        app.wait_ready()
        base = app.base_url
        print(f"LabelTune is running at {base}; writing {OUT.relative_to(BASE_DIR)}/")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport=VIEWPORT)
            context.set_default_timeout(30_000)
            walk(context.new_page(), base, workbook)
            browser.close()
    finally:
        if app is not None:
            app.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
