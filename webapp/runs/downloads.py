"""Send a file made on the fly, without leaving it on disk.

    return temp_download(lambda path: write_table(frame, path), ".xlsx", "scores.xlsx")
    return temp_download(lambda path: zip_folder(path, run_dir, "reviews"), ".zip", "reviews.zip")

The file is written to a temporary path, opened, and unlinked at once: the open handle keeps
the data readable while FileResponse streams it, and nothing is left behind afterwards.
"""

import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from django.http import FileResponse

STORED = (".safetensors", ".bin")  # already dense: zipping them only costs time


def zip_folder(path: Path, source: Path, folder: str) -> None:
    """Write every file under `source` into the zip `path`, inside one folder named `folder`."""
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(p for p in source.rglob("*") if p.is_file()):
            method = zipfile.ZIP_STORED if file.suffix in STORED else zipfile.ZIP_DEFLATED
            arcname = f"{folder}/{file.relative_to(source).as_posix()}"
            archive.write(file, arcname, compress_type=method)


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
