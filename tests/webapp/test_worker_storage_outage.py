"""File storage gone mid-run: a real S3 server (moto, in a process of its own) killed while a
real worker trains a tiny model through it.

While training goes on, the run page says that saving progress failed (the checkpoint could
not be uploaded); when the finished model cannot be uploaded either, the run fails with a
sentence that names the file storage, and the traceback is kept in the run's log for staff.
"""

import pytest
from django.urls import reverse
from django.utils.html import escape

from tests.webapp import test_worker_training as training
from tests.webapp.s3_support import s3_process
from tests.webapp.test_worker_s3 import final
from tests.webapp.test_worker_training import logged_in_client, rq_worker, start_run, wait_for
from webapp.catalog.models import TrainedModel
from webapp.runs.jobs import UNEXPECTED
from webapp.runs.models import TrainingRun
from webapp.runs.runfiles import CHECKPOINT_NOT_SAVED, MODEL_NOT_SAVED

pytestmark = pytest.mark.slow
redis_proc, shared = training.redis_proc, training.shared  # the real-process fixtures
EPOCHS = 6
ROWS = 400  # 20 steps an epoch: several epochs go by after the storage is gone
SAVING_FAILED = CHECKPOINT_NOT_SAVED.split("{epoch}")[0]  # "Saving progress ... at epoch "
SOON = 0.05  # seconds between looks at the row: the moments watched for are short


def test_it_says_so_while_training_and_fails_naming_the_file_storage(shared, tmp_path):
    with s3_process() as s3, s3.settings(tmp_path / "web-cache"):
        # One try per request: a refused connection fails at once instead of being retried.
        env = shared | s3.env(tmp_path / "worker-cache") | {"AWS_MAX_ATTEMPTS": "1"}
        with rq_worker(env, tmp_path / "worker.log") as worker:
            client = logged_in_client()
            run = start_run(client, rows=ROWS, epochs=str(EPOCHS))
            status_url = reverse("runs:status", args=[run.uuid])

            # 1. The worker has read the spreadsheet from the bucket and trains: S3 goes away.
            def training_started():
                run.refresh_from_db()
                return run.progress.get("phase") == "training" or run.is_final

            wait_for(training_started, 240, "training to start", worker, every=SOON)
            assert run.status == TrainingRun.Status.RUNNING, (run.message, run.log)
            s3.stop()

            # 2. At the next epoch's checkpoint the live status says so, while it trains on.
            def warned():
                page = client.get(status_url).content.decode()
                run.refresh_from_db()
                return run.status == TrainingRun.Status.RUNNING and SAVING_FAILED in page and page

            page = wait_for(warned, 120, "the storage warning on the run page", worker, every=SOON)
            assert escape(run.warning) in page
            assert run.warning.startswith(SAVING_FAILED), run.warning
            assert "Tell your administrator the file storage is not answering." in run.warning

            # 3. The finished model cannot be stored: the run fails, naming the file storage.
            wait_for(final(run), 240, "the run to end", worker)
        log = (tmp_path / "worker.log").read_text()
    assert run.status == TrainingRun.Status.FAILED, (run.status, run.message)
    assert run.message == MODEL_NOT_SAVED and run.message != UNEXPECTED
    assert "Traceback" in run.log and "StorageFailed" in run.log, run.log
    assert "could not upload its checkpoint" in log
    assert not TrainedModel.objects.filter(run=run).exists()
    page = client.get(status_url).content.decode()
    assert escape(MODEL_NOT_SAVED) in page and "Retry with the same settings" in page
    assert SAVING_FAILED not in page  # the run has ended: only its final sentence is shown
    assert "Traceback" not in page  # the log is for staff only
