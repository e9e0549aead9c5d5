"""The RQ worker class LabelTune runs (settings.RQ["WORKER_CLASS"]).

    python manage.py rqworker training predictions

On top of RQ's worker: repairs stuck rows when it starts and during RQ's periodic
maintenance, and marks the row failed at once when a work horse is killed (out of memory,
kill -9), a case where RQ calls no failure callback.
"""

import logging

from django.db import connections
from rq.worker import Worker as RQWorker

from webapp.runs.maintenance import repair_runs, tracked_models

logger = logging.getLogger(__name__)


class Worker(RQWorker):
    def bootstrap(self, *args, **kwargs):
        super().bootstrap(*args, **kwargs)
        self._repair()

    def run_maintenance_tasks(self):
        super().run_maintenance_tasks()
        self._repair()

    def handle_work_horse_killed(self, job, retpid, ret_val, rusage):
        super().handle_work_horse_killed(job, retpid, ret_val, rusage)
        try:
            for model in tracked_models():
                row = model.objects.filter(uuid=job.id).first()
                if row is not None:
                    message = row.worker_died_message
                    row.mark_failed(message, log=f"The work horse ended with status {ret_val}.")
        finally:
            connections.close_all()  # never carry a database connection into the next fork

    def _repair(self):
        try:
            repair_runs()
        except Exception:
            logger.exception("Repairing stuck runs failed")
        finally:
            connections.close_all()
