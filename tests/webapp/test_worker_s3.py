"""Workers on other machines, through S3-compatible object storage: a real moto server on
loopback, a real redis-server, real `manage.py rqworker` subprocesses, real tiny training.

Same setup as test_worker_training.py (one shared database), but files go through the bucket
only: the worker has a cache folder of its own (its "machine"), the web side (this process)
another, and the media folder stays empty. Deleting the caches between steps proves that
pages and jobs find everything in the bucket.
"""

import io
import json
import os
import shutil
import signal
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.webapp import test_worker_training as training
from tests.webapp.s3_support import s3_server
from tests.webapp.test_worker_training import (
    children,
    logged_in_client,
    rq_worker,
    start_run,
    wait_for,
)
from webapp.catalog import predictors
from webapp.runs.models import TrainingRun

pytestmark = pytest.mark.slow
# The real-process fixtures of test_worker_training.py, for this module too.
redis_proc, shared = training.redis_proc, training.shared
RUN_FILES = {"labeltune.json", "config.json", "model.safetensors", "tokenizer.json",
             "metrics.json", "evaluation.json", "test_predictions.csv", "README.md"}  # fmt: skip


@pytest.fixture
def s3(shared, tmp_path):
    """The bucket, with this process (the web side) on it and its own cache folder. Moto keeps
    its buckets in the process, so what other tests stored is emptied first."""
    with s3_server() as server, server.settings(tmp_path / "web-cache"):
        server.empty()
        yield server


def final(row):
    def check():
        row.refresh_from_db()
        return row.is_final

    return check


def stored_names(s3, folder: str) -> set[str]:
    return {key.removeprefix(f"{folder}/") for key in s3.keys(f"{folder}/")}


def test_it_trains_scores_serves_and_deletes_through_the_bucket(shared, s3, tmp_path):
    from webapp.catalog.models import BatchPrediction

    web_cache, worker_cache = tmp_path / "web-cache", tmp_path / "worker-cache"
    media = tmp_path / "var" / "media"
    with rq_worker(shared | s3.env(worker_cache), tmp_path / "worker.log") as worker:
        # 1. Upload and train: the spreadsheet and the finished run folder are in the bucket.
        client = logged_in_client()
        run = start_run(client)
        sheet = run.spreadsheet
        assert s3.keys("spreadsheets/") == [f"spreadsheets/{sheet.uuid}/original.csv"]
        wait_for(final(run), 180, "the training run", worker)
        assert run.status == TrainingRun.Status.FINISHED, (run.message, run.log)
        assert RUN_FILES <= stored_names(s3, run.files_name)
        assert not any(name.startswith(".checkpoint/") for name in stored_names(s3, run.files_name))
        assert (worker_cache / run.files_name / "labeltune.json").is_file()  # written there
        assert not [p for p in media.rglob("*") if p.is_file()]

        # 2. No machine keeps a copy: every page and job must go back to the bucket.
        shutil.rmtree(worker_cache)
        shutil.rmtree(web_cache, ignore_errors=True)
        predictors.clear()
        model = run.model
        page = client.get(reverse("runs:evaluation", args=[run.uuid])).content.decode()
        assert f"Correct on {run.metrics['test_correct']} of" in page
        detail = client.get(reverse("catalog:detail", args=[model.uuid])).content.decode()
        assert "fine-tuned from" in detail  # the model card, read from the bucket
        assert not (web_cache / run.files_name / "model.safetensors").exists()  # no weights yet
        answer = client.post(reverse("catalog:try", args=[model.uuid]),
                             {"text": "the film was great"}, HTTP_HX_REQUEST="true")  # fmt: skip
        assert "% sure" in answer.content.decode()
        assert (web_cache / run.files_name / "labeltune.json").is_file()  # cached, complete
        assert (web_cache / run.files_name / "model.safetensors").is_file()

        # 3. Batch scoring on the worker, whose cache is empty: input and result in the bucket.
        upload = SimpleUploadedFile("new.csv", b"review\nthe film was great\nawful and dull\n")
        client.post(reverse("catalog:batch_new", args=[model.uuid]), {"file": upload})
        batch = BatchPrediction.objects.get()
        wait_for(final(batch), 120, "the batch prediction", worker)
        assert (batch.status, batch.rows) == ("finished", 2), (batch.message, batch.log)
        assert s3.keys(f"batches/{batch.uuid}/") == [
            f"batches/{batch.uuid}/input.csv",
            f"batches/{batch.uuid}/scored.csv",
        ]
        assert s3.keys("batches/pending/") == []
        assert (worker_cache / run.files_name / "labeltune.json").is_file()  # refilled
    download = client.get(reverse("catalog:batch_download", args=[batch.uuid]))
    lines = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0] == "review,prediction,confidence" and len(lines) == 3
    original = client.get(reverse("spreadsheets:download", args=[sheet.uuid]))
    assert b"".join(original.streaming_content).startswith(b"review,sentiment\n")
    archive = client.get(reverse("catalog:download", args=[model.uuid]))
    names = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    assert any(name.endswith("/model.safetensors") for name in names)
    assert not [p for p in media.rglob("*") if p.is_file()]

    # 4. Deleting the run and the spreadsheet removes their objects.
    assert client.post(reverse("runs:delete", args=[run.uuid])).status_code == 302
    assert s3.keys("runs/") == [] and s3.keys("batches/") == []
    assert not (web_cache / run.files_name).exists()
    assert client.post(reverse("spreadsheets:delete", args=[sheet.uuid])).status_code == 302
    assert s3.keys() == []


EPOCHS = 3
ROWS = 400  # 20 steps an epoch: time to stop the worker between epochs


def test_a_run_continues_on_another_machine_from_the_checkpoint_in_the_bucket(shared, s3, tmp_path):
    import torch

    client = logged_in_client()
    first_machine = shared | s3.env(tmp_path / "first-cache")
    with rq_worker(first_machine, tmp_path / "first.log") as first:
        run = start_run(client, rows=ROWS, epochs=str(EPOCHS))

        # 1. The first machine uploads its checkpoint after an epoch; then it dies for good.
        def uploaded() -> bool:
            return run.checkpoint_name in s3.keys(run.checkpoint_name)

        wait_for(uploaded, 240, "a checkpoint in the bucket", first, every=0.05)
        doomed = [int(pid) for pid in children(first.pid)] + [first.pid]
        for pid in doomed:
            os.kill(pid, signal.SIGSTOP)  # frozen: no further epoch while the bucket is read
        stored = s3.client().get_object(Bucket=s3.bucket, Key=run.checkpoint_name)["Body"]
        state = torch.load(io.BytesIO(stored.read()), map_location="cpu", weights_only=True)
        epoch = json.loads(state["state"])["epoch"]
        for pid in doomed:
            os.kill(pid, signal.SIGKILL)
        first.wait()
    shutil.rmtree(tmp_path / "first-cache")  # its disk went with it
    assert 1 <= epoch < EPOCHS

    # 2. A worker on another machine repairs the run at start and continues from the bucket.
    second_machine = shared | s3.env(tmp_path / "second-cache")
    with rq_worker(second_machine, tmp_path / "second.log") as second:
        wait_for(final(run), 300, "the resumed run", second)
    assert run.status == TrainingRun.Status.FINISHED, (run.status, run.message, run.log)
    assert (run.resumes, run.metrics["resumed_after_epoch"]) == (1, epoch)
    assert "put back in line" in (tmp_path / "second.log").read_text()
    names = stored_names(s3, run.files_name)
    assert RUN_FILES <= names and not any(n.startswith(".checkpoint/") for n in names)
