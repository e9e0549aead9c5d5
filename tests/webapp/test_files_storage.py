"""lib.files on a real S3-compatible server (moto on loopback), and on the local media folder.

The end-to-end flow through pages and a worker is in test_worker_s3.py; these check the
rules each operation keeps: a folder is used only when its last file arrived, a local copy
is reused, publishing sends the last file last, removal reaches the bucket.
"""

import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings

from lib import files
from tests.webapp.s3_support import s3_server

RUN = "runs/1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed"
FOLDER = {
    "config.json": b'{"model_type": "bert"}',
    "model.safetensors": b"weights" * 1000,
    "tokenizer/vocab.txt": b"[PAD]\nhello\n",
    "labeltune.json": b'{"task": "single_label"}',
}


@pytest.fixture(scope="module")
def server():
    with s3_server() as s3:
        yield s3


@pytest.fixture
def s3(server, tmp_path):
    """This process on the bucket (emptied first), with a fresh cache folder."""
    server.empty()
    with server.settings(tmp_path / "cache"):
        yield server


def store(s3, folder: dict[str, bytes], name: str = RUN) -> None:
    for relative, data in folder.items():
        s3.put(f"{name}/{relative}", data)


def test_it_fetches_a_folder_once_and_then_reuses_it(s3, tmp_path):
    store(s3, FOLDER)
    assert files.is_remote()
    folder = files.fetch_folder(RUN, "labeltune.json")
    assert folder == tmp_path / "cache" / RUN
    for relative, data in FOLDER.items():
        assert (folder / relative).read_bytes() == data
    s3.empty()  # a second fetch that went to the bucket would fail now
    assert files.fetch_folder(RUN, "labeltune.json") == folder
    assert sorted(p.name for p in folder.parent.iterdir()) == [folder.name, f"{folder.name}.lock"]


def test_it_refuses_a_folder_whose_last_file_is_not_stored(s3, tmp_path):
    store(s3, {k: v for k, v in FOLDER.items() if k != "labeltune.json"})
    with pytest.raises(FileNotFoundError):
        files.fetch_folder(RUN, "labeltune.json")
    assert not (tmp_path / "cache" / RUN).exists()


def test_it_replaces_an_incomplete_local_copy(s3):
    store(s3, FOLDER)
    stale = files.local_path(f"{RUN}/config.json")
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"left by a failed attempt")
    folder = files.fetch_folder(RUN, "labeltune.json")
    assert (folder / "config.json").read_bytes() == FOLDER["config.json"]
    assert (folder / "labeltune.json").is_file()


def test_it_publishes_a_folder_with_its_last_file_last(s3, monkeypatch):
    folder = files.local_path(RUN)
    for relative, data in FOLDER.items() | {".checkpoint/state.pt": b"optimizer"}.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(data)
    sent = []
    publish = files.publish
    monkeypatch.setattr(files, "publish", lambda name: (sent.append(name), publish(name)))

    files.publish_folder(RUN, "labeltune.json", skip=(".checkpoint",))

    assert sent[-1] == f"{RUN}/labeltune.json"
    assert s3.keys() == sorted(f"{RUN}/{relative}" for relative in FOLDER)
    data = s3.client().get_object(Bucket=s3.bucket, Key=f"{RUN}/model.safetensors")["Body"]
    assert data.read() == FOLDER["model.safetensors"]


def test_it_refuses_to_publish_a_folder_without_its_last_file(s3):
    folder = files.local_path(RUN)
    folder.mkdir(parents=True)
    (folder / "config.json").write_bytes(b"{}")
    with pytest.raises(FileNotFoundError):
        files.publish_folder(RUN, "labeltune.json")
    assert s3.keys() == []


def test_it_fetches_a_single_file_and_reads_without_caching(s3):
    s3.put("spreadsheets/abc/original.csv", b"text,label\nhi,a\n")
    path = files.fetch("spreadsheets/abc/original.csv")
    assert path.read_bytes() == b"text,label\nhi,a\n"
    assert not files.fetch("spreadsheets/missing/original.csv").exists()

    s3.put(f"{RUN}/labeltune.json", b"{}")
    assert files.read_bytes(f"{RUN}/labeltune.json") == b"{}"
    assert not files.local_path(f"{RUN}/labeltune.json").exists()  # the folder is not complete
    with pytest.raises(FileNotFoundError):
        files.read_bytes(f"{RUN}/README.md")


