"""End to end on real processes: a real redis-server, a real RQ worker, real tiny training.

The test process drives the web side with Django's test client; the worker is
`manage.py rqworker training predictions` in a subprocess. Both must see one database, and
pytest-django's SQLite test database lives in memory, invisible to other processes. So
`shared_db` migrates a SQLite *file* in a temp folder (with `manage.py migrate`, as an
operator would), points this process's default connection at that file for the test (the
in-memory connection is set aside and put back afterwards), and gives the worker the same
file through DATABASE_URL. Run against PostgreSQL (DATABASE_URL=postgres://...), the shared
database is a fresh PostgreSQL database on the same server instead, dropped afterwards.
The worker also gets this test's REDIS_URL and LABELTUNE_DATA_DIR, so uploaded files and
run directories land in one shared folder.
"""

import contextlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from tests.waiting import wait_gone, wait_until
from tests.webapp.runs_support import queues_for, redis_process, rows_csv, tiny_base_model
from webapp.queue.maintenance import repair_runs
from webapp.runs.models import WORKER_DIED

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
FORM = {"name": "Reviews", "base_model": "local:tiny", "hub_id": "", "epochs": "4",
        "max_length": "32", "learning_rate": "0.003", "batch_size": "16", "warmup_ratio": "0",
        "weight_decay": "0.01", "patience": "0", "seed": "42", "validation_fraction": "0.1",
        "test_fraction": "0.1", "max_steps": "0", "extend_vocabulary": "auto"}  # fmt: skip


@pytest.fixture
def redis_proc():
    """The real redis-server of the test; fault tests pause and restart it."""
    with redis_process() as server:
        yield server


@pytest.fixture
def shared(tmp_path, django_db_blocker, redis_proc):
    """Redis, a migrated SQLite file, shared folders, and this process switched onto them."""
    from django.db import connections

    data_dir, models_dir = tmp_path / "var", tmp_path / "models"
    models_dir.mkdir()
    data_dir.mkdir()
    (models_dir / "tiny").symlink_to(tiny_base_model())
    conn = connections["default"]
    url = redis_proc.url
    with shared_database(conn, data_dir, django_db_blocker) as (name, db):
        env = {k: v for k, v in os.environ.items() if k not in ("MEDIA_ROOT",)} | {
            "DJANGO_SETTINGS_MODULE": "tests.settings", "LABELTUNE_DATA_DIR": str(data_dir),
            "DATABASE_URL": db, "REDIS_URL": url, "PYTHONUNBUFFERED": "1",
        }  # fmt: skip
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        with django_db_blocker.unblock():
            saved = conn.connection, dict(conn.settings_dict)
            conn.connection = None
            conn.settings_dict["NAME"] = name
            overrides = override_settings(
                RQ_QUEUES=queues_for(url), MEDIA_ROOT=data_dir / "media",
                LABELTUNE_LOCAL_MODELS_DIR=str(models_dir),
            )  # fmt: skip
            try:
                with overrides:
                    yield env
            finally:
                conn.close()
                conn.connection, conn.settings_dict = saved[0], saved[1]


@contextlib.contextmanager
def shared_database(conn, data_dir: Path, django_db_blocker):
    """(NAME, DATABASE_URL) of a database this process and the worker both reach."""
    if conn.vendor == "sqlite":
        db_file = data_dir / "db.sqlite3"
        yield str(db_file), f"sqlite:///{db_file}"
        return
    cfg = conn.settings_dict
    name = f"labeltune_worker_{os.getpid()}"
    with django_db_blocker.unblock(), conn._nodb_cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = cfg["USER"] + (f":{cfg['PASSWORD']}" if cfg["PASSWORD"] else "")
        yield name, f"postgres://{auth}@{cfg['HOST']}:{cfg['PORT'] or 5432}/{name}"
    finally:
        with django_db_blocker.unblock(), conn._nodb_cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def worker(shared, tmp_path):
    with rq_worker(shared, tmp_path / "worker.log") as process:
        yield process


