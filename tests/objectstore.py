"""An S3-compatible server (moto's) on loopback for the length of a block, with the AWS SDK's settings pointed at
it (inherited by child processes and Dask workers); stopped after."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from flows.shared import storage


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def s3_server(log: Path, bucket: str = "pfs") -> Iterator[str]:
    """moto's server on a free port with an empty bucket; yields its s3:// URL."""
    port = free_port()
    with log.open("w") as sink:
        server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                  stdout=sink, stderr=subprocess.STDOUT)  # fmt: skip
    patch = pytest.MonkeyPatch()
    for name, value in {"AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}", "AWS_ACCESS_KEY_ID": "test",
                        "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1"}.items():  # fmt: skip
        patch.setenv(name, value)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"moto server did not start: {log.read_text()}") from None
                time.sleep(0.2)
        storage.filesystem("s3://").mkdir(bucket)
        yield f"s3://{bucket}"
    finally:
        patch.undo()
        server.terminate()
        server.wait(timeout=10)
