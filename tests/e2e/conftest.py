"""Fixtures for the real-browser tests: the whole app under `manage.py up`, and Chromium.

    def test_it_works(app, visitor):
        page = visitor().page                      # a fresh browser context, 1280 px wide
        sign_up(page, app, "ada")
        ...
        snap(page, "01-upload")                    # test-artifacts/e2e/01-upload.png

The app runs once per test session: a temporary data folder, a free port, its own embedded
Redis and RQ worker, and LABELTUNE_LOCAL_MODELS_DIR holding a tiny BERT ("tiny-bert") that
learns the toy reviews in seconds. Chromium is Debian's (/usr/bin/chromium, or the path in
LABELTUNE_CHROMIUM); without it these tests skip, or fail when the CI variable is set.
"""

import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.e2e.appserver import BASE_DIR, CHROMIUM_ARGS, App, app_env, chromium_path, free_port
from tests.finetune.conftest import FILLER, NEGATIVE, POSITIVE, sentiment_rows
from tests.tinymodel import make_tiny_model

ARTIFACTS = BASE_DIR / "test-artifacts" / "e2e"
TRAINING_TIMEOUT_MS = 180_000
READ_TIMEOUT_MS = 60_000  # an upload read by the prediction worker
TINY_MODEL = "tiny-bert"
# Settings that make the tiny model learn the toy reviews in a few seconds.
TINY_SETTINGS = {"epochs": "20", "max_length": "32"}
TINY_ADVANCED = {"learning_rate": "0.003", "warmup_ratio": "0", "patience": "0"}
PASSWORD = "a-long-browser-password-42"
VIEWPORT = {"width": 1280, "height": 900}


def missing(reason: str) -> None:
    """On CI a missing browser is a broken machine; on a laptop it is a skip."""
    if os.getenv("CI"):
        pytest.fail(f"{reason} The browser tests must run on CI; install Debian's chromium.")
    pytest.skip(reason)


@dataclass
class Visitor:
    """One browser context and its page, with what went wrong while it browsed."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    static_failures: list[str] = field(default_factory=list)

    def watch(self) -> "Visitor":
        page = self.page

        def on_console(message) -> None:
            if message.type == "error":
                source = message.location.get("url", "")
                self.console_errors.append(f"{page.url}: {message.text} ({source})")

        def on_failed(request) -> None:
            # net::ERR_ABORTED: the browser cancelled it (the test went to the next page, or
            # closed this one, before a busy machine had sent it); what the server answered
            # is checked in on_response.
            if "/static/" in request.url and "ERR_ABORTED" not in (request.failure or ""):
                self.static_failures.append(f"{request.url}: {request.failure}")

        def on_response(response) -> None:
            if "/static/" in response.url and response.status >= 400:
                self.static_failures.append(f"{response.url}: HTTP {response.status}")

        page.on("console", on_console)
        page.on("requestfailed", on_failed)
        page.on("response", on_response)
        return self

    def assert_clean(self) -> None:
        assert self.static_failures == [], "static files failed to load"
        assert self.console_errors == [], "errors in the browser console"


@pytest.fixture(scope="session")
def chromium() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("The playwright package is not installed (pip install -r requirements-dev.txt).")
    path = chromium_path()
    if path is None:
        missing(
            "Chromium is not installed (apt-get install chromium), so the browser tests can't run."
        )
    return path


@pytest.fixture(scope="session")
def local_models_dir(chromium, tmp_path_factory) -> Path:
    """A folder of base models for the catalogue, holding one tiny BERT."""
    import torch

    torch.manual_seed(0)  # the same random start every time
    folder = tmp_path_factory.mktemp("local-models")
    words = POSITIVE + NEGATIVE + FILLER
    make_tiny_model(words, folder / TINY_MODEL)
    return folder


@pytest.fixture(scope="session")
def app(chromium, local_models_dir, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("app-data")
    env = app_env(
        LABELTUNE_DATA_DIR=str(data_dir),
        LABELTUNE_LOCAL_MODELS_DIR=str(local_models_dir),
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
    up = App(env, free_port())
    try:
        up.wait_ready()
        yield up
    finally:
        up.stop()


@pytest.fixture(scope="module")
def browser(chromium):
    # Module scope on purpose: while Playwright's sync API is open its event loop counts as
    # running, and Django then refuses database calls in later tests of the same process.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def visitor(browser):
    """Call it for a fresh browser context (a new person, with no cookies)."""
    contexts = []

    def open_visitor() -> Visitor:
        context = browser.new_context(viewport=VIEWPORT)
        context.set_default_timeout(20_000)
        contexts.append(context)
        return Visitor(context.new_page()).watch()

    yield open_visitor
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def reviews_csv() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="labeltune-e2e-"))
    path = folder / "reviews.csv"
    sentiment_rows(120).to_csv(path, index=False)
    yield path
    shutil.rmtree(folder, ignore_errors=True)


def snap(page, name: str) -> Path:
    """Save a full-page screenshot, and check no template code leaked onto the page."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    text = page.locator("body").inner_text()
    for marker in ("{#", "{%", "{{", "#}", "%}", "}}"):
        assert marker not in text, f"template code {marker!r} shows on {page.url}"
    return path


# Steps of the main path, shared by the tests. Each one checks what the person sees.


def sign_up(page, app: App, username: str, email: str = "") -> None:
    page.goto(app.url("/signup/"))
    page.fill("#id_username", username)
    page.fill("#id_email", email)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(app.url("/"))
    assert page.locator("h1").inner_text() == f"Welcome, {username}"


def sign_up_and_join(page, link: str, username: str) -> None:
    """Open an invitation link without an account, sign up on the way, and join the team."""
    page.goto(link)
    page.get_by_role("link", name="Create an account").click()
    page.fill("#id_username", username)
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(link)
    page.get_by_role("button", name="Join the team").click()


def upload(page, app: App, path: Path) -> None:
    page.goto(app.url("/data/upload/"))
    page.set_input_files("input[type=file]", str(path))
    assert page.locator("#dropzone-text").inner_text() == path.name
    page.click("#upload-button")
    page.wait_for_url(re.compile(r"/data/[0-9a-f-]{36}/$"))
    assert page.locator("h1").inner_text() == path.name
    # The worker reads the file while the page polls; the page then shows what it read.
    page.get_by_role("button", name="Check my data").wait_for(timeout=READ_TIMEOUT_MS)


def check_data(page) -> None:
    """The guessed columns are right; save them and see the health report."""
    assert page.input_value("#id_text_column") == "review"
    assert page.input_value("#id_label_column") == "sentiment"
    page.get_by_role("button", name="Check my data").click()
    page.wait_for_selector("#health")
    assert "Your data is ready for training." in page.locator("#health").inner_text()


def start_tiny_training(page, name: str) -> None:
    page.get_by_role("link", name=re.compile("Choose a model and train")).click()
    page.wait_for_url(re.compile(r"/runs/new/"))
    page.fill("#id_name", name)
    page.check(f"input[name=base_model][value='local:{TINY_MODEL}']")
    for key, value in TINY_SETTINGS.items():
        page.fill(f"#id_{key}", value)
    page.locator("details summary", has_text="Advanced").click()
    for key, value in TINY_ADVANCED.items():
        page.fill(f"#id_{key}", value)
    page.get_by_role("button", name="Start training").click()
    page.wait_for_url(re.compile(r"/runs/[0-9a-f-]{36}/$"))


def wait_until_finished(page, timeout_ms: int = TRAINING_TIMEOUT_MS) -> None:
    final = "#run-status .badge:is(.finished, .failed, .canceled)"
    page.wait_for_selector(final, timeout=timeout_ms)
    status = page.locator("#run-status").inner_text()
    assert page.locator("#run-status .badge.finished").count() == 1, status