@contextlib.contextmanager
def rq_worker(env: dict, log_path: Path):
    """`manage.py rqworker` in a subprocess, stopped (SIGTERM, then SIGKILL) afterwards."""
    log = log_path.open("w")
    args = [sys.executable, "manage.py", "rqworker", "training", "predictions"]
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        log.close()


def wait_for(check, timeout: float, what: str, worker=None, every: float = 0.5):
    """check()'s first true value, asked every `every` seconds; fails after `timeout`, or at
    once when the `worker` process has exited."""

    def checked():
        value = check()
        if not value and worker is not None and worker.poll() is not None:
            pytest.fail(f"The worker exited while waiting for {what}.")
        return value

    return wait_until(checked, timeout, what, every)


def logged_in_client() -> Client:
    from django.contrib.auth.models import User

    from webapp.accounts.models import Team

    user = User.objects.create_user("alice", "alice@example.org", "pw-alice-1234")
    Team.create_personal(user)
    client = Client()
    client.force_login(user)
    return client


def start_run(client: Client, rows: int = 90, **form):
    """Upload, map the columns, and press Train: the path a user clicks through."""
    from webapp.runs.models import TrainingRun

    sheet = upload_and_map(client, rows)
    response = client.post(reverse("runs:new", args=[sheet.uuid]), FORM | form)
    assert response.status_code == 302, response.content.decode()[:3000]
    return TrainingRun.objects.latest("pk")


def upload_and_map(client: Client, rows: int = 90, big: bool = False):
    """A spreadsheet uploaded and mapped through the pages, ready to train; read by the
    worker when one listens; `big`: its data check is made on the worker too."""
    from webapp.spreadsheets.models import Spreadsheet

    upload = SimpleUploadedFile("reviews.csv", rows_csv(rows))
    assert client.post(reverse("spreadsheets:upload"), {"file": upload}).status_code == 302
    sheet = Spreadsheet.objects.latest("pk")
    wait_for_reading(client, sheet)
    page = client.get(reverse("spreadsheets:detail", args=[sheet.uuid])).content.decode()
    assert "Check my data" in page and 'id="sheet-reading"' not in page
    mapping = {
        "sheet": "",
        "task": "single_label",
        "text_column": "review",
        "label_column": "sentiment",
    }
    big_sheet = mock.patch("webapp.spreadsheets.reading.CHECK_IN_REQUEST_ROWS", 0)
    with big_sheet if big else contextlib.nullcontext():
        client.post(reverse("spreadsheets:detail", args=[sheet.uuid]), mapping)
    wait_for_reading(client, sheet)
    sheet.refresh_from_db()
    assert sheet.health and not sheet.health["problems"], sheet.health
    return sheet


def wait_for_reading(client: Client, sheet, timeout: float = 60) -> None:
    """Poll the spreadsheet page's reading card, as the browser does, until it sends the
    page on (the worker has read the file, or checked the data); at once when it was read
    in the request."""
    url = reverse("spreadsheets:read_status", args=[sheet.uuid])
    wait_until(lambda: client.get(url).has_header("HX-Redirect"), timeout, "the file to be read")


