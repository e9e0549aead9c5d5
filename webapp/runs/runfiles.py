"""A training run's folder across machines: what the worker does around finetune.train.

    with RunFiles(run) as sync:            # the stored checkpoint, when another machine left one
        result = train(..., run.out_dir, on_progress=sync.watch(run.mark_progress))
        sync.publish()                     # the finished folder into the storage, then finish

finetune works on the local folder run.out_dir and knows nothing of storage. With object
storage (lib.files.is_remote), this module makes a run movable between worker machines:
1. before training, the checkpoint in the storage (left by a worker that died elsewhere) is
   downloaded, so finetune resumes from it;
2. after each epoch, the new checkpoint is uploaded in a background thread (training does not
   wait; when epochs end faster than uploads, only the newest one is sent); when an upload
   fails, training goes on and the run page says so (run.warn) until one succeeds again;
3. after training, every file of the folder is uploaded, labeltune.json last, and the stored
   checkpoint is removed (finetune removed the local one). When the upload fails, publish
   raises StorageFailed with a sentence for users: the run fails, naming the file storage.
On local storage every step is a no-op: the folder already is where everyone reads it.
"""

import logging
import threading
from collections.abc import Callable

from finetune.rundir import INFO_FILE
from lib import files

logger = logging.getLogger(__name__)

STAYS_LOCAL = (".checkpoint",)  # never part of a published run folder
CHECKPOINT_NOT_SAVED = (
    "Saving progress to file storage failed at epoch {epoch}; training goes on, but the run "
    "cannot resume if the worker stops. Tell your administrator the file storage is not "
    "answering."
)
MODEL_NOT_SAVED = (
    "Training finished, but saving the model to file storage failed, so the model was not "
    "kept. Tell your administrator the file storage is not answering, then start the run "
    "again with Retry."
)


class StorageFailed(Exception):
    """The file storage did not take the run's files; str() is the sentence for users."""


class RunFiles:
    def __init__(self, run):
        self.run = run
        self.remote = files.is_remote()
        self.seen = None  # (inode, mtime) of the last checkpoint handed to the uploader
        self.epoch = 0  # the epoch that checkpoint ends
        self.warning = ""  # set by the uploader thread; the job's thread writes it to the row
        self.wanted = threading.Event()
        self.stopping = False
        self.thread: threading.Thread | None = None

    def __enter__(self) -> "RunFiles":
        if self.remote and files.exists(self.run.checkpoint_name):
            files.download(self.run.checkpoint_name)
            self.seen = self._stamp()  # already stored: no need to send it back
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def watch(self, on_progress: Callable) -> Callable:
        """`on_progress`, plus a look (one stat) for a new checkpoint after each report."""
        if not self.remote:
            return on_progress

        def report(progress) -> None:
            on_progress(progress)
            self.run.warn(self.warning)  # the row is written from this thread only
            self.checkpoint_changed(progress.epoch)

        return report

    def checkpoint_changed(self, epoch: float) -> None:
        stamp = self._stamp()
        if stamp is None or stamp == self.seen:
            return
        self.seen = stamp
        self.epoch = round(epoch)  # finetune reports the epoch it just saved, first
        if self.thread is None:
            self.thread = threading.Thread(target=self._upload_loop, daemon=True)
            self.thread.start()
        self.wanted.set()

    def publish(self) -> None:
        """Upload the finished folder (labeltune.json last); drop the stored checkpoint."""
        if not self.remote:
            return
        self.close()  # an epoch's upload still going would put the checkpoint back
        try:
            files.publish_folder(self.run.files_name, INFO_FILE, skip=STAYS_LOCAL)
        except FileNotFoundError:
            raise  # the folder is incomplete: a bug, not the storage
        except Exception as err:
            raise StorageFailed(MODEL_NOT_SAVED) from err
        try:
            files.remove(self.run.checkpoint_name)
        except Exception:  # the model is stored; a leftover checkpoint only takes room
            logger.exception("Run %s: could not remove its stored checkpoint", self.run.uuid)

    def close(self) -> None:
        """Stop the uploader after the upload in progress, if any."""
        if self.thread is not None:
            self.stopping = True
            self.wanted.set()
            self.thread.join()
            self.thread = None

    def _upload_loop(self) -> None:
        while True:
            self.wanted.wait()
            self.wanted.clear()
            if self.stopping:
                return
            epoch = self.epoch
            try:
                files.publish(self.run.checkpoint_name)
            except FileNotFoundError:
                pass  # training ended and finetune removed it
            except Exception:  # the storage is down: training goes on, the next epoch retries
                logger.exception("Run %s: could not upload its checkpoint", self.run.uuid)
                self.warning = CHECKPOINT_NOT_SAVED.format(epoch=epoch)
            else:
                self.warning = ""

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.run.checkpoint_file.stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns
