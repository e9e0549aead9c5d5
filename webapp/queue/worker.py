"""The RQ worker class LabelTune runs (settings.RQ["WORKER_CLASS"]).

    python manage.py rqworker training predictions

On top of RQ's worker: imports the training engine before forking jobs (preload), repairs
stuck rows when it starts and during RQ's periodic
maintenance, and recovers the row at once when a work horse is killed (out of memory,
kill -9), a case where RQ calls no failure callback: a training run with a checkpoint is put
back in line (this worker takes it up again), anything else is marked failed.
"""

import importlib
import logging

from django.db import connections
from rq.worker import Worker as RQWorker

from webapp.queue.maintenance import find_row, repair_runs

logger = logging.getLogger(__name__)

# The model code of the catalogue's base models (finetune.basemodels.CATALOG): transformers
# imports it only when a model of that type first loads, which took seconds of every job.
MODEL_TYPES = ("bert", "distilbert", "roberta", "xlm_roberta")


def preload() -> None:
    """Import torch, transformers, the catalogue's model code and the engine once, before RQ
    forks a work horse per job: each job then starts in a fraction of a second instead of
    importing them again."""
    try:
        import torch  # noqa: F401
        from transformers import (  # noqa: F401  (transformers loads its modules lazily)
            AutoModelForSequenceClassification,
            AutoTokenizer,
            get_linear_schedule_with_warmup,
        )

        for name in MODEL_TYPES:
            importlib.import_module(f"transformers.models.{name}.modeling_{name}")
        import finetune.predict  # noqa: F401
        import finetune.train  # noqa: F401
    except ImportError:
        logger.exception("Could not preload the training engine")


class Worker(RQWorker):
    def bootstrap(self, *args, **kwargs):
        super().bootstrap(*args, **kwargs)
        preload()
        self._repair()

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        self._repair()

    def monitor_work_horse(self, job, queue, execution):
        self._horse_killed = None
        try:
            super().monitor_work_horse(job, queue, execution)
        finally:
            # After RQ has recorded the job's failure, so a job put back in line stays there.
            if self._horse_killed is not None:
                self._recover(job, self._horse_killed)

    def handle_work_horse_killed(self, job, retpid, ret_val, rusage):
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        self._horse_killed = ret_val

    def _recover(self, job, ret_val):
        try:
            row = find_row(job.id)
            if row is not None:
                note = f"The work horse ended with status {ret_val}."
                row.recover(row.worker_died_message, log=note)
        except Exception:
            logger.exception("Recovering job %s after its work horse died failed", job.id)
        finally:
            connections.close_all()  # never carry a database connection into the next fork

    def _repair(self):
        try:
            repair_runs()
        except Exception:
            logger.exception("Repairing stuck runs failed")
        finally:
            connections.close_all()
