"""The queued-job lifecycle: rows that each follow one RQ job (training runs, batch
predictions, label checks, row picks) and the worker that runs them.

- lifecycle: QueuedJob (the abstract model those rows share), its statuses and the one enqueue.
- maintenance: repair of rows whose worker died or whose job was never enqueued.
- worker: the RQ worker class (settings.RQ["WORKER_CLASS"]).

No app's models or jobs are imported here: a row names its job by dotted path, and the repair
finds the rows among the installed apps' models.
"""
