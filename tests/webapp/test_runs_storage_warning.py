"""The run page's storage warning: an epoch's checkpoint that the file storage refused is
named on the run row (and its page) while training goes on, and the warning goes away once
a later epoch's checkpoint is stored. A real S3 server (moto on loopback) refuses the upload
because its bucket is gone; the end-to-end outage on a real worker is in
test_worker_storage_outage.py.
"""

import os

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from finetune.config import Progress
from tests.waiting import wait_until
from tests.webapp.base import BaseTestCase
from tests.webapp.s3_support import s3_server
from webapp.runs.models import TrainingRun
from webapp.runs.runfiles import CHECKPOINT_NOT_SAVED, RunFiles


def save_checkpoint(run: TrainingRun, data: bytes) -> None:
    """As finetune.checkpoint.save writes it: a temporary file renamed into place."""
    run.checkpoint_file.parent.mkdir(parents=True, exist_ok=True)
    partial = run.checkpoint_file.with_name("state.pt.partial")
    partial.write_bytes(data)
    os.replace(partial, run.checkpoint_file)


def training(epoch: float) -> Progress:
    return Progress("training", step=int(epoch * 10), total_steps=30, epoch=epoch, epochs=3)


def uploaded(run_files: RunFiles, warning: str) -> None:
    """Wait for the uploader thread to finish with the checkpoint it was handed."""
    wait_until(lambda: run_files.warning == warning, 30, "the checkpoint upload", every=0.02)


class StorageWarningTestCase(BaseTestCase):
    def test_it_shows_a_refused_checkpoint_until_one_is_stored_again(self):
        with s3_server() as s3, s3.settings(self.media_root / "cache"):
            run = TrainingRun.objects.create(
                team=self.alice_team, name="Reviews", mapping={"text": "t", "label": "l"},
                status="running", heartbeat=timezone.now(),
            )  # fmt: skip
            status_url = reverse("runs:status", args=[run.uuid])
            self.client.force_login(self.alice)
            warning = CHECKPOINT_NOT_SAVED.format(epoch=1)
            with RunFiles(run) as run_files:
                report = run_files.watch(run.mark_progress)
                # 1. Epoch 1 ends while the storage refuses everything.
                s3.client().delete_bucket(Bucket=s3.bucket)
                save_checkpoint(run, b"after epoch 1")
                report(training(1))
                uploaded(run_files, warning)
                report(training(1.1))  # the next progress report brings it to the row
                run.refresh_from_db()
                self.assertEqual(run.warning, warning)
                self.assertContains(self.client.get(status_url), escape(warning), count=1)

                # 2. The storage is back: epoch 2's checkpoint is stored, the warning goes.
                s3.client().create_bucket(Bucket=s3.bucket)
                save_checkpoint(run, b"after epoch 2")
                report(training(2))
                uploaded(run_files, "")
                report(training(2.1))
                run.refresh_from_db()
                self.assertEqual(run.warning, "")
                self.assertNotContains(self.client.get(status_url), "Saving progress")
                self.assertEqual(s3.keys(), [run.checkpoint_name])
