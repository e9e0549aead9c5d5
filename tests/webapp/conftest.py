"""pytest helpers for the web tests: a free TCP port and a clean environment for subprocesses.

Class-based tests use tests.webapp.base.BaseTestCase; these fixtures serve the tests that
start real processes (the launcher, Redis, RQ workers).
"""

import os
import socket
from pathlib import Path

import pytest
from django.conf import settings

# Settings the launcher must not inherit from the test run: it uses its own SQLite and Redis.
DROPPED = ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL", "MEDIA_ROOT")


@pytest.fixture
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def app_env(tmp_path) -> dict[str, str]:
    """Environment for a `manage.py` subprocess: default settings, its own data folder,
    no REDIS_URL (so the launcher starts its own Redis) and no DATABASE_URL."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env["LABELTUNE_DATA_DIR"] = str(tmp_path / "var")
    env["PYTHONUNBUFFERED"] = "1"
    return env


@pytest.fixture(autouse=True, scope="session")
def static_root():
    """WhiteNoise warns on every request when STATIC_ROOT is missing; tests never collect."""
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
