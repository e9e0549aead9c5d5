"""Files through Django's storage API: the local media folder by default, S3-compatible
object storage when LABELTUNE_S3_BUCKET is set (settings.STORAGES["default"]).

Every file has a storage name ("spreadsheets/<uuid>/original.csv", "runs/<uuid>/...",
"batches/<uuid>/scored.csv"). finetune and pandas read and write local paths, so each
machine works on a local copy: on local storage that is the stored file itself (every
call below is then a no-op or an identity), on object storage a copy under
settings.LABELTUNE_CACHE_DIR.

    path = fetch("spreadsheets/<uuid>/original.csv")   # local copy (missing if not stored)
    folder = fetch_folder("runs/<uuid>", "labeltune.json")  # complete copy, downloaded once
    data = read_bytes("runs/<uuid>/metrics.json")      # one small file, not cached
    publish_folder("runs/<uuid>", "labeltune.json")    # after training: upload, that file last
    publish("batches/<uuid>/scored.csv")               # upload local_path(name)
    remove_folder("runs/<uuid>")                       # from the storage and this machine
    prune("batches/pending", 24 * 3600)                # subfolders older than a day
    return download_response(name, "scores.csv")       # streamed, or a presigned link

A folder counts as complete on this machine when its `last` file is there: fetch_folder
downloads into a fresh folder, writes `last` at the end, and renames it into place under a
file lock, so readers never see half a model and two processes never download it twice.
"""

import errno
import fcntl
import logging
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.http import content_disposition_header

logger = logging.getLogger(__name__)

CHUNK = 1024 * 1024  # bytes per read when copying through a storage that is not S3


def is_remote() -> bool:
    """True when files live in object storage (the storage has no local paths)."""
    try:
        default_storage.path("")
    except NotImplementedError:
        return True
    return False


def local_path(name: str) -> Path:
    """Where `name` lives on this machine: in the media folder, or in the local cache."""
    if not is_remote():
        return Path(default_storage.path(name))
    root = Path(settings.LABELTUNE_CACHE_DIR).resolve()
    path = (root / name).resolve()
    if not path.is_relative_to(root):
        raise ValueError(f"{name!r} is outside the cache folder.")
    return path


def exists(name: str) -> bool:
    return default_storage.exists(name)


def fetch(name: str) -> Path:
    """The file on this machine, downloaded into the cache the first time (stored files never
    change: their names carry a new uuid). The path does not exist when nothing is stored."""
    path = local_path(name)
    if is_remote() and not path.is_file():
        try:
            download(name)
        except FileNotFoundError:
            pass
    return path


def download(name: str) -> Path:
    """Download `name` into the cache now, replacing a local copy; FileNotFoundError when
    the storage does not have it."""
    path = local_path(name)
    if is_remote():
        _download(name, path)
    elif not path.is_file():
        raise FileNotFoundError(name)
    return path


def fetch_folder(name: str, last: str) -> Path:
    """The folder on this machine, complete: downloaded once (`last` at the end), then reused.
    FileNotFoundError when the storage does not hold `last` (the folder is not complete)."""
    target = local_path(name)
    if not is_remote() or (target / last).is_file():
        return target
    with _locked(target):
        if (target / last).is_file():  # another process finished the download meanwhile
            return target
        names = list(walk(name))
        if last not in names:
            raise FileNotFoundError(f"{name}/{last}")
        partial = target.with_name(f"{target.name}.partial-{uuid.uuid4().hex[:8]}")
        try:
            for relative in sorted(names, key=lambda n: n == last):  # `last` last
                _download(f"{name}/{relative}", partial / relative)
            if target.exists():  # an incomplete copy (a single file fetched, a failed run)
                shutil.rmtree(target)
            partial.rename(target)
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return target


def read_bytes(name: str) -> bytes:
    """One file's bytes: the local copy when this machine has one, else from the storage
    without caching it (for small files a page shows); FileNotFoundError when missing."""
    path = local_path(name)
    if not is_remote() or path.is_file():
        return path.read_bytes()
    with default_storage.open(name, "rb") as handle:
        return handle.read()


def save(name: str, content) -> str:
    """Store `content` (a Django File or upload) under `name`; on object storage the local
    copy is written too, so this machine need not download it back. Returns the name used."""
    name = default_storage.save(name, content)
    if is_remote():
        path = local_path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        content.seek(0)
        temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.part")
        try:
            with temporary.open("wb") as out:
                for chunk in content.chunks():
                    out.write(chunk)
            temporary.replace(path)
        finally:
            temporary.unlink(missing_ok=True)
    return name


def publish(name: str) -> None:
    """Upload this machine's copy of `name` (local_path) to the storage."""
    if not is_remote():
        return
    with local_path(name).open("rb") as handle:
        # Overwrites: S3Storage keeps the name (file_overwrite), so a new epoch's checkpoint
        # replaces the last one.
        default_storage.save(name, File(handle, name=Path(name).name))


