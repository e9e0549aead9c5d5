"""Load on the whole app, loopback only (issue 6): 50 clients predicting for 60 s while a
model trains, and 10 spreadsheets uploaded at once. Nothing leaves 127.0.0.1.

    nice .venv/bin/python bench/load.py                        # the figures in bench/RESULTS.md
    .venv/bin/python bench/load.py --clients 8 --seconds 10    # a quick look

1. Start `manage.py up` on a free loopback port with a temporary data folder, as the browser
   tests do (tests/e2e/appserver.py), with the API's per-token rate limit off
   (API_RATE_PER_MINUTE=0): the server's own limits are what is measured.
2. Make a user, a team and an API token in that database; upload a spreadsheet, map it and
   press Train through the pages, on the tiny test model (tests/tinymodel.py, saved as a local
   base model); wait for the worker to finish it. That model answers the predictions.
3. Press Train again (a longer run, sized from the first run's speed to outlast the window);
   warm up (16 predictions at once, so each web process has loaded the model: that cold start
   is reported apart), then for --seconds run --clients threads as fast as the server answers: the even ones
   POST /api/v1/models/<uuid>/predict with the token, the odd ones post the model's Try-it
   form (htmx partial) as the signed-in user. A few seconds in, --uploads threads upload a
   2,000-row spreadsheet each, all at once.
4. Count answers by status, record p50/p95/p99 latency per kind. A failure is any answer but
   200 (302 for an upload) or a 429 that says "busy, try again", any request not answered
   within --timeout seconds, and a run that does not finish within --drain seconds after.
   Writes bench/out/load.json; exits 1 on any failure.

Bounded in time: startup (up to 3 min), the first training, the window, then the drain.
"""

import argparse
import http.client
import json
import math
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid as uuidlib
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.appserver import App, app_env, free_port  # noqa: E402

PASSWORD = "load-test-password-8842"
TRAIN_FORM = {"name": "Reviews", "base_model": "local:tiny", "hub_id": "", "epochs": "8",
              "max_length": "32", "learning_rate": "0.003", "batch_size": "16",
              "warmup_ratio": "0", "weight_decay": "0.01", "patience": "0", "seed": "42",
              "validation_fraction": "0.1", "test_fraction": "0.1", "max_steps": "0", "extend_vocabulary": "auto"}  # fmt: skip
BUSY_WORDS = "Try again in a few seconds"  # webapp.catalog.predictors.BUSY


class Client:
    """One HTTP client: a new loopback connection per request, its own cookies."""

    def __init__(self, port: int, cookies: dict | None = None, timeout: float = 30):
        self.port, self.timeout = port, timeout
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        """(status, headers, body, seconds); status 0 when nothing came back in time."""
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST" and "csrftoken" in self.cookies:
            headers.setdefault("X-CSRFToken", self.cookies["csrftoken"])
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (TimeoutError, OSError) as err:
            return 0, {}, str(err).encode(), time.monotonic() - started
        finally:
            conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";")[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, response.headers, data, time.monotonic() - started

    def get(self, path: str):
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict, headers=None):
        from urllib.parse import urlencode

        body = urlencode(fields).encode()
        kind = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request("POST", path, body, kind | (headers or {}))

    def post_file(self, path: str, name: str, content: bytes):
        boundary = uuidlib.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                f"Content-Type: text/csv\r\n\r\n"
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        kind = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request("POST", path, body, kind)


def reviews_csv(rows: int, seed: int) -> bytes:
    from tests.webapp.runs_support import rows as review_rows

    lines = ["review,sentiment"] + [f'"{t}","{label}"' for t, label in review_rows(rows, seed)]
    return ("\n".join(lines) + "\n").encode()


def percentiles(seconds: list[float]) -> dict:
    if not seconds:
        return {}
    ordered = sorted(seconds)

    def at(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1)], 3)

    return {"p50": at(50), "p95": at(95), "p99": at(99), "max": round(ordered[-1], 3),
            "mean": round(statistics.fmean(ordered), 3)}  # fmt: skip


