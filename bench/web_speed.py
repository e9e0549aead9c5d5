"""The parts of bench/speed.py that go through a real server (issue 10).

    .venv/bin/python -m bench.speed --parts http,memory,click

Each part starts the whole app as `manage.py up` does (embedded Redis, one RQ worker that
preloads torch, gunicorn with 2 processes x 4 threads) with production settings (DEBUG=0,
SQLite in a temporary folder), on a loopback port, and talks to it as a browser or a
program would (bench/load.py's Client: the session cookie, the CSRF token, the API token).

- http:   one prediction at a time, warm, MiniLM (bench.speed_common.run_folder()): 300 SST-2 dev
          texts through the Try-it form (an htmx POST as the signed-in user) and through
          POST /api/v1/models/<uuid>/predict (a Bearer token); p50 / p95 in milliseconds.
- memory: three copies of that run folder as three models, Try-it on each through the
          server; the peak resident memory (VmHWM) of the gunicorn process that served them.
- click:  2,000 SST-2 rows uploaded, mapped and trained with the Train page's defaults (the
          bundled MiniLM); the seconds from posting the Train form to the run's first
          recorded training step, split into waiting for the worker and loading. The first
          click after the worker started is reported apart; later ones are "warm".
"""

import json
import os
import re
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.load import Client
from tests.e2e.appserver import App, app_env, free_port

PASSWORD = "speed-bench-password-5521"
HTTP_TEXTS, WARM_UP = 300, 20
MODELS_IN_MEMORY = 3  # the web process's predictor cache keeps 3 models by default
CLICK_ROWS, WARM_CLICKS = 2000, 3
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",  # plain HTTP on loopback
    "SECURE_COOKIES": "0",
    "API_RATE_PER_MINUTE": "0",  # the server's own speed, not the per-token limit
}


@contextmanager
def server():
    """`manage.py up` on a free port with a fresh data folder; this process's Django
    (the ORM, for the user, team, token and model rows) uses the same database."""
    folder = Path(tempfile.mkdtemp(prefix="labeltune-speed-"))
    env = PRODUCTION | {"LABELTUNE_DATA_DIR": str(folder / "var")}
    for name in ("REDIS_URL", "DATABASE_URL", "MEDIA_ROOT", "DJANGO_SETTINGS_MODULE"):
        os.environ.pop(name, None)
    os.environ.update(env | {"DJANGO_SETTINGS_MODULE": "webapp.settings"})
    port = free_port()
    app = App(app_env(**env), port)
    try:
        app.wait_ready()
        import django

        django.setup()
        yield app, port
    finally:
        app.stop()


def sign_in(port: int) -> tuple[Client, str]:
    """A signed-in browser (session and CSRF cookies) and an API token of the same team."""
    from django.contrib.auth.models import User
    from django.urls import reverse

    from webapp.accounts.models import ApiToken, Team

    user = User.objects.create_user("speed", "speed@example.org", PASSWORD)
    team = Team.create_personal(user)
    _, secret = ApiToken.create(team, user, "speed bench")
    browser = Client(port)
    browser.get(reverse("login"))
    fields = {"username": "speed", "password": PASSWORD,
              "csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")}  # fmt: skip
    status, _, _, _ = browser.post_form(reverse("login"), fields)
    assert status == 302 and "sessionid" in browser.cookies, f"sign-in answered {status}"
    return browser, secret


def add_model(folder: Path, name: str):
    """A finished run and its model row over a copy of `folder` (as the tests make them)."""
    from django.contrib.auth.models import User

    from tests.webapp.runs_support import finished_model

    user = User.objects.get(username="speed")
    return finished_model(user.memberships.first().team, user, name=name, source=folder)


def try_it(browser: Client, model, text: str) -> tuple[int, float]:
    """The Try-it form as htmx posts it: the form fields and the CSRF header."""
    from django.urls import reverse

    url = reverse("catalog:try", args=[model.uuid])
    fields = {"csrfmiddlewaretoken": browser.cookies["csrftoken"], "text": text}
    status, _, body, seconds = browser.post_form(url, fields, {"HX-Request": "true"})
    assert status == 200 and b'role="alert"' not in body, body[:300]
    return status, seconds


def api_predict(client: Client, secret: str, model, text: str) -> tuple[int, float]:
    from django.urls import reverse

    body = json.dumps({"inputs": [text]}).encode()
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"}
    status, _, answer, seconds = client.request(
        "POST", reverse("api:predict", args=[model.uuid]), body, headers
    )
    assert status == 200, answer[:300]
    return status, seconds


def part_http() -> dict:
    from bench.speed_common import percentiles, run_folder, sst2

    folder = run_folder()
    texts = sst2("dev").sentence.tolist()[:HTTP_TEXTS]
    figures = {}
    with server() as (_, port):
        browser, secret = sign_in(port)
        model = add_model(folder, "SST-2")
        program = Client(port)
        for name, call in (
            ("try", lambda text: try_it(browser, model, text)),
            ("api", lambda text: api_predict(program, secret, model, text)),
        ):
            for text in texts[:WARM_UP]:  # each gunicorn process loads the model once
                call(text)
            times = [call(text)[1] for text in texts]
            figures[f"{name}_p50_ms"], figures[f"{name}_p95_ms"] = percentiles(times)
    return figures


def gunicorn_workers(app: App) -> list:
    """The gunicorn processes that answer requests (the children of its master)."""
    import psutil

    found = []
    for child in psutil.Process(app.proc.pid).children(recursive=True):
        try:
            command = " ".join(child.cmdline())
            parent = child.parent()
        except psutil.Error:
            continue
        if "gunicorn" in command and parent and "gunicorn" in " ".join(parent.cmdline()):
            found.append(child)
    return found


