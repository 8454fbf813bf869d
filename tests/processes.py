"""Waiting for, and stopping, a server process that a test started (shared by the test
folders)."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path
from typing import Any

import pytest


def wait_until_answers(url: str, process: subprocess.Popen[Any], log: Path, *,
                       name: str, timeout_s: float) -> None:
    """Poll ``url`` until it answers 200; fail with the server's log if it exits or is late."""
    import httpx

    deadline = time.monotonic() + timeout_s
    while True:
        if process.poll() is not None:
            pytest.fail(f"{name} exited:\n{log.read_text()[-4000:]}", pytrace=False)
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"{name} did not answer {url} within {timeout_s:.0f} s:\n"
                        + log.read_text()[-4000:], pytrace=False)
        time.sleep(0.2)


def stop_process(process: subprocess.Popen[Any], timeout: float = 10.0) -> None:
    """Ask the process to end (SIGTERM); kill it if it has not within ``timeout`` s."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)