def test_it_trains_evaluates_and_predicts_on_a_real_worker(shared, worker, tmp_path):
    from webapp.catalog.models import BatchPrediction
    from webapp.runs.models import TrainingRun
    from webapp.spreadsheets.reading import SheetRead

    client = logged_in_client()
    log = tmp_path / "worker.log"
    wait_for(lambda: "Listening on" in log.read_text(), 60, "the worker to listen", worker)
    # The upload is read, and its data checked as a big sheet's is, by the worker.
    sheet = upload_and_map(client, big=True)
    assert log.read_text().count("predictions: webapp.spreadsheets.jobs.read_sheet(") == 2
    assert [r.kind for r in SheetRead.objects.filter(status="finished")] == ["check", "upload"]
    response = client.post(reverse("runs:new", args=[sheet.uuid]), FORM)
    assert response.status_code == 302, response.content.decode()[:3000]
    run = TrainingRun.objects.latest("pk")
    assert run.status in ("queued", "running", "finished")

    def final():
        run.refresh_from_db()
        return run.is_final

    wait_for(final, 120, "the training run", worker)
    assert run.status == TrainingRun.Status.FINISHED, (run.message, run.log)
    assert run.history and run.metrics["test_rows"] > 0

    page = client.get(reverse("runs:evaluation", args=[run.uuid]))
    assert (
        f"Correct on {run.metrics['test_correct']} of {run.metrics['test_rows']} test rows"
        in page.content.decode()
    )
    status = client.get(reverse("runs:status", args=[run.uuid])).content.decode()
    assert "hx-trigger" not in status

    model = run.model
    answer = client.post(reverse("catalog:try", args=[model.uuid]), {"text": "the film was great"},
                         HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    assert "% sure" in answer
    assert any(label in answer for label in ("positive", "negative", "&lt;script&gt;"))

    batch_file = SimpleUploadedFile("new.csv", b"review\nthe film was great\nawful and dull\n")
    client.post(reverse("catalog:batch_new", args=[model.uuid]), {"file": batch_file})
    batch = BatchPrediction.objects.get()

    def batch_final():
        batch.refresh_from_db()
        return batch.is_final

    wait_for(batch_final, 60, "the batch prediction", worker)
    assert (batch.status, batch.rows) == ("finished", 2), (batch.message, batch.log)
    download = client.get(reverse("catalog:batch_download", args=[batch.uuid]))
    header = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header == "review,prediction,confidence"


def test_it_marks_a_run_failed_when_its_worker_is_killed(shared, worker):
    from webapp.runs.models import TrainingRun

    client = logged_in_client()
    run = start_run(client, epochs="2000")  # long enough to be killed mid-training

    def training():
        run.refresh_from_db()
        return run.status == "running" and run.progress.get("phase") == "training"

    wait_for(training, 60, "training to start", worker)
    horses = [int(p) for p in children(worker.pid)]
    os.kill(worker.pid, signal.SIGKILL)  # the worker and its work horse die without a word
    for pid in horses:
        os.kill(pid, signal.SIGKILL)
    worker.wait()
    wait_gone(horses)  # a horse still dying could write one more checkpoint
    # No complete epoch to continue from (test_worker_resume.py covers a run that has one).
    shutil.rmtree(run.out_dir / ".checkpoint", ignore_errors=True)

    assert repair_runs() == 1
    run.refresh_from_db()
    assert (run.status, run.message) == (TrainingRun.Status.FAILED, WORKER_DIED)
    page = client.get(reverse("runs:detail", args=[run.uuid])).content.decode()
    assert "Start it again with Retry" in page


def test_it_fails_a_run_over_its_time_limit_in_plain_words(shared, tmp_path):
    from webapp.runs.models import TrainingRun

    # This server allows 5 seconds of training (enqueued with that job_timeout; the worker's
    # message names the same limit); the run asks for 2000 epochs.
    limit = {"TRAINING_JOB_TIMEOUT": "5"}
    with (
        override_settings(TRAINING_JOB_TIMEOUT=5),
        rq_worker(shared | limit, tmp_path / "w.log") as worker,
    ):
        client = logged_in_client()
        run = start_run(client, epochs="2000")

        def final():
            run.refresh_from_db()
            return run.is_final

        wait_for(final, 90, "the run to be stopped", worker)
    assert run.status == TrainingRun.Status.FAILED, (run.status, run.message)
    assert run.message.startswith("Training took longer than this server allows (5 seconds)")
    assert "JobTimeoutException" in run.log  # the traceback, for staff
    assert not TrainingRun.objects.filter(model__isnull=False).exists()


def children(pid: int) -> list[str]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return path.read_text().split() if path.exists() else []
