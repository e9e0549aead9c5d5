"""Checkpoints that let a stopped training run continue instead of starting over.

    saved = load(folder(out_dir), config)     # None when there is no usable checkpoint
    save(folder(out_dir), config, model, optimizer, scheduler, generator, state, best_weights)
    remove(out_dir)                           # once the run directory is complete

One file per run, written after every epoch to a temporary name and renamed into place, so
a crash mid-write leaves the previous complete checkpoint (never a half-written one). It is
read with `torch.load(weights_only=True)`: tensors and plain values only, no code. A
checkpoint made with other settings (the fingerprint of the config differs) is ignored.
"""

import hashlib
import json
import math
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

FOLDER = ".checkpoint"
FILE = "state.pt"


@dataclass
class State:
    epoch: int = 0  # epochs completed
    step: int = 0  # optimizer steps taken
    history: list[dict] = field(default_factory=list)
    best_metric: float | None = None
    best_loss: float = math.inf
    best_epoch: int = 0
    stale: int = 0  # epochs since the best one


@dataclass
class Saved:
    state: State
    model: dict
    optimizer: dict
    scheduler: dict
    generator: object
    best_weights: dict | None


def folder(out_dir) -> Path:
    return Path(out_dir) / FOLDER


def fingerprint(config) -> str:
    settings = config.to_dict()
    settings.pop("device", None)  # resuming on another device is fine
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def save(path: Path, config, model, optimizer, scheduler, generator, state, best_weights) -> None:
    import torch

    path.mkdir(parents=True, exist_ok=True)
    data = {
        "fingerprint": fingerprint(config),
        "state": json.dumps(asdict(state)),
        "model": {k: v.detach().cpu() for k, v in model.state_dict().items()},
        "optimizer": optimizer.state_dict(),
        "scheduler": scheduler.state_dict(),
        "generator": generator.get_state(),
        "best_weights": best_weights,
    }
    temporary = path / (FILE + ".partial")
    torch.save(data, temporary)
    os.replace(temporary, path / FILE)


def load(path: Path, config) -> Saved | None:
    import torch

    file = path / FILE
    if not file.is_file():
        return None
    try:
        data = torch.load(file, map_location="cpu", weights_only=True)
    except Exception:  # unreadable or truncated: start over rather than fail the run
        return None
    if data.get("fingerprint") != fingerprint(config):
        return None
    state = State(**json.loads(data["state"]))
    return Saved(
        state=state,
        model=data["model"],
        optimizer=data["optimizer"],
        scheduler=data["scheduler"],
        generator=data["generator"],
        best_weights=data["best_weights"],
    )


def remove(out_dir) -> None:
    shutil.rmtree(folder(out_dir), ignore_errors=True)
