"""What the Trainer-based peers share: labels as ids, accuracy on the test rows, timing."""

import time

import numpy as np


def label_ids(train_labels: list[str]) -> dict[str, int]:
    return {label: i for i, label in enumerate(sorted(set(train_labels)))}


def evaluate(trainer, test_dataset, test_labels: list[int]) -> float:
    output = trainer.predict(test_dataset)
    return float((np.asarray(output.predictions).argmax(-1) == np.asarray(test_labels)).mean())


class Clock:
    """Wall seconds and CPU seconds (every thread of this process) of a block."""

    def __enter__(self):
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        self.cpu_seconds = time.process_time() - self.cpu_started
