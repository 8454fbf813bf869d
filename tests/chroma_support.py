"""Start a real `chroma run` server on loopback for a test (shared by the test folders)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from processes import stop_process


def chroma_executable() -> str | None:
    """Return the `chroma` command installed with chromadb, or None."""
    beside = Path(sys.executable).parent / "chroma"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("chroma")


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_chroma(executable: str, root: Path) -> Iterator[str]:
    """Run `chroma run` with its data under ``root`` until the block ends; yield its URL.

    Fails the test (with the end of the server's log) when it exits or does not answer
    its heartbeat within 60 s.
    """
    import httpx

    port = free_port()
    root.mkdir(parents=True, exist_ok=True)
    log_path = root / "chroma.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [executable, "run", "--path", str(root / "data"), "--host", "127.0.0.1",
             "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                pytest.fail(f"chroma run exited: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("chroma run did not answer its heartbeat within 60 s")
            time.sleep(0.2)
        yield url
    finally:
        stop_process(process)