class Tally:
    """Answers by kind: statuses, latencies, and what counts as a failure."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = defaultdict(Counter)
        self.seconds = defaultdict(list)
        self.failures: list[str] = []

    def add(self, kind: str, status: int, body: bytes, seconds: float, ok_status: int) -> None:
        busy = status == 429 and BUSY_WORDS.encode() in body
        label = "429 busy" if busy else ("no answer" if status == 0 else str(status))
        with self.lock:
            self.statuses[kind][label] += 1
            self.seconds[kind].append(seconds)
            if status != ok_status and not busy:
                self.failures.append(f"{kind}: {label} {body[:200]!r}")

    def summary(self) -> dict:
        return {
            kind: {
                "answers": dict(self.statuses[kind]),
                "latency_s": percentiles(self.seconds[kind]),
            }
            for kind in sorted(self.statuses)
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument(
        "--timeout", type=float, default=60, help="a request slower than this hangs"
    )
    parser.add_argument("--drain", type=float, default=600, help="seconds for runs to finish after")
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "load.json"))
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="labeltune-load-"))
    models_dir = folder / "models"
    data_dir = folder / "var"
    env = app_env(LABELTUNE_DATA_DIR=str(data_dir), LABELTUNE_LOCAL_MODELS_DIR=str(models_dir),
                  API_RATE_PER_MINUTE="0")  # fmt: skip
    os.environ.update(
        {"LABELTUNE_DATA_DIR": str(data_dir), "LABELTUNE_LOCAL_MODELS_DIR": str(models_dir),
         "DJANGO_SETTINGS_MODULE": "webapp.settings", "DEBUG": "1"}
    )  # fmt: skip
    for name in ("REDIS_URL", "DATABASE_URL", "MEDIA_ROOT"):
        os.environ.pop(name, None)

    from tests.webapp.runs_support import make_tiny_base_model

    make_tiny_base_model(models_dir / "tiny")
    port = free_port()
    app = App(env, port)
    try:
        app.wait_ready()
        report = run_load(app, port, args)
    finally:
        app.stop()
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 1 if report["failures"] else 0


def run_load(app: App, port: int, args) -> dict:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.urls import reverse

    from tests.webapp.runs_support import rows as review_rows
    from webapp.accounts.models import ApiToken, Team
    from webapp.runs.models import TrainingRun
    from webapp.spreadsheets.models import Spreadsheet

    # 2. A user, a team, a token; a first model trained through the pages.
    user = User.objects.create_user("loadtest", "load@example.org", PASSWORD)
    team = Team.create_personal(user)
    _, secret = ApiToken.create(team, user, "load test")
    browser = Client(port, timeout=args.timeout)
    browser.get(reverse("login"))
    status, headers, _, _ = browser.post_form(
        reverse("login"), {"username": "loadtest", "password": PASSWORD,
                           "csrfmiddlewaretoken": browser.cookies.get("csrftoken", "")},
    )  # fmt: skip
    assert status == 302 and "sessionid" in browser.cookies, f"sign-in failed: {status}"

    def train(rows: int, **form) -> TrainingRun:
        status, headers, body, _ = browser.post_file(
            reverse("spreadsheets:upload"), f"reviews-{rows}.csv", reviews_csv(rows, seed=rows)
        )
        assert status == 302, f"upload answered {status}: {body[:300]!r}"
        sheet_uuid = re.search(r"/data/([0-9a-f-]{36})/", headers["Location"]).group(1)
        mapping = {"sheet": "", "task": "single_label", "text_column": "review",
                   "label_column": "sentiment"}  # fmt: skip
        status, _, body, _ = browser.post_form(reverse("spreadsheets:detail", args=[sheet_uuid]),
                                               mapping)  # fmt: skip
        assert status in (200, 302), f"mapping answered {status}: {body[:300]!r}"
        status, headers, body, _ = browser.post_form(
            reverse("runs:new", args=[sheet_uuid]), TRAIN_FORM | form
        )
        assert status == 302, f"Train answered {status}: {body[:300]!r}"
        run_uuid = re.search(r"/runs/([0-9a-f-]{36})/", headers["Location"]).group(1)
        return TrainingRun.objects.get(uuid=run_uuid)

    def wait_final(run: TrainingRun, seconds: float) -> TrainingRun:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            run.refresh_from_db()
            if run.is_final:
                break
            time.sleep(1)
        return run

    started = time.monotonic()
    first = wait_final(train(200), args.drain)
    assert first.status == "finished", f"the first run ended {first.status}: {first.message}"
    model = first.model
    first_seconds = time.monotonic() - started
    steps = max([point["step"] for point in first.history] or [1])
    per_step = first.metrics.get("total_seconds", first_seconds) / max(steps, 1)
    print(f"First model trained in {first_seconds:.0f} s ({steps} steps).", flush=True)

    # 3. A longer run, busy through the window (three times its length at the first run's
    #    pace: the load slows it down, but the drain bounds the wait).
    long_steps = max(50, int(3 * args.seconds / max(per_step, 1e-3)))
    background = train(400, epochs="200", max_steps=str(long_steps))
    predict_url = reverse("api:predict", args=[model.uuid])
    try_url = reverse("catalog:try", args=[model.uuid])
    tally = Tally()
    texts = [text for text, _ in review_rows(200, seed=7)]

    def predictor(number: int) -> None:
        rng = random.Random(number)
        client = Client(port, browser.cookies, timeout=args.timeout)
        while time.monotonic() < stop_at:
            text = rng.choice(texts)
            if number % 2 == 0:
                body = json.dumps({"inputs": [text]}).encode()
                answer = client.request(
                    "POST",
                    predict_url,
                    body,
                    {"Authorization": f"Bearer {secret}", "Content-Type": "application/json"},
                )
                tally.add("api predict", answer[0], answer[2], answer[3], 200)
            else:
                answer = client.post_form(try_url, {"text": text}, {"HX-Request": "true"})
                tally.add("try it", answer[0], answer[2], answer[3], 200)
            if answer[0] == 429:
                time.sleep(float(answer[1].get("Retry-After", 1)) * rng.random())

    gate = threading.Barrier(args.uploads)

    def uploader(number: int) -> None:
        client = Client(port, browser.cookies, timeout=args.timeout)
        content = reviews_csv(2000, seed=1000 + number)
        gate.wait()
        answer = client.post_file(reverse("spreadsheets:upload"), f"load-{number}.csv", content)
        tally.add("upload", answer[0], answer[2], answer[3], 302)

    # Warm up: each web process loads the model on its first prediction (seconds, once);
    # that cold start is reported apart from the window.
    def warm(number: int) -> None:
        client = Client(port, browser.cookies, timeout=max(args.timeout, 300))
        if number % 2 == 0:
            body = json.dumps({"inputs": [texts[0]]}).encode()
            answer = client.request("POST", predict_url, body, {
                "Authorization": f"Bearer {secret}", "Content-Type": "application/json"})  # fmt: skip
        else:
            answer = client.post_form(try_url, {"text": texts[0]}, {"HX-Request": "true"})
        tally.add("warm-up (model loading)", answer[0], answer[2], answer[3], 200)

    warmers = [threading.Thread(target=warm, args=(n,)) for n in range(16)]
    for thread in warmers:
        thread.start()
    for thread in warmers:
        thread.join()
    stop_at = time.monotonic() + args.seconds
    threads = [threading.Thread(target=predictor, args=(n,)) for n in range(args.clients)]
    for thread in threads:
        thread.start()
    time.sleep(min(10, args.seconds / 4))
    uploads = [threading.Thread(target=uploader, args=(n,)) for n in range(args.uploads)]
    for thread in uploads:
        thread.start()
    states = []
    while time.monotonic() < stop_at:
        background.refresh_from_db()
        states.append((background.status, background.progress.get("step")))
        time.sleep(2)
    for thread in threads + uploads:
        thread.join()

    # 4. Every run must end finished; every upload must be a spreadsheet.
    background = wait_final(background, args.drain)
    if background.status != "finished":
        tally.failures.append(f"training run ended {background.status}: {background.message}")
    trained_during = [s for status, s in states if status == "running" and s]
    uploaded = Spreadsheet.objects.filter(name__startswith="load-").count()
    if uploaded != tally.statuses["upload"]["302"]:
        tally.failures.append(
            f"{uploaded} uploaded spreadsheets for {tally.statuses['upload']['302']} answers"
        )
    return {
        "clients": args.clients,
        "seconds": args.seconds,
        "uploads": args.uploads,
        "kinds": tally.summary(),
        "predictions_per_second": round(
            sum(sum(tally.statuses[k].values()) for k in ("api predict", "try it")) / args.seconds,
            1,
        ),
        "training": {
            "first_run_seconds": round(first_seconds),
            "background_status": background.status,
            "background_steps": max([p["step"] for p in background.history] or [0]),
            "steps_during_window": (min(trained_during), max(trained_during))
            if trained_during
            else None,
        },
        "runs_not_finished": TrainingRun.objects.exclude(status="finished").count(),
        "failures": tally.failures[:50],
        "failure_count": len(tally.failures),
    }


if __name__ == "__main__":
    sys.exit(main())
