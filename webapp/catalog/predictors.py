"""Loaded models for the web process: a small, thread-safe LRU cache of finetune Predictors.

    predictor = get_predictor(model.run_dir)     # loads once, then answers from memory
    predictor.predict(["some text"])

Loading a model takes seconds and holds its weights in memory, so "Try it" and the API must
not load per request. At most settings.PREDICTOR_CACHE_SIZE models stay loaded; the least
recently used one is dropped first. LoRA models (finetune/lora.py) load on base weights the
process holds once, however many models of that base are cached (in full precision: an int8
copy would be a copy of the base).

Two locks: the cache lock is held only for dictionary work, never while loading; each model
has its own load lock, so two requests never load the same model twice, and loading one
model does not hold up predictions on models already loaded.

    with prediction_slot():                      # raises Busy when the process is full
        predictor.predict(["some text"])

At most settings.PREDICT_CONCURRENCY predictions run at once in a web process; a request
waits up to PREDICT_WAIT_SECONDS for a slot, then is told the server is busy (429 with
Retry-After) instead of piling onto a queue that only grows under load. Each uses
PREDICT_THREADS threads (set for the whole process when a model loads).
"""

import threading
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

BUSY = "LabelTune is busy answering other predictions right now. Try again in a few seconds."
RETRY_AFTER = 5  # seconds, sent as Retry-After with a busy answer


class Busy(Exception):
    """No prediction slot freed up in time."""

    def __init__(self):
        super().__init__(BUSY)


_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()  # guards _cache and _loading; never held while a model loads
_loading: dict[str, threading.Lock] = {}  # one lock per model being (or once) loaded
_slots: tuple[int, threading.BoundedSemaphore] | None = None  # (size, semaphore)


def _cached(key: str):
    with _lock:
        predictor = _cache.get(key)
        if predictor is not None:
            _cache.move_to_end(key)
        return predictor


def get_predictor(run_dir):
    from finetune.predict import Predictor, use_threads

    key = str(Path(run_dir).resolve())
    predictor = _cached(key)
    if predictor is not None:
        return predictor
    with _lock:
        load_lock = _loading.setdefault(key, threading.Lock())
    with load_lock:
        predictor = _cached(key)  # another request may have loaded it while we waited
        if predictor is None:
            use_threads(settings.PREDICT_THREADS)
            predictor = Predictor.load(key, shared_base=True)  # LoRA models: one base in memory
            with _lock:
                _cache[key] = predictor
                while len(_cache) > max(1, settings.PREDICTOR_CACHE_SIZE):
                    dropped, _ = _cache.popitem(last=False)
                    _loading.pop(dropped, None)
    return predictor


def loaded() -> list[str]:
    """The run directories in memory now, least recently used first (for tests and staff)."""
    with _lock:
        return list(_cache)


def clear() -> None:
    with _lock:
        _cache.clear()
        _loading.clear()


@contextmanager
def prediction_slot():
    """Hold one of the process's PREDICT_CONCURRENCY prediction slots; Busy if none frees up
    within PREDICT_WAIT_SECONDS."""
    slots = _semaphore()
    if not slots.acquire(timeout=max(0, settings.PREDICT_WAIT_SECONDS)):
        raise Busy()
    try:
        yield
    finally:
        slots.release()


def _semaphore() -> threading.BoundedSemaphore:
    global _slots
    size = max(1, settings.PREDICT_CONCURRENCY)
    with _lock:
        if _slots is None or _slots[0] != size:  # sized on first use (tests change the setting)
            _slots = (size, threading.BoundedSemaphore(size))
        return _slots[1]
