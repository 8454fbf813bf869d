"""Start a real `chroma run` server on loopback for a test (shared by the test folders)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from processes import stop_process, wait_until_answers


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
        wait_until_answers(f"{url}/api/v2/heartbeat", process, log_path, name="chroma run",
                           timeout_s=60)
        yield url
    finally:
        stop_process(process)
