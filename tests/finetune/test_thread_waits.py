"""Importing finetune makes torch's waiting threads sleep (OMP_WAIT_POLICY=PASSIVE) unless
the environment already chose a policy."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = "import os, finetune; print(os.environ['OMP_WAIT_POLICY'])"


def policy_after_import(**env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    done = subprocess.run([sys.executable, "-c", SHOW], env=base | env, cwd=ROOT,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return done.stdout.strip()


def test_it_makes_waiting_threads_sleep():
    assert policy_after_import() == "PASSIVE"


def test_a_policy_from_the_environment_wins():
    assert policy_after_import(OMP_WAIT_POLICY="ACTIVE") == "ACTIVE"
