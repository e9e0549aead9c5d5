"""A real S3-compatible server for the storage tests: moto's server on loopback.

    with s3_server() as s3:               # ThreadedMotoServer on a free port, one bucket
        with s3.settings(cache_dir):       # this process: STORAGES to the bucket, its cache
            ...
        env = base_env | s3.env(cache_dir)  # a worker subprocess: the same bucket, its cache
        s3.keys("runs/")                   # what the bucket holds under a prefix

    with s3_process() as s3:              # the same server as a process of its own...
        s3.stop()                          # ...killed: the storage is gone (connections refused)

The server speaks the S3 protocol over HTTP (boto3 and django-storages talk to it exactly as
to AWS or MinIO); nothing of the app is mocked. The credentials are made up: moto accepts any.
"""

import logging
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from django.conf import settings
from django.test import override_settings

from tests.waiting import wait_until
from webapp.settings import s3_storage

BUCKET = "labeltune-test"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "labeltune-test-key",
    "AWS_SECRET_ACCESS_KEY": "labeltune-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
}


class S3:
    def __init__(self, endpoint: str):
        self.endpoint = endpoint
        self.bucket = BUCKET

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, **boto_credentials())

    def env(self, cache_dir: Path) -> dict[str, str]:
        """Environment for a process on "another machine": the bucket, its own cache."""
        return CREDENTIALS | {
            "LABELTUNE_S3_BUCKET": self.bucket,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "LABELTUNE_CACHE_DIR": str(cache_dir),
        }

    @contextmanager
    def settings(self, cache_dir: Path, prefix: str = "", **extra):
        """This process on the bucket, as LABELTUNE_S3_BUCKET would set it up."""
        default = s3_storage(self.bucket, self.endpoint, prefix=prefix)
        storages = dict(settings.STORAGES) | {"default": default}
        with (
            mock.patch.dict(os.environ, CREDENTIALS),
            override_settings(STORAGES=storages, LABELTUNE_CACHE_DIR=cache_dir, **extra),
        ):
            yield

    def keys(self, prefix: str = "") -> list[str]:
        pages = (
            self.client()
            .get_paginator("list_objects_v2")
            .paginate(Bucket=self.bucket, Prefix=prefix)
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", ()))

    def put(self, key: str, data: bytes) -> None:
        self.client().put_object(Bucket=self.bucket, Key=key, Body=data)

    def delete(self, key: str) -> None:
        self.client().delete_object(Bucket=self.bucket, Key=key)

    def empty(self) -> None:
        for key in self.keys():
            self.delete(key)


class S3Process(S3):
    """An S3 server in a process of its own, which a test can take away mid-run."""

    def __init__(self, port: int):
        super().__init__(f"http://127.0.0.1:{port}")
        args = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def wait_ready(self, timeout: float = 30) -> None:
        def answers() -> bool:
            assert self.process.poll() is None, "the S3 server exited at start"
            try:
                self.client().list_buckets()
            except Exception:  # not listening yet
                return False
            return True

        wait_until(answers, timeout, "the S3 server to answer")

    def stop(self) -> None:
        """Kill the server: its port closes, so every request is refused at once."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def boto_credentials() -> dict:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "region_name": CREDENTIALS["AWS_DEFAULT_REGION"],
    }


@contextmanager
def s3_server():
    """moto's S3 server on 127.0.0.1 and a free port, with an empty bucket."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        s3 = S3(f"http://{host}:{port}")
        s3.client().create_bucket(Bucket=s3.bucket)
        s3.empty()  # moto keeps its buckets for the whole test process
        yield s3
    finally:
        server.stop()


@contextmanager
def s3_process():
    """moto's S3 server as a separate process on 127.0.0.1 and a free port, with an empty
    bucket; s3.stop() takes it away (as when the storage goes down)."""
    from tests.webapp.runs_support import free_port

    s3 = S3Process(free_port())
    try:
        s3.wait_ready()
        s3.client().create_bucket(Bucket=s3.bucket)
        yield s3
    finally:
        s3.stop()
