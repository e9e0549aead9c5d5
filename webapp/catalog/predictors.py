"""Loaded models for the web process: a small, thread-safe LRU cache of finetune Predictors.

    predictor = get_predictor(model.run_dir)     # loads once, then answers from memory
    predictor.predict(["some text"])

Loading a model takes seconds and holds its weights in memory, so "Try it" must not load
per request. At most settings.PREDICTOR_CACHE_SIZE models stay loaded; the least recently
used one is dropped first. One lock guards the cache, so two requests never load the same
model twice; predictions themselves run outside the lock.
"""

import threading
from collections import OrderedDict
from pathlib import Path

from django.conf import settings

_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()


def get_predictor(run_dir):
    from finetune.predict import Predictor

    key = str(Path(run_dir).resolve())
    with _lock:
        predictor = _cache.get(key)
        if predictor is None:
            predictor = Predictor.load(key)
            _cache[key] = predictor
        _cache.move_to_end(key)
        while len(_cache) > max(1, settings.PREDICTOR_CACHE_SIZE):
            _cache.popitem(last=False)
        return predictor


def loaded() -> list[str]:
    """The run directories in memory now, least recently used first (for tests and staff)."""
    with _lock:
        return list(_cache)


def clear() -> None:
    with _lock:
        _cache.clear()
