"""Resume on real processes: a run whose worker dies after a complete epoch continues from its
checkpoint instead of starting over, and the run page says so.

Same setup as test_worker_training.py (a real redis-server, `manage.py rqworker` subprocesses,
one shared database and data folder). The run trains 400 rows for 3 epochs; as soon as the
first epoch's checkpoint is on disk the work horse is frozen (SIGSTOP, so it cannot finish
another epoch while the test reads which epoch the checkpoint holds), then killed (SIGKILL).
"""

import json
import os
import signal

import pytest
from django.test import Client
from django.urls import reverse

from tests.webapp import test_worker_training as training
from tests.webapp.test_worker_training import (
    children,
    logged_in_client,
    rq_worker,
    start_run,
    wait_for,
)
from webapp.runs.models import TrainingRun
from webapp.runs.words import RESUMED

pytestmark = pytest.mark.slow
# The real-process fixtures of test_worker_training.py, for this module too.
redis_proc, shared, worker = training.redis_proc, training.shared, training.worker
EPOCHS = 3
ROWS = 400  # 20 steps an epoch: time to stop the horse between the first and second epoch


def kill_after_first_checkpoint(run: TrainingRun, worker_process, whole_worker: bool) -> int:
    """The moment a checkpoint exists, freeze the work horse (and the worker, when
    `whole_worker`: it must not notice its horse dying), then kill them; the epoch it holds."""
    import torch

    wait_for(run.checkpoint_file.is_file, 240, "a checkpoint", worker_process, every=0.02)
    horses = [int(pid) for pid in children(worker_process.pid)]
    assert horses, "the work horse is gone"
    doomed = horses + ([worker_process.pid] if whole_worker else [])
    for pid in doomed:
        os.kill(pid, signal.SIGSTOP)
    state = torch.load(run.checkpoint_file, map_location="cpu", weights_only=True)["state"]
    for pid in doomed:
        os.kill(pid, signal.SIGKILL)
    return json.loads(state)["epoch"]


def wait_until_final(run: TrainingRun, worker_process, timeout: float = 300) -> None:
    def final():
        run.refresh_from_db()
        return run.is_final

    wait_for(final, timeout, "the resumed run to end", worker_process)


def assert_resumed_after(run: TrainingRun, epoch: int, client: Client) -> None:
    assert run.status == TrainingRun.Status.FINISHED, (run.status, run.message, run.log)
    assert run.metrics["resumed_after_epoch"] == epoch
    assert run.resumes == 1
    assert not (run.out_dir / ".checkpoint").exists()  # removed once the model was saved
    assert TrainingRun.objects.filter(pk=run.pk, model__isnull=False).count() == 1
    sentence = RESUMED.format(epoch=epoch, epochs=EPOCHS)
    status = client.get(reverse("runs:status", args=[run.uuid])).content.decode()
    assert sentence in status


def test_a_run_continues_on_a_new_worker_after_its_worker_is_killed(shared, tmp_path):
    client = logged_in_client()
    with rq_worker(shared, tmp_path / "first.log") as first:
        run = start_run(client, rows=ROWS, epochs=str(EPOCHS))
        epoch = kill_after_first_checkpoint(run, first, whole_worker=True)
        first.wait()  # the whole worker is gone, and no other is running
    assert epoch == 1
    run.refresh_from_db()
    assert run.status == TrainingRun.Status.RUNNING  # nobody knows yet

    # The new worker's startup repair finds the run's worker dead and puts it back in line.
    with rq_worker(shared, tmp_path / "second.log") as second:
        wait_until_final(run, second)
    assert_resumed_after(run, epoch, client)
    assert "put back in line" in (tmp_path / "second.log").read_text()


def test_a_run_continues_on_the_same_worker_after_its_work_horse_is_killed(shared, worker):
    client = logged_in_client()
    run = start_run(client, rows=ROWS, epochs=str(EPOCHS))
    epoch = kill_after_first_checkpoint(run, worker, whole_worker=False)
    assert epoch == 1
    wait_until_final(run, worker)
    assert_resumed_after(run, epoch, client)
