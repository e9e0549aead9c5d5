"""`manage.py up` starts Redis, two RQ workers (one for training and predictions, one for
predictions alone on one thread) and gunicorn, serves pages and static files,
and stops every child on SIGTERM; a dead worker is started again while the site keeps
serving; if Redis or the web server dies, it stops the rest and fails."""

import http.client
import os
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import redis
from django.conf import settings
from rq import Worker

from tests.waiting import alive, wait_gone, wait_until

STARTUP_TIMEOUT = 120  # a fresh SQLite database is migrated first


class Launcher:
    def __init__(self, env: dict[str, str], port: int):
        self.port = port
        self.lines: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "manage.py", "up", "--port", str(port)],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: str, timeout: float = STARTUP_TIMEOUT) -> re.Match:
        def seen():
            match = re.search(pattern, self.output)
            assert match or self.proc.poll() is None, f"up exited early:\n{self.output}"
            return match

        return wait_until(seen, timeout, lambda: f"{pattern!r} in the output:\n{self.output}")

    def get(self, path: str) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        response.body = response.read()
        conn.close()
        return response

    def children(self) -> list[int]:
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.proc.pid:
                pids.append(int(stat.parent.name))
        return pids

    def kill(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def launcher(app_env, free_port):
    up = Launcher(app_env, free_port)
    yield up
    up.kill()


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_it_starts_everything_and_stops_on_sigterm(launcher):
    # 1. Ready line, then the login page and a static file answer.
    launcher.wait_for(rf"LabelTune is ready at http://127\.0\.0\.1:{launcher.port}")
    assert launcher.get("/login/").status == 200
    assert launcher.get("/").status == 302
    css = launcher.get("/static/css/app.css")
    assert css.status == 200, css.body[:300]
    assert b"LabelTune" in css.body

    # 2. The embedded Redis answers; one RQ worker takes both queues, training first, and
    # a second takes only predictions, on one CPU thread, so scoring never waits for training.
    redis_url = launcher.wait_for(r"Redis is running at (redis://\S+)").group(1)
    connection = redis.Redis.from_url(redis_url)
    assert connection.ping()
    trainer = wait_for_worker(connection, lambda w: "training" in w.queue_names())
    scorer = wait_for_worker(connection, lambda w: "training" not in w.queue_names())
    assert len(Worker.all(connection=connection)) == 2, launcher.output
    assert trainer.queue_names() == ["training", "predictions"]
    assert scorer.queue_names() == ["predictions"]
    assert environment(scorer.pid)["OMP_NUM_THREADS"] == "1"
    assert environment(scorer.pid)["CUDA_VISIBLE_DEVICES"] == ""

    # 3. SIGTERM stops every child and the launcher exits cleanly.
    children = launcher.children()
    assert len(children) == 4  # redis, two workers, gunicorn
    assert {trainer.pid, scorer.pid} <= set(children)
    launcher.proc.send_signal(signal.SIGTERM)
    assert launcher.proc.wait(40) == 0, launcher.output
    wait_gone(children)
    assert "LabelTune stopped." in launcher.output


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_it_stops_everything_when_a_child_dies(launcher):
    launcher.wait_for(r"LabelTune is ready at")
    redis_url = launcher.wait_for(r"Redis is running at (redis://\S+)").group(1)
    children = launcher.children()

    # Kill the embedded Redis the hard way: the launcher must notice and stop the rest.
    redis.Redis.from_url(redis_url).shutdown(nosave=True)
    assert launcher.proc.wait(60) != 0
    assert "stopped unexpectedly" in launcher.output
    wait_gone(children)


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_it_restarts_a_dead_worker_and_keeps_serving(launcher):
    launcher.wait_for(r"LabelTune is ready at")
    redis_url = launcher.wait_for(r"Redis is running at (redis://\S+)").group(1)
    connection = redis.Redis.from_url(redis_url)
    first = wait_for_worker(connection, lambda w: "training" in w.queue_names())

    # Kill the worker the hard way: the site keeps answering and a new worker signs in.
    os.kill(first.pid, signal.SIGKILL)
    launcher.wait_for(r"RQ worker 1 stopped unexpectedly \(exit code -9\); starting it again")
    assert launcher.get("/login/").status == 200
    second = wait_for_worker(
        connection, lambda w: w.pid != first.pid and "training" in w.queue_names()
    )
    assert second.queue_names() == ["training", "predictions"]
    launcher.wait_for(r"RQ worker 1 was started again")
    assert launcher.proc.poll() is None
    assert launcher.get("/login/").status == 200
    assert len(launcher.children()) == 4  # redis, the new worker, the prediction worker, gunicorn


def environment(pid: int) -> dict[str, str]:
    """The environment a process was started with."""
    pairs = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def wait_for_worker(connection, wanted, timeout: float = 60) -> Worker:
    def signed_in():
        workers = Worker.all(connection=connection)
        return next((w for w in workers if wanted(w) and w.pid and alive(w.pid)), None)

    return wait_until(signed_in, timeout, "an RQ worker to sign in")


def test_it_gives_each_worker_one_gpu_in_turn():
    from webapp.accounts.management.commands.up import worker_plan

    plan = worker_plan(4, "0,1,2,3", 1, cpu_count=16)
    names = [name for name, _, _ in plan]
    assert names[:4] == [f"RQ worker {n} (GPU {n - 1})" for n in range(1, 5)]
    assert [env["CUDA_VISIBLE_DEVICES"] for _, _, env in plan] == ["0", "1", "2", "3", ""]
    assert plan[4][1] == ["predictions"]  # the CPU worker takes predictions only


def test_it_gives_each_worker_its_gpus_for_one_run(monkeypatch):
    """`up --gpus 0,1,2,3 --gpus-per-run 2`: two GPUs per worker, and the most a run takes
    there (finetune/distributed.py reads it in the worker); a CPU worker trains on one."""
    from django.core.management import CommandError, call_command

    from webapp.accounts.management.commands import up

    planned = []
    monkeypatch.setattr(up.Command, "_start", lambda self, host, port, plan: planned.append(plan))
    monkeypatch.setattr(up.Command, "_supervise", lambda self: None)
    monkeypatch.setattr(up.Command, "_stop_all", lambda self: None)
    call_command("up", "--workers", "2", "--gpus", "0,1,2,3", "--gpus-per-run", "2")
    workers = planned[0][:2]
    assert [name for name, _, _ in workers] == ["RQ worker 1 (GPUs 0,1)", "RQ worker 2 (GPUs 2,3)"]
    assert [env["CUDA_VISIBLE_DEVICES"] for _, _, env in workers] == ["0,1", "2,3"]
    assert {env["LABELTUNE_GPUS_PER_RUN"] for _, _, env in workers} == {"2"}
    assert up.worker_plan(1, "", 0, cpu_count=4)[0][2]["LABELTUNE_GPUS_PER_RUN"] == "1"
    with pytest.raises(CommandError, match="between 1 and the 2 GPUs"):
        up.worker_plan(1, "0,1", 0, cpu_count=4, gpus_per_run=3)


def test_it_shares_the_cores_between_cpu_workers(monkeypatch):
    from webapp.accounts.management.commands.up import worker_plan

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    plan = worker_plan(2, "", 0, cpu_count=8)
    assert [env.get("OMP_NUM_THREADS") for _, _, env in plan] == ["4", "4"]
    one = worker_plan(1, "", 0, cpu_count=8)[0][2]
    assert "OMP_NUM_THREADS" not in one  # one worker: all the cores


def test_it_gives_the_prediction_worker_one_thread_and_training_the_rest(monkeypatch):
    from webapp.accounts.management.commands.up import worker_plan

    monkeypatch.setenv("OMP_NUM_THREADS", "8")  # the prediction worker gets one all the same
    assert worker_plan(1, "", 1, cpu_count=8)[1][2]["OMP_NUM_THREADS"] == "1"
    monkeypatch.delenv("OMP_NUM_THREADS")
    (_, training, train_env), (_, predictions, predict_env) = worker_plan(1, "", 1, cpu_count=8)
    assert (training, train_env["OMP_NUM_THREADS"]) == (["training", "predictions"], "7")
    assert predictions == ["predictions"]
    assert predict_env["OMP_NUM_THREADS"] == predict_env["RAYON_NUM_THREADS"] == "1"
    assert worker_plan(1, "", 1, cpu_count=1)[0][2]["OMP_NUM_THREADS"] == "1"
