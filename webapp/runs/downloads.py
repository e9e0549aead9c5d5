"""Send a file made on the fly, without leaving it on disk.

    return temp_download(lambda path: write_table(frame, path), ".xlsx", "scores.xlsx")

The file is written to a temporary path, opened, and unlinked at once: the open handle keeps
the data readable while FileResponse streams it, and nothing is left behind afterwards.
"""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.http import FileResponse


def temp_download(write: Callable[[Path], object], suffix: str, filename: str) -> FileResponse:
    fd, name = tempfile.mkstemp(suffix=suffix, prefix="labeltune-")
    os.close(fd)
    path = Path(name)
    try:
        write(path)
        handle = path.open("rb")
    finally:
        path.unlink(missing_ok=True)
    return FileResponse(handle, as_attachment=True, filename=filename)
