"""A training run's folder across machines: what the worker does around finetune.train.

    with RunFiles(run) as sync:            # the stored checkpoint, when another machine left one
        result = train(..., run.out_dir, on_progress=sync.watch(run.mark_progress))
        sync.publish()                     # the finished folder into the storage, then finish

finetune works on the local folder run.out_dir and knows nothing of storage. With object
storage (lib.files.is_remote), this module makes a run movable between worker machines:
1. before training, the checkpoint in the storage (left by a worker that died elsewhere) is
   downloaded, so finetune resumes from it;
2. after each epoch, the new checkpoint is uploaded in a background thread (training does not
   wait; when epochs end faster than uploads, only the newest one is sent);
3. after training, every file of the folder is uploaded, labeltune.json last, and the stored
   checkpoint is removed (finetune removed the local one).
On local storage every step is a no-op: the folder already is where everyone reads it.
"""

import logging
import threading
from collections.abc import Callable

from finetune.rundir import INFO_FILE
from lib import files

logger = logging.getLogger(__name__)

STAYS_LOCAL = (".checkpoint",)  # never part of a published run folder


class RunFiles:
    def __init__(self, run):
        self.run = run
        self.remote = files.is_remote()
        self.seen = None  # (inode, mtime) of the last checkpoint handed to the uploader
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
            self.checkpoint_changed()

        return report

    def checkpoint_changed(self) -> None:
        stamp = self._stamp()
        if stamp is None or stamp == self.seen:
            return
        self.seen = stamp
        if self.thread is None:
            self.thread = threading.Thread(target=self._upload_loop, daemon=True)
            self.thread.start()
        self.wanted.set()

    def publish(self) -> None:
        """Upload the finished folder (labeltune.json last); drop the stored checkpoint."""
        if not self.remote:
            return
        self.close()  # an epoch's upload still going would put the checkpoint back
        files.publish_folder(self.run.files_name, INFO_FILE, skip=STAYS_LOCAL)
        files.remove(self.run.checkpoint_name)

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
            try:
                files.publish(self.run.checkpoint_name)
            except FileNotFoundError:
                pass  # training ended and finetune removed it
            except Exception:  # the storage is down: training goes on, the next epoch retries
                logger.exception("Run %s: could not upload its checkpoint", self.run.uuid)

    def _stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.run.checkpoint_file.stat()
        except FileNotFoundError:
            return None
        return stat.st_ino, stat.st_mtime_ns