def peak_rss_mb(process) -> float:
    """VmHWM: the most resident memory the process ever had."""
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def part_memory() -> dict:
    from bench.speed_common import run_folder, sst2

    folder = run_folder()
    texts = sst2("dev").sentence.tolist()[:WARM_UP]
    with server() as (app, port):
        browser, _ = sign_in(port)
        models = [add_model(folder, f"SST-2 copy {n}") for n in range(1, MODELS_IN_MEMORY + 1)]
        workers = gunicorn_workers(app)
        before = max(peak_rss_mb(w) for w in workers)
        for text in texts:  # new connections each time: both gunicorn processes load all three
            for model in models:
                try_it(browser, model, text)
        peaks = [peak_rss_mb(w) for w in workers]
    return {"web_peak_rss_mb": max(peaks), "web_idle_rss_mb": before,
            "web_processes": len(peaks)}  # fmt: skip


def sst2_csv(rows: int) -> bytes:
    from bench.speed_common import sst2

    return sst2("train").head(rows)[["sentence", "label"]].to_csv(index=False).encode()


def train_form(sheet_uuid: str) -> dict:
    """The Train page's fields with their defaults, as a browser posts them untouched."""
    from webapp.runs.forms import NewRunForm

    form = NewRunForm(task="single_label", initial_name="SST-2")
    fields = {name: form[name].value() for name in form.fields}
    return {k: "" if v is None else str(v) for k, v in fields.items()}


def click_train(browser: Client, sheet_uuid: str) -> dict:
    """Post the Train form; poll the run's row until it records a training step."""
    from django.urls import reverse

    from webapp.runs.models import TrainingRun

    started = time.monotonic()
    status, headers, body, _ = browser.post_form(
        reverse("runs:new", args=[sheet_uuid]), train_form(sheet_uuid)
    )
    assert status == 302, f"Train answered {status}: {body[:300]!r}"
    answered = time.monotonic() - started
    run_uuid = re.search(r"/runs/([0-9a-f-]{36})/", headers["Location"]).group(1)
    seen: dict[str, float] = {}
    while time.monotonic() - started < 600:
        run = TrainingRun.objects.get(uuid=run_uuid)
        seen.setdefault(run.status, time.monotonic() - started)
        if run.progress.get("step"):
            break
        assert run.status in ("created", "queued", "running"), f"{run.status}: {run.message}"
        time.sleep(0.05)
    first_step = time.monotonic() - started
    run.cancel()  # the worker stops at its next cancel check; the next click waits for it
    while not TrainingRun.objects.get(pk=run.pk).is_final:
        time.sleep(0.2)
    return {"answered_s": answered, "running_s": seen.get("running", first_step),
            "first_step_s": first_step}  # fmt: skip


def part_click() -> dict:
    from django.urls import reverse

    with server() as (_, port):
        browser, _ = sign_in(port)
        status, headers, body, _ = browser.post_file(
            reverse("spreadsheets:upload"), "sst2.csv", sst2_csv(CLICK_ROWS)
        )
        assert status == 302, f"upload answered {status}: {body[:300]!r}"
        sheet_uuid = re.search(r"/data/([0-9a-f-]{36})/", headers["Location"]).group(1)
        mapping = {"sheet": "", "task": "single_label", "text_column": "sentence",
                   "label_column": "label"}  # fmt: skip
        status, _, body, _ = browser.post_form(
            reverse("spreadsheets:detail", args=[sheet_uuid]), mapping
        )
        assert status in (200, 302), f"mapping answered {status}: {body[:300]!r}"
        first = click_train(browser, sheet_uuid)
        warm = [click_train(browser, sheet_uuid) for _ in range(WARM_CLICKS)]
    figures = {f"first_{key}": value for key, value in first.items()}
    for key in first:
        figures[f"warm_{key}"] = sorted(w[key] for w in warm)[len(warm) // 2]
    return figures


def table_rows(figures: dict) -> list[str]:
    """bench/RESULTS.md rows of the parts above, beside the in-process figures when measured."""
    rows = []
    h, p = figures.get("http"), figures.get("predict")
    if h:
        beside = (
            f"in-process p50 {p['labeltune_int8_p50_ms']:.1f} ms (int8), "
            f"{p['labeltune_p50_ms']:.1f} ms (full); pipeline in-process p50 "
            f"{p['pipeline_p50_ms']:.1f} ms"
            if p
            else ""
        )
        rows.append(
            f"| one prediction over HTTP, warm (gunicorn, production settings) | Try it p50 "
            f"{h['try_p50_ms']:.1f} ms, p95 {h['try_p95_ms']:.1f} ms; API p50 "
            f"{h['api_p50_ms']:.1f} ms, p95 {h['api_p95_ms']:.1f} ms | {beside} | (p50 ≤ 40 ms) |"
        )
    m = figures.get("memory")
    if m:
        rows.append(
            f"| memory, web process serving 3 models | {m['web_peak_rss_mb']:.0f} MB peak "
            f"({m['web_idle_rss_mb']:.0f} MB before the first prediction) | | (≤ 800 MB) |"
        )
    c = figures.get("click")
    if c:
        rows.append(
            f"| Train click to the first training step, warm worker | {c['warm_first_step_s']:.1f} s "
            f"(the worker took the job after {c['warm_running_s']:.1f} s); first click after "
            f"the worker started: {c['first_first_step_s']:.1f} s | | (≤ 10 s) |"
        )
    return rows
