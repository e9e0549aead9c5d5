"""One run on several GPUs (or several CPU processes): data parallel with plain
torch.distributed, no extra library.

    processes = distributed.count(config)         # how many this run trains on here
    train(...)                                    # starts them itself when over 1

How it works:
1. train() hands a run that asks for several processes to `launch`, which starts one process
   per GPU (torch multiprocessing: "spawn" for GPUs, "fork" on a Linux CPU): NCCL between GPUs, gloo on a CPU. This process
   stays the supervisor: it reports rank 0's progress, answers a cancel by stopping them all,
   and a failure in any of them stops the others and fails the run with its message (a rank
   that hangs is stopped by the process group's timeout), so nothing waits forever.
2. Every rank runs the same fit(): the same seed, the same batches in the same order. Each
   takes its share of every batch (`share`), and DistributedDataParallel averages the
   gradients, so one step sees the whole batch as one process would: the same effective batch
   size, the same number of steps. What must agree is decided once and sent to all (`agreed`:
   the automatic choices, the validation figures; `any_rank`: the time budget running out).
   Dropout draws differ per rank (`seed_rank`).
3. Only rank 0 writes: checkpoints, the run folder, progress and metrics; it evaluates the test
   rows alone while the others end.
"""

import os
import socket
import sys
import traceback
import weakref
from collections.abc import Callable
from datetime import timedelta

from finetune.errors import Canceled, FinetuneError

# Seconds a rank waits for the others in one exchange before the run fails (a rank that hangs).
TIMEOUT = int(os.getenv("LABELTUNE_PROCESS_TIMEOUT", "600"))
# What `manage.py up --gpus-per-run` gives each worker: the most GPUs one run may take here.
PER_RUN_ENV = "LABELTUNE_GPUS_PER_RUN"
POLL = 0.2  # seconds between the supervisor's looks at the queue, the cancel and the ranks

FIELD_HELP = {
    "processes": "How many GPUs train this run together, one process each: 0 takes every GPU "
    "this worker was given, 1 one GPU. Without a GPU, processes on the CPU.",
}

_wrapped: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def problems(config) -> list[str]:
    if not 0 <= config.processes <= 64:
        return ["The number of GPUs for one run must be between 0 (all) and 64."]
    return []


def _cap() -> int | None:
    value = os.getenv(PER_RUN_ENV, "").strip()
    return max(1, int(value)) if value.isdigit() else None


def count(config) -> int:
    """How many processes train this run on this machine: the run's setting, within the GPUs
    there are and the worker's --gpus-per-run. Without a GPU: the setting (0 means 1)."""
    import torch

    cap = _cap()
    if config.device != "cpu" and torch.cuda.is_available():
        there = torch.cuda.device_count()
        limit = min(there, cap) if cap else there
        asked = config.processes or limit
        return max(1, min(asked, limit))
    asked = config.processes or 1
    return max(1, min(asked, cap) if cap else asked)


# 1. Inside the ranks.
def active() -> bool:
    import torch.distributed as dist

    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    import torch.distributed as dist

    return dist.get_rank() if active() else 0


def size() -> int:
    """How many processes train this run together (1 without torch.distributed)."""
    import torch.distributed as dist

    return dist.get_world_size() if active() else 1


def writer() -> bool:
    """True in the one process that writes (rank 0, or a run on one process)."""
    return rank() == 0


def share(chunk: list[int]) -> list[int]:
    """This rank's rows of one batch (every rank has some: a batch shorter than the ranks
    lends its first row to those left without)."""
    if not active():
        return chunk
    import torch.distributed as dist

    return chunk[dist.get_rank() :: dist.get_world_size()] or chunk[:1]


def parallel(model):
    """The model wrapped in DistributedDataParallel (once per model), or the model itself."""
    if not active():
        return model
    if model not in _wrapped:
        import torch
        from torch.nn.parallel import DistributedDataParallel

        on_gpu = next(model.parameters()).device.type == "cuda"
        ids = [torch.cuda.current_device()] if on_gpu else None
        # Some heads leave parts of the base unused (the pooler, for names): allowed.
        _wrapped[model] = DistributedDataParallel(
            model, device_ids=ids, find_unused_parameters=True
        )
    return _wrapped[model]


def agreed(value):
    """Rank 0's value on every rank (the choices and figures every rank must act on alike)."""
    if not active():
        return value
    import torch.distributed as dist

    box = [value]
    dist.broadcast_object_list(box, src=0)
    return box[0]


