"""Send a file made on the fly, without leaving it on disk.

    return temp_download(lambda path: write_table(frame, path), ".xlsx", "scores.xlsx")
    return temp_download(lambda path: zip_folder(path, files, "reviews"), ".zip", "reviews.zip")

The file is written to a temporary path, opened, and unlinked at once: the open handle keeps
the data readable while FileResponse streams it, and nothing is left behind afterwards.
"""

import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

from django.http import FileResponse

STORED = (".safetensors", ".bin")  # already dense: zipping them only costs time


def zip_folder(path: Path, files: Iterable[tuple[str, Path | bytes]], folder: str) -> None:
    """Write `files` (path inside the folder, and the file or its bytes; a model's come from
    catalog.sharing.leaving_files) into the zip `path`, inside one folder named `folder`."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in files:
            arcname = f"{folder}/{name}"
            if isinstance(content, bytes):
                archive.writestr(arcname, content, compress_type=zipfile.ZIP_DEFLATED)
            else:
                method = zipfile.ZIP_STORED if content.suffix in STORED else zipfile.ZIP_DEFLATED
                archive.write(content, arcname, compress_type=method)


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
