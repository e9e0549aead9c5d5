"""The whole app under `manage.py up` in a subprocess, and how to launch Debian's Chromium.

    app = App(env_without(DROPPED) | {"LABELTUNE_DATA_DIR": "/tmp/x"}, free_port())
    app.wait_ready()          # the ready line, then the login page answers
    ...
    app.stop()                # SIGTERM to its process id; it stops its own children

Shared by the browser tests (tests/e2e/conftest.py) and scripts/screenshots.py.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from tests.waiting import wait_until

BASE_DIR = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 180  # migrations on a fresh SQLite file, then Redis, worker and gunicorn
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Settings the app must not inherit from its caller: it uses its own database and Redis.
DROPPED = ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL", "MEDIA_ROOT", "HOST", "PORT")


def chromium_path() -> str | None:
    wanted = os.getenv("LABELTUNE_CHROMIUM", "/usr/bin/chromium")
    if os.access(wanted, os.X_OK):
        return wanted
    return shutil.which("chromium") or shutil.which("chromium-browser")


def app_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    return env | {"DEBUG": "1", "PYTHONUNBUFFERED": "1"} | extra


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class App:
    """`manage.py up` in a subprocess; its output is kept for error messages."""

    def __init__(self, env: dict[str, str], port: int, command=("manage.py", "up")):
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.lines: list[str] = []
        self.journey: dict[str, str] = {}  # URLs of the first user's objects, for later tests
        self.proc = subprocess.Popen(
            [sys.executable, *command, "--port", str(port)],
            cwd=BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def output(self, last: int = 60) -> str:
        return "".join(self.lines[-last:])

    def url(self, path: str) -> str:
        return self.base_url + path

    def wait_ready(self) -> None:
        def ready() -> bool:
            if any("LabelTune is ready at" in line for line in self.lines):
                return True
            if self.proc.poll() is not None:
                raise RuntimeError(f"manage.py up exited early:\n{self.output()}")
            return False

        wait_until(ready, STARTUP_TIMEOUT, lambda: f"manage.py up:\n{self.output()}", every=0.3)
        with urllib.request.urlopen(self.url("/login/"), timeout=10) as response:
            if response.status != 200:
                raise RuntimeError(f"The login page answered {response.status}.")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