def publish_folder(name: str, last: str, skip: tuple[str, ...] = ()) -> None:
    """Upload every file of this machine's folder, `last` at the end, so a reader that finds
    `last` in the storage finds the whole folder. Folders named in `skip` stay behind."""
    if not is_remote():
        return
    folder = local_path(name)
    files = [
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and not set(p.relative_to(folder).parts) & set(skip)
    ]
    if last not in files:
        raise FileNotFoundError(f"{name}/{last}")
    for relative in sorted(files, key=lambda n: n == last):
        publish(f"{name}/{relative}")


def walk(name: str) -> Iterator[str]:
    """The names of the stored files under folder `name`, relative to it, subfolders too."""
    try:
        folders, files = default_storage.listdir(name)
    except FileNotFoundError:  # local storage: no such folder
        return
    yield from files
    for sub in folders:
        yield from (f"{sub}/{relative}" for relative in walk(f"{name}/{sub}"))


def remove(name: str) -> None:
    """Delete one stored file and this machine's copy, and its folder once it is empty."""
    default_storage.delete(name)
    path = local_path(name)
    path.unlink(missing_ok=True)
    try:
        path.parent.rmdir()
    except OSError as err:
        if err.errno not in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOENT):  # other files: kept
            logger.warning("Could not remove the empty folder %s: %r", path.parent, err)


def remove_folder(name: str) -> None:
    """Delete every stored file under folder `name`, and this machine's copy of it."""
    folder = local_path(name)
    if is_remote():
        for relative in list(walk(name)):
            default_storage.delete(f"{name}/{relative}")
        folder.with_name(f"{folder.name}.lock").unlink(missing_ok=True)
    shutil.rmtree(folder, ignore_errors=True)


def prune(name: str, max_age: float) -> None:
    """Delete each subfolder of folder `name` whose files are all older than `max_age`
    seconds (uploads left waiting)."""
    try:
        subfolders = default_storage.listdir(name)[0]
    except FileNotFoundError:  # local storage: no such folder yet
        return
    cutoff = timezone.now() - timedelta(seconds=max_age)
    for sub in subfolders:
        folder = f"{name}/{sub}"
        times = [default_storage.get_modified_time(f"{folder}/{f}") for f in walk(folder)]
        if all(time < cutoff for time in times):
            remove_folder(folder)


def download_response(name: str, filename: str) -> HttpResponse:
    """The stored file as an attachment named `filename`: streamed from the storage, or, with
    LABELTUNE_S3_PRESIGNED_DOWNLOADS, a redirect to a link the browser fetches from the
    bucket itself. FileNotFoundError when nothing is stored under `name`."""
    if not is_remote():
        return FileResponse(local_path(name).open("rb"), as_attachment=True, filename=filename)
    if settings.LABELTUNE_S3_PRESIGNED_DOWNLOADS:
        disposition = content_disposition_header(True, filename)
        url = default_storage.url(name, parameters={"ResponseContentDisposition": disposition})
        return HttpResponseRedirect(url)
    if _is_s3():
        # Straight from the object's body: S3Storage.open would first copy it all into memory.
        try:
            body = default_storage.bucket.Object(_s3_key(name)).get()
        except Exception as err:
            _raise_missing(err, name)
            raise
        response = FileResponse(body["Body"], as_attachment=True, filename=filename)
        response["Content-Length"] = str(body["ContentLength"])
        return response
    return FileResponse(default_storage.open(name, "rb"), as_attachment=True, filename=filename)


def _download(name: str, path: Path) -> None:
    """Copy stored `name` to `path` through a temporary file (a reader never sees half)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        if _is_s3():  # ranged, parallel download straight into the file
            try:
                default_storage.bucket.download_file(
                    _s3_key(name), str(temporary), Config=default_storage.transfer_config
                )
            except Exception as err:
                _raise_missing(err, name)
                raise
        else:
            with default_storage.open(name, "rb") as source, temporary.open("wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def _is_s3() -> bool:
    from storages.backends.s3 import S3Storage

    return isinstance(default_storage, S3Storage)


def _s3_key(name: str) -> str:
    from storages.utils import clean_name

    return default_storage._normalize_name(clean_name(name))  # the bucket prefix, if any


def _raise_missing(err: Exception, name: str) -> None:
    """FileNotFoundError for an S3 "not found" answer; other errors are left to the caller."""
    code = str(getattr(err, "response", {}).get("Error", {}).get("Code", ""))
    if code in ("404", "NoSuchKey", "NotFound"):
        raise FileNotFoundError(name) from err


@contextmanager
def _locked(folder: Path):
    """Hold an exclusive lock beside `folder` (between processes and threads alike)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder.with_name(f"{folder.name}.lock"), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
