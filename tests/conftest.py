"""Shared fixtures: every test gets its own data directory and no network but loopback."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kambot.config import Settings

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

_real_connect = socket.socket.connect


def _is_loopback(address: Any) -> bool:
    if isinstance(address, tuple) and address:
        host = str(address[0])
        if host in ("localhost", ""):
            return True
        try:
            return ipaddress.ip_address(host.split("%", maxsplit=1)[0]).is_loopback
        except ValueError:
            return False
    return True  # AF_UNIX paths and the like


def _guarded_connect(self: socket.socket, address: Any) -> Any:
    if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
        raise ConnectionRefusedError(f"tests may not reach the network: {address!r}")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    yield


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Return settings pointing at a fresh data directory (SQLite, offline)."""
    return Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def shared_data() -> Path:
    """Return ../shared/data, skipping the test when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent")
    return SHARED_DATA


# --- A throwaway PostgreSQL server for the whole test session -----------------------
# Started from the Debian `postgresql` package's binaries (installed by .ci/run) when
# KAMBOT_TEST_POSTGRES_URL is not already set; tests that need it read that variable.

_PG: dict[str, Any] = {}


def _find_pg_bin() -> Path | None:
    import glob

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_postgres() -> str | None:
    import os
    import shutil
    import subprocess
    import tempfile

    bindir = _find_pg_bin()
    if bindir is None:
        return None
    root = Path(tempfile.mkdtemp(prefix="kambot-pg-"))
    data = root / "data"
    run_as: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        os.chmod(root, 0o700)
        run_as = ["runuser", "-u", "postgres", "--"]
    port = _free_port()
    subprocess.run(
        [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
         "-E", "UTF8", "--no-sync"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True,
    )
    subprocess.run(
        [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"), "-w", "-o",
         f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True,
    )
    _PG.update(root=root, data=data, bindir=bindir, run_as=run_as)
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def pytest_configure(config: pytest.Config) -> None:
    import os

    if os.environ.get("KAMBOT_TEST_POSTGRES_URL") or os.environ.get("KAMBOT_TEST_NO_POSTGRES"):
        return
    try:
        url = _start_postgres()
    except Exception as exc:  # a broken local install must not hide the rest of the suite
        print(f"kambot tests: could not start PostgreSQL: {exc}")
        url = None
    if url:
        os.environ["KAMBOT_TEST_POSTGRES_URL"] = url


def pytest_unconfigure(config: pytest.Config) -> None:
    import shutil
    import subprocess

    if not _PG:
        return
    subprocess.run(
        [*_PG["run_as"], str(_PG["bindir"] / "pg_ctl"), "-D", str(_PG["data"]), "-m", "fast",
         "-w", "stop"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
    )
    shutil.rmtree(_PG["root"], ignore_errors=True)
    _PG.clear()
