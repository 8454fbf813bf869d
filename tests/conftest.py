"""Shared fixtures: every test gets its own data directory and no network but loopback."""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kambot.config import Settings

# Helpers shared by several test folders (loopback_uvicorn.py) sit beside this file.
sys.path.insert(0, str(Path(__file__).resolve().parent))

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


# --- One suite, two back ends --------------------------------------------------------
# "sqlite+embedded": SQLite in the test's data directory and an embedded Chroma store
# (PersistentClient). "postgres+server": a PostgreSQL database of its own (created from
# a migrated template in ~50 ms) and the session's `chroma run` server on loopback.
# Tests that take `backend_settings` (or `backend`) run once per back end. Without a
# PostgreSQL server or the `chroma` executable the second variant is skipped, except
# under CI=true where that is a failure: CI must not silently lose it.

BACKENDS = (
    pytest.param("sqlite+embedded", id="sqlite+embedded"),
    pytest.param("postgres+server", id="postgres+server",
                 marks=(pytest.mark.postgres, pytest.mark.chroma_server)),
)


def _in_ci() -> bool:
    import os

    return os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"CI=true but {reason}", pytrace=False)
    pytest.skip(reason)


class PostgresDatabases:
    """Hand out throw-away databases on the session's PostgreSQL server.

    A migrated database is copied from a template migrated once per session (~0.5 s),
    then recycled: when a test gives it back, its connections are closed and its tables
    emptied (``TRUNCATE ... RESTART IDENTITY``, a few ms), unless the test changed the
    schema, in which case it is dropped.
    """

    def __init__(self, admin_url: str) -> None:
        import sqlalchemy as sa

        self._sa = sa
        self.admin_url = admin_url
        self.admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
        self._template: str | None = None
        self._tables: frozenset[str] = frozenset()
        self._created: set[str] = set()
        self._free: list[str] = []

    def url_of(self, name: str) -> str:
        """Return the SQLAlchemy URL of database ``name`` on this server."""
        return self._sa.make_url(self.admin_url).set(database=name).render_as_string(
            hide_password=False)

    def _template_name(self) -> str:
        import uuid

        from kambot.store.db import create_engine_for_url, migrate

        if self._template is None:
            name = f"kambot_tpl_{uuid.uuid4().hex[:10]}"
            with self.admin.connect() as conn:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
            engine = create_engine_for_url(self.url_of(name))
            try:
                migrate(engine)
                with engine.connect() as conn:
                    self._tables = frozenset(self._sa.inspect(conn).get_table_names())
            finally:
                engine.dispose()
            # No connection may be open on a template while it is copied: autovacuum
            # skips databases that refuse connections.
            with self.admin.connect() as conn:
                conn.exec_driver_sql(
                    f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
            self._template = name
        return self._template

    def create(self, *, migrated: bool = True) -> str:
        """Return the URL of an empty database: at the latest revision, or with no schema."""
        import uuid

        if migrated and self._free:
            return self.url_of(self._free.pop())
        template = self._template_name() if migrated else "template0"
        name = f"kambot_t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        self._created.add(name)
        return self.url_of(name)

    def drop(self, url: str) -> None:
        """Give a database back: emptied for the next test, or dropped."""
        name = self._sa.make_url(url).database
        assert name in self._created
        with self.admin.connect() as conn:
            conn.execute(self._sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        if self._template is not None and self._empty_again(url):
            self._free.append(name)
            return
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._created.discard(name)

    def _empty_again(self, url: str) -> bool:
        from kambot.store.db import pending_migrations

        engine = self._sa.create_engine(url, poolclass=self._sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                tables = set(self._sa.inspect(conn).get_table_names())
            if tables != self._tables or pending_migrations(engine):
                return False
            listed = ", ".join(f'"{t}"' for t in sorted(tables - {"alembic_version"}))
            with engine.begin() as conn:
                conn.exec_driver_sql("SET LOCAL lock_timeout = '5s'")
                conn.exec_driver_sql(f"TRUNCATE {listed} RESTART IDENTITY CASCADE")
            return True
        except Exception:  # anything odd: the database is dropped instead
            return False
        finally:
            engine.dispose()

    def close(self) -> None:
        """Drop every database made, then the template."""
        with self.admin.connect() as conn:
            for name in list(self._created):
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            if self._template is not None:
                conn.exec_driver_sql(
                    f'ALTER DATABASE "{self._template}" WITH IS_TEMPLATE false')
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{self._template}"')
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    """Return the session's database factory (fails under CI=true without a server)."""
    import os

    url = os.environ.get("KAMBOT_TEST_POSTGRES_URL")
    if not url:
        _unavailable("KAMBOT_TEST_POSTGRES_URL is unset: PostgreSQL did not start (is the "
                     "postgresql package installed?)")
    assert url is not None
    databases = PostgresDatabases(url)
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture
def postgres_database(postgres_databases: PostgresDatabases) -> Iterator[str]:
    """Return the URL of a fresh, migrated and empty PostgreSQL database."""
    url = postgres_databases.create()
    try:
        yield url
    finally:
        postgres_databases.drop(url)


@pytest.fixture(scope="session")
def chroma_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Start one `chroma run` server on loopback for the session and return its URL.

    Tests share it safely: every index build writes a collection named after its own
    generation.
    """
    from chroma_support import chroma_executable, running_chroma

    executable = chroma_executable()
    if executable is None:
        _unavailable("the `chroma` executable (installed with chromadb) is missing")
    assert executable is not None
    with running_chroma(executable, tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Return the back end under test: ``sqlite+embedded`` or ``postgres+server``."""
    return str(request.param)


@pytest.fixture
def backend_overrides(backend: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Return the Settings fields selecting the back end (empty for SQLite + embedded)."""
    if backend == "sqlite+embedded":
        return {}
    return {"database_url": request.getfixturevalue("postgres_database"),
            "chroma_url": request.getfixturevalue("chroma_server_url")}


@pytest.fixture
def backend_settings(backend_overrides: dict[str, Any], tmp_path: Path) -> Settings:
    """Return settings on a fresh data directory and database of the back end under test.

    On PostgreSQL the database is already migrated (and empty); on SQLite it does not
    exist yet. Either way ``open_store`` / ``migrate`` bring it to the latest revision.
    """
    return Settings(data_dir=tmp_path / "data", _env_file=None,  # type: ignore[call-arg]
                    **backend_overrides)
