"""Waiting in tests without racing: ask whether the thing awaited has happened, again and
again, until a deadline, instead of sleeping a fixed time and hoping it was long enough.

    run = wait_until(lambda: started(), 60, "the run to start")   # check()'s first true value
    wait_gone([pid, ...])   # those processes have ended (a zombie has ended too)

The deadline only bounds a failure: a test that passes returns as soon as the check holds.
"""

import os
import time
from collections.abc import Callable
from pathlib import Path


def wait_until(check: Callable, timeout: float, what: str | Callable[[], str], every=0.1):
    """check()'s first true value, asked every `every` seconds; AssertionError naming `what`
    (a function: called then, e.g. for a log) when `timeout` seconds pass without one. A check
    that raises stops the wait at once (e.g. an assert that the process is still there)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            described = what() if callable(what) else what
            raise AssertionError(f"Timed out after {timeout:g} s waiting for {described}")
        time.sleep(every)


def alive(pid: int) -> bool:
    """Whether the process still runs: not gone, and not a zombie waiting to be reaped (Linux:
    reads /proc)."""
    try:
        os.kill(pid, 0)
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (ProcessLookupError, FileNotFoundError):  # gone, or gone between the two looks
        return False
    except PermissionError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pids: list[int], timeout: float = 30) -> None:
    """Wait until none of `pids` runs any more; AssertionError naming those still running."""
    wait_until(
        lambda: not any(alive(pid) for pid in pids),
        timeout,
        lambda: f"processes {[pid for pid in pids if alive(pid)]} to end",
    )