def test_it_saves_to_the_bucket_and_keeps_a_local_copy(s3):
    name = files.save("batches/pending/x/input.csv", ContentFile(b"review\ngood\n"))
    assert name == "batches/pending/x/input.csv"
    assert s3.keys() == [name]
    assert files.local_path(name).read_bytes() == b"review\ngood\n"


def test_it_removes_files_and_folders_from_the_bucket_and_this_machine(s3):
    store(s3, FOLDER)
    store(s3, {"input.csv": b"x"}, name="batches/b1")
    folder = files.fetch_folder(RUN, "labeltune.json")
    files.remove_folder(RUN)
    assert s3.keys() == ["batches/b1/input.csv"]
    assert not folder.exists()
    assert not folder.with_name(f"{folder.name}.lock").exists()
    files.fetch("batches/b1/input.csv")
    files.remove("batches/b1/input.csv")
    assert s3.keys() == []
    assert not files.local_path("batches/b1").exists()


def test_it_prunes_only_folders_older_than_the_age_given(s3):
    s3.put("batches/pending/a/input.csv", b"1")
    s3.put("batches/pending/b/input.csv", b"2")
    files.prune("batches/pending", 3600)
    assert len(s3.keys()) == 2  # both just written
    files.prune("batches/pending", -60)  # everything counts as old
    assert s3.keys() == []


def test_it_streams_downloads_from_the_bucket(s3):
    s3.put("batches/b1/scored.csv", b"review,prediction\ngood,positive\n")
    response = files.download_response("batches/b1/scored.csv", "reviews with predictions.csv")
    assert b"".join(response.streaming_content) == b"review,prediction\ngood,positive\n"
    assert response["Content-Length"] == "32"
    assert 'filename="reviews with predictions.csv"' in response["Content-Disposition"]
    with pytest.raises(FileNotFoundError):
        files.download_response("batches/b1/missing.csv", "x.csv")


def test_it_redirects_downloads_to_a_presigned_link_when_asked(s3):
    s3.put("batches/b1/scored.csv", b"review,prediction\n")
    with override_settings(LABELTUNE_S3_PRESIGNED_DOWNLOADS=True):
        response = files.download_response("batches/b1/scored.csv", "scores.csv")
    assert response.status_code == 302
    assert response["Location"].startswith(s3.endpoint)
    with urllib.request.urlopen(response["Location"]) as answer:  # what the browser fetches
        assert answer.read() == b"review,prediction\n"
        assert 'filename="scores.csv"' in answer.headers["Content-Disposition"]


def test_it_keeps_everything_under_the_prefix_given(server, tmp_path):
    server.empty()
    with server.settings(tmp_path / "cache", prefix="prod"):
        store(server, FOLDER, name=f"prod/{RUN}")
        folder = files.fetch_folder(RUN, "labeltune.json")
        assert (folder / "model.safetensors").read_bytes() == FOLDER["model.safetensors"]
        response = files.download_response(f"{RUN}/config.json", "config.json")
        assert b"".join(response.streaming_content) == FOLDER["config.json"]
        files.save("batches/b1/input.csv", ContentFile(b"x"))
        assert "prod/batches/b1/input.csv" in server.keys()
        files.remove_folder(RUN)
        assert server.keys() == ["prod/batches/b1/input.csv"]
    server.empty()  # moto keeps the bucket for the rest of this process's tests


def test_every_operation_is_the_media_folder_itself_on_local_storage(tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        assert not files.is_remote()
        folder = files.local_path(RUN)
        assert folder == tmp_path / "media" / RUN
        folder.mkdir(parents=True)
        (folder / "labeltune.json").write_bytes(b"{}")
        assert files.fetch_folder(RUN, "labeltune.json") == folder
        files.publish_folder(RUN, "labeltune.json")  # nothing to send anywhere
        assert files.read_bytes(f"{RUN}/labeltune.json") == b"{}"
        assert list((tmp_path / "media").iterdir()) == [tmp_path / "media" / "runs"]
        files.remove_folder(RUN)
        assert not folder.exists()