def any_rank(flag: bool) -> bool:
    """True on every rank when it is true on one (the time budget ran out)."""
    if not active():
        return flag
    import torch
    import torch.distributed as dist

    on_gpu = dist.get_backend() == "nccl"
    value = torch.tensor([int(flag)], device="cuda" if on_gpu else "cpu")
    dist.all_reduce(value, op=dist.ReduceOp.MAX)
    return bool(value.item())


def seed_rank(seed: int) -> None:
    """Different dropout draws on each rank (the batches stay the same: their own generator)."""
    if active():
        import torch

        torch.manual_seed(seed + 1000 * rank())


# 2. The supervisor.
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rank_main(number: int, world: int, port: int, threads: int, queue, job: dict) -> None:
    """One rank: join the group, train, send rank 0's progress and result to the supervisor."""
    import torch
    import torch.distributed as dist

    _die_with_parent()
    on_gpu = job["gpu"]
    if on_gpu:
        torch.cuda.set_device(number)
    else:
        torch.set_num_threads(threads)
    try:
        dist.init_process_group(
            "nccl" if on_gpu else "gloo",
            init_method=f"tcp://127.0.0.1:{port}",
            rank=number,
            world_size=world,
            timeout=timedelta(seconds=TIMEOUT),
        )
        report = (lambda p: queue.put(("progress", p))) if number == 0 else None
        result = job["train"](*job["arguments"], on_progress=report, continued=job["continued"])
        if number == 0:
            queue.put(("done", result))
    except BaseException as err:  # sent as words: the supervisor fails the run with them
        plain = isinstance(err, FinetuneError)
        words = str(err) if plain else f"{type(err).__name__}: {err}"
        queue.put(("failed", number, plain, words, traceback.format_exc()))
        raise SystemExit(1) from None
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()


def launch(train: Callable, arguments: tuple, world: int, continued=None, *,
           on_progress: Callable | None = None, should_cancel: Callable | None = None):  # fmt: skip
    """Train one run on `world` processes: `train(*arguments)` (finetune.train.train: table,
    mapping, config, out_dir) in each; rank 0's TrainResult. A cancel stops every rank
    (Canceled); any rank failing stops the others (FinetuneError, in its words)."""
    import queue as queues

    import torch
    import torch.multiprocessing as mp

    report = on_progress or (lambda progress: None)
    canceled = should_cancel or (lambda: False)
    config = arguments[2]
    on_gpu = config.device != "cpu" and torch.cuda.is_available()
    threads = max(1, torch.get_num_threads() // world)
    # CUDA needs fresh processes; on a CPU, forking this one starts them in a moment.
    context = mp.get_context("fork" if not on_gpu and sys.platform == "linux" else "spawn")
    if context.get_start_method() == "fork":  # its heavy imports, once here for every rank
        _warm_imports()
    inbox = context.Queue()
    job = {"train": train, "arguments": arguments, "continued": continued, "gpu": on_gpu}
    port = _free_port()
    ranks = [
        context.Process(target=_rank_main, args=(n, world, port, threads, inbox, job), daemon=True)
        for n in range(world)
    ]
    for process in ranks:
        process.start()
    try:
        while True:
            if canceled():
                raise Canceled()
            try:
                message = inbox.get(timeout=POLL)
            except queues.Empty:
                dead = [n for n, p in enumerate(ranks) if p.exitcode not in (None, 0)]
                if dead:
                    raise FinetuneError(_failed_words(dead[0], world, False, "")) from None
                continue
            if message[0] == "progress":
                report(message[1])
            elif message[0] == "failed":
                _, number, plain, words, details = message
                raise FinetuneError(_failed_words(number, world, plain, words)) from RankFailed(
                    details
                )
            else:
                for process in ranks:
                    process.join(TIMEOUT)
                return message[1]
    finally:
        for process in ranks:
            if process.is_alive():
                process.terminate()
        for process in ranks:
            process.join(10)
            if process.is_alive():
                process.kill()


def _die_with_parent() -> None:
    """Linux: a rank is killed with the process that started it (a worker killed outright)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _warm_imports() -> None:
    """Import here what every rank would import on its own (torch's compiler parts that DDP
    and transformers' models pull in, peft): forked ranks start with them."""
    import importlib

    for name in ("torch.nn.parallel", "transformers.modeling_utils", "peft"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


class RankFailed(Exception):
    """The failed rank's traceback, kept as the cause for the run's log."""


def _failed_words(number: int, world: int, plain: bool, words: str) -> str:
    """A rank's own sentence (bad data, out of memory) as it is; anything else said plainly."""
    if plain:
        return words
    what = f"failed ({words[:200]})" if words else "stopped unexpectedly"
    return (
        f"Training process {number + 1} of {world} {what}. Train again, or on one GPU (Advanced)."
    )
