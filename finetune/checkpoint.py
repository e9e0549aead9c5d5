"""Checkpoints that let a stopped training run continue instead of starting over.

    key = fingerprint(config, data)           # the settings, the head and the split rows
    saved = load(folder(out_dir), key)        # None when there is no usable checkpoint
    save(folder(out_dir), key, model, optimizer, scheduler, generator, state, best_weights)
    remove(out_dir)                           # once the run directory is complete

One file per run, written after every epoch to a temporary name and renamed into place, so
a crash mid-write leaves the previous complete checkpoint (never a half-written one). It is
read with `torch.load(weights_only=True)`: tensors and plain values only, no code. A
checkpoint made with other settings or other data (the fingerprint differs) is ignored.
The global random state is saved too (dropout draws from it), so a resumed run on the same
machine takes the same steps as one that was never stopped.
"""

import hashlib
import json
import logging
import math
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

FOLDER = ".checkpoint"
FILE = "state.pt"
logger = logging.getLogger(__name__)


@dataclass
class State:
    epoch: int = 0  # epochs completed
    step: int = 0  # optimizer steps taken
    history: list[dict] = field(default_factory=list)
    best_metric: float | None = None
    best_loss: float = math.inf
    best_epoch: int = 0
    stale: int = 0  # epochs since the best one
    choices: dict = field(default_factory=dict)  # finetune.tuning's, kept when resuming


@dataclass
class Saved:
    state: State
    model: dict
    optimizer: dict
    scheduler: dict
    generator: object
    best_weights: dict | None
    rng: object = None  # torch's global random state (dropout on the CPU); None: not saved
    cuda_rng: list | None = None  # the same on each GPU, when training on one


def folder(out_dir) -> Path:
    return Path(out_dir) / FOLDER


def fingerprint(config, data=None) -> str:
    """The settings (device aside: resuming on another device is fine) and `data`, any
    JSON-able value that pins what is trained on (the head, the split rows)."""
    settings = config.to_dict()
    settings.pop("device", None)
    text = json.dumps([settings, data], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def save(path: Path, key: str, model, optimizer, scheduler, generator, state, best_weights) -> None:
    import torch

    path.mkdir(parents=True, exist_ok=True)
    data = {
        "fingerprint": key,
        "state": json.dumps(asdict(state)),
        "model": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "generator": generator.get_state(),
        "best_weights": best_weights,
        "rng": torch.get_rng_state(),
        "cuda_rng": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
    }
    temporary = path / (FILE + ".partial")
    torch.save(data, temporary)
    os.replace(temporary, path / FILE)


def load(path: Path, key: str) -> Saved | None:
    import torch

    file = path / FILE
    if not file.is_file():
        return None
    try:
        data = torch.load(file, map_location="cpu", weights_only=True)
        if not isinstance(data, dict) or data.get("fingerprint") != key:
            return None
        return Saved(
            state=State(**json.loads(data["state"])),
            model=data["model"],
            optimizer=data["optimizer"],
            scheduler=data["scheduler"],
            generator=data["generator"],
            best_weights=data["best_weights"],
            rng=data.get("rng"),
            cuda_rng=data.get("cuda_rng"),
        )
    except Exception as err:  # unreadable, truncated or not ours: start over, not fail the run
        logger.warning("The checkpoint %s could not be read (%r); training starts over.", file, err)
        return None


def restore_random_state(saved: Saved) -> None:
    """Dropout continues with the draws it would have made had the run never stopped."""
    import torch

    if saved.rng is not None:
        torch.set_rng_state(saved.rng)
    if (
        saved.cuda_rng
        and torch.cuda.is_available()
        and len(saved.cuda_rng) == torch.cuda.device_count()
    ):
        torch.cuda.set_rng_state_all(saved.cuda_rng)


def remove(out_dir) -> None:
    shutil.rmtree(folder(out_dir), ignore_errors=True)
