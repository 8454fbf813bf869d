"""Startup checks: what would break kambot is found before it breaks, with the fix.

:func:`run_startup_checks` looks at the settings and the store and returns one
:class:`CheckResult` per concern (``kambot doctor`` prints them all);
:func:`assert_startable` raises the first error as a :class:`~kambot.errors.ConfigError`
or :class:`~kambot.errors.StoreError` (message and hint) and returns the warnings. The
concerns:

- ``data_dir``: the data directory (and the index folder in it) can be written;
- ``sqlite_wal``: the linked SQLite has the WAL-reset bug (3.7.0 <= v < 3.51.3) and
  several API workers would write the same file;
- ``database``: the database answers;
- ``migrations``: no migration is pending, or only one process will apply them;
- ``index``: the search index was built with the embedding function (and Chroma mode)
  the settings ask for;
- ``chroma``: the Chroma server answers (when ``KAMBOT_CHROMA_URL`` is set).

How many API workers there are is declared, not guessed: ``WEB_CONCURRENCY`` (the
variable uvicorn and gunicorn read for their worker count) or ``KAMBOT_API_WORKERS``;
see :func:`declared_api_workers`. A second API *process* on a SQLite database with the
bug is also caught at run time by :func:`claim_sqlite_server`, a lock next to the
database file that the API holds while it runs.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from kambot.errors import ConfigError, KambotError, StoreError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.config import Settings

Status = Literal["ok", "warn", "error"]
Category = Literal["config", "store"]

WORKER_VARIABLES = ("WEB_CONCURRENCY", "KAMBOT_API_WORKERS")
CHROMA_TIMEOUT_S = 2.0


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one startup check.

    Attributes:
        name: which concern (``data_dir``, ``sqlite_wal``, ``database``, ``migrations``,
            ``index``, ``chroma``).
        status: ``ok``, ``warn`` (works, but read the message) or ``error`` (refuse
            to start).
        message: what was found.
        fix: how to fix it (None when there is nothing to do).
        category: the error class :func:`assert_startable` raises for it.
    """

    name: str
    status: Status
    message: str
    fix: str | None = None
    category: Category = field(default="store", compare=False)

    @property
    def ok(self) -> bool:
        """Tell whether the check passed without reservation."""
        return self.status == "ok"

    def to_json(self) -> dict[str, str | None]:
        """Return the result as a JSON-ready mapping."""
        return {"name": self.name, "status": self.status, "message": self.message,
                "fix": self.fix}


def is_index_writer(settings: Settings) -> bool:
    """Tell whether this process may build and rebuild the search index.

    Read from ``settings.index_writer`` (``KAMBOT_INDEX_WRITER``, default true). API
    workers that share a data directory set it to false, all but one.
    """
    return bool(getattr(settings, "index_writer", True))


def declared_api_workers(settings: Settings, environ: Mapping[str, str] | None = None) -> int:
    """Return how many API worker processes the deployment declares (at least 1).

    The largest of ``settings.api_workers`` (when that field exists) and the
    ``WEB_CONCURRENCY`` / ``KAMBOT_API_WORKERS`` variables of ``environ``; values that
    are not positive integers are ignored.

    Args:
        settings: the settings.
        environ: the environment of the edge (``os.environ``); None reads nothing.
    """
    found = [int(getattr(settings, "api_workers", 1) or 1)]
    for name in WORKER_VARIABLES:
        raw = (environ or {}).get(name, "").strip()
        if raw.isdigit() and int(raw) > 0:
            found.append(int(raw))
    return max(found)


# --- the checks ----------------------------------------------------------------------


def _nearest_existing(path: Path) -> Path:
    current = path
    while not current.exists() and current.parent != current:
        current = current.parent
    return current


def _probe_writable(folder: Path) -> str | None:
    """Create and delete a file in ``folder``; return why that failed, or None."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".kambot-probe-"):
            pass
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def check_data_dir(settings: Settings) -> CheckResult:
    """Check that the data directory and its index folder can be written."""
    folder = settings.data_dir.expanduser()
    fix = ("set KAMBOT_DATA_DIR to a folder this user can write to, or give this user "
           "that folder (chown / chmod)")
    if folder.exists() and not folder.is_dir():
        return CheckResult("data_dir", "error",
                           f"the data directory {folder} is a file, not a folder", fix)
    target = folder if folder.is_dir() else _nearest_existing(folder.parent)
    if not target.is_dir():
        return CheckResult("data_dir", "error", f"the data directory {folder} cannot be "
                           f"created: {target} is a file", fix)
    for place in (target, settings.index_dir):
        if place.is_dir():
            reason = _probe_writable(place)
            if reason is not None:
                what = "index folder" if place == settings.index_dir else "data directory"
                return CheckResult("data_dir", "error", f"the {what} {place} is not "
                                   f"writable ({reason})", fix)
    state = "" if folder.is_dir() else " (it will be created)"
    return CheckResult("data_dir", "ok", f"the data directory {folder} is writable{state}")


def _sqlite_file(settings: Settings) -> Path:
    from sqlalchemy.engine import make_url

    return Path(make_url(settings.resolved_database_url).database or "").expanduser()


def _open(settings: Settings) -> tuple[Engine | None, CheckResult]:
    from kambot.store.db import open_engine

    try:
        engine = open_engine(settings)
    except StoreError as exc:
        return None, CheckResult("database", "error", exc.message,
                                 exc.hint or "check KAMBOT_DATABASE_URL")
    shown = engine.url.render_as_string(hide_password=True)
    return engine, CheckResult("database", "ok", f"the database {shown} answers")


def check_migrations(engine: Engine, *, workers: int = 1) -> CheckResult:
    """Check that the schema is current, or that a single process will upgrade it."""
    import sqlalchemy as sa

    from kambot.store.db import pending_migrations

    try:
        todo = pending_migrations(engine)
    except StoreError as exc:
        return CheckResult("migrations", "error", exc.message, exc.hint)
    if not todo:
        return CheckResult("migrations", "ok", "the database schema is up to date")
    with engine.connect() as conn:
        blank = not sa.inspect(conn).get_table_names()
    what = ("the database has no schema yet" if blank else
            f"{len(todo)} migration(s) pending ({', '.join(todo)})")
    if workers > 1:
        return CheckResult(
            "migrations", "error",
            f"{what}: {workers} API workers would each try to apply them at once",
            "run `kambot init` once (it upgrades the schema), then start the workers")
    return CheckResult("migrations", "warn", f"{what}; kambot applies them when it opens "
                       "the store", "run `kambot init` to apply them now")


def check_sqlite_wal(settings: Settings, *, workers: int = 1,
                     sqlite_version: str | None = None) -> CheckResult:
    """Check the SQLite WAL-reset bug against the number of writer processes.

    Args:
        settings: the settings (only SQLite databases are concerned).
        workers: how many API processes will write the database.
        sqlite_version: the version to judge; the linked library's by default.
    """
    import sqlite3

    from kambot.store.db import check_sqlite_version

    if not settings.is_sqlite:
        return CheckResult("sqlite_wal", "ok", "PostgreSQL: several writers are safe",
                           category="config")
    version = sqlite_version or sqlite3.sqlite_version
    if check_sqlite_version(version) is None:
        return CheckResult("sqlite_wal", "ok", f"SQLite {version} is free of the "
                           "WAL-reset bug", category="config")
    if workers > 1:
        return CheckResult(
            "sqlite_wal", "error",
            f"SQLite {version} has the WAL-reset bug (fixed in 3.51.3) and {workers} API "
            "workers would write the same database file at once: it can be corrupted",
            "run a single API worker (WEB_CONCURRENCY=1, no --workers), or move to "
            "PostgreSQL (KAMBOT_DATABASE_URL, see docs/deployment.md), or use a Python "
            "linked with SQLite 3.51.3 or later", category="config")
    return CheckResult(
        "sqlite_wal", "warn",
        f"SQLite {version} has the WAL-reset bug (fixed in 3.51.3): safe with one "
        "writer process at a time",
        "keep one API worker; several workers need PostgreSQL (docs/deployment.md)",
        category="config")


def _describe(identity: object) -> str:
    if isinstance(identity, dict):
        keep = ("provider", "model", "version", "dim", "base_url")
        parts = [f"{k}={identity[k]}" for k in keep if identity.get(k) is not None]
        return ", ".join(parts) or "unknown"
    return "unknown"


def check_index(settings: Settings) -> CheckResult:
    """Check that the search index matches the embedding function and Chroma mode."""
    from kambot.errors import RetrievalError
    from kambot.retrieval.embeddings import make_embedder
    from kambot.retrieval.index import read_manifest

    writer = is_index_writer(settings)
    rebuild_fix = "run `kambot reindex` now (otherwise the first search rebuilds it)"
    reader_fix = ("run `kambot reindex` where KAMBOT_INDEX_WRITER is true, or give this "
                  "worker the embedding and Chroma settings of the index writer")
    try:
        manifest = read_manifest(settings.index_dir)
    except RetrievalError as exc:
        if writer:
            return CheckResult("index", "warn", exc.message, rebuild_fix)
        return CheckResult("index", "error", exc.message, reader_fix, category="config")
    if manifest is None:
        if writer:
            return CheckResult("index", "ok", "no search index yet: it is built at the "
                               "first search (or by `kambot reindex`)")
        return CheckResult("index", "warn", "no search index yet, and this worker does "
                           "not write it: searches wait for the index writer",
                           "run `kambot reindex` where KAMBOT_INDEX_WRITER is true")
    try:
        wanted = make_embedder(settings)
    except KambotError as exc:
        # Searches fail with the same message; only a reader cannot recover on its own.
        return CheckResult("index", "warn" if writer else "error", exc.message, exc.hint,
                           category="config")
    built = manifest.get("embedder") or {}
    problems: list[str] = []
    if built.get("identity") != wanted.identity():
        problems.append(
            f"the search index was built with the embedding function {built.get('name')!r} "
            f"({_describe(built.get('identity'))}) but the settings ask for "
            f"{wanted.name!r} ({_describe(wanted.identity())})")
    mode = "http" if settings.chroma_url else "embedded"
    built_mode = (manifest.get("chroma") or {}).get("mode")
    if built_mode != mode:
        problems.append(f"the search index was built for {built_mode} Chroma, the "
                        f"settings ask for {mode} Chroma")
    chunks = (manifest.get("counts") or {}).get("chunks", "?")
    if problems:
        message = "; ".join(problems) + f" ({chunks} chunks to embed again)"
        if writer:
            return CheckResult("index", "warn", message, rebuild_fix)
        return CheckResult("index", "error", message + "; this worker does not write the "
                           "index, so every search would fail", reader_fix, category="config")
    return CheckResult("index", "ok", f"the search index ({chunks} chunks, {wanted.name}, "
                       f"{mode} Chroma) matches the settings")


def check_chroma_server(settings: Settings) -> CheckResult | None:
    """Check that the configured Chroma server answers (None without a server)."""
    if not settings.chroma_url:
        return None
    import httpx

    base = settings.chroma_url if "://" in settings.chroma_url else f"http://{settings.chroma_url}"
    try:
        answer = httpx.get(f"{base.rstrip('/')}/api/v2/heartbeat", timeout=CHROMA_TIMEOUT_S)
        answer.raise_for_status()
    except httpx.HTTPError as exc:
        return CheckResult("chroma", "warn", f"the Chroma server {settings.chroma_url} does "
                           f"not answer ({exc.__class__.__name__}): searches will fail",
                           "start it (`chroma run --host 127.0.0.1 --port 8001 --path DIR`) "
                           "or fix KAMBOT_CHROMA_URL", category="config")
    return CheckResult("chroma", "ok", f"the Chroma server {settings.chroma_url} answers")


def run_startup_checks(settings: Settings, *, workers: int = 1, engine: Engine | None = None,
                       sqlite_version: str | None = None) -> list[CheckResult]:
    """Run every startup check and return their results (nothing is raised).

    Args:
        settings: the settings to check.
        workers: the number of API processes that will write the database (see
            :func:`declared_api_workers`); 1 for the CLI.
        engine: an open engine on the database; opened (and disposed of) when None.
        sqlite_version: override the linked SQLite version (tests).

    Returns:
        One result per concern, in the order of the module docstring.
    """
    data_dir = check_data_dir(settings)
    # Several writers on a buggy SQLite is the more basic problem: it comes before the
    # schema (its fix, PostgreSQL, makes the other moot).
    results = [data_dir, check_sqlite_wal(settings, workers=workers,
                                          sqlite_version=sqlite_version)]
    if engine is None and settings.is_sqlite and data_dir.status == "error":
        results.append(CheckResult("database", "error", "not checked: the data directory "
                                   "is not writable", data_dir.fix))
    elif engine is None and settings.is_sqlite and not _sqlite_file(settings).exists():
        results.append(CheckResult("database", "ok", f"no database yet at "
                                   f"{_sqlite_file(settings)}: it is created at first use"))
        if workers > 1:
            results.append(CheckResult(
                "migrations", "error", f"the database has no schema yet: {workers} API "
                "workers would each try to create it at once",
                "run `kambot init` once (it creates the schema), then start the workers"))
        else:
            results.append(CheckResult("migrations", "ok", "nothing to upgrade: the schema "
                                       "is created with the database"))
    elif engine is None:
        engine, opened = _open(settings)
        results.append(opened)
        if engine is not None:
            try:
                results.append(check_migrations(engine, workers=workers))
            finally:
                engine.dispose()
    else:
        results.append(CheckResult("database", "ok", "the database answers"))
        results.append(check_migrations(engine, workers=workers))
    results.append(check_index(settings))
    chroma = check_chroma_server(settings)
    if chroma is not None:
        results.append(chroma)
    return results


def assert_startable(settings: Settings, *, workers: int = 1, engine: Engine | None = None,
                     sqlite_version: str | None = None) -> list[CheckResult]:
    """Refuse to start when a check fails; return the warnings otherwise.

    Args:
        settings: the settings to check.
        workers: the number of API processes that will write the database.
        engine: an open engine on the database, or None to open one.
        sqlite_version: override the linked SQLite version (tests).

    Returns:
        The checks whose status is ``warn`` (to log).

    Raises:
        ConfigError: a configuration problem (several workers on a SQLite with the
            WAL-reset bug, an index this worker may not rebuild...).
        StoreError: the data directory is not writable, the database does not answer,
            or migrations would be applied by several workers at once.
    """
    results = run_startup_checks(settings, workers=workers, engine=engine,
                                 sqlite_version=sqlite_version)
    errors = [r for r in results if r.status == "error"]
    if errors:
        first = errors[0]
        message = first.message
        if len(errors) > 1:
            message += "; also: " + "; ".join(e.message for e in errors[1:])
        cls: type[KambotError] = ConfigError if first.category == "config" else StoreError
        raise cls(message, hint=first.fix, checks=[r.to_json() for r in results])
    return [r for r in results if r.status == "warn"]


# --- one API server per SQLite database with the bug ---------------------------------


@dataclass
class _Held:
    handle: IO[str]
    count: int


_held: dict[Path, _Held] = {}
_held_lock = threading.Lock()


def server_lock_path(settings: Settings) -> Path | None:
    """Return the lock file of the API server of a SQLite database (None otherwise)."""
    if not settings.is_sqlite:
        return None
    from sqlalchemy.engine import make_url

    database = make_url(settings.resolved_database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).expanduser().resolve()
    return path.with_name(path.name + ".server-lock")


@dataclass
class ServerClaim:
    """This process serves the SQLite database; :meth:`release` when it stops."""

    path: Path
    released: bool = False

    def release(self) -> None:
        """Give the claim back (the lock is freed when the last claim of the process goes)."""
        if self.released:
            return
        self.released = True
        with _held_lock:
            held = _held.get(self.path)
            if held is None:
                return
            held.count -= 1
            if held.count == 0:
                _unlock(held.handle)
                held.handle.close()
                del _held[self.path]


def _try_lock(handle: IO[str]) -> bool:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        try:
            handle.seek(0)
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _unlock(handle: IO[str]) -> None:
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
        return
    import fcntl

    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def claim_sqlite_server(settings: Settings, *,
                        sqlite_version: str | None = None) -> ServerClaim | None:
    """Make sure this is the only API process writing a SQLite database with the bug.

    Nothing is claimed for PostgreSQL or for a SQLite free of the WAL-reset bug. Claims
    are counted per process: several apps in one process (tests) share one lock; only
    another process is refused. The lock goes with the process, even on kill -9.

    Args:
        settings: the settings.
        sqlite_version: override the linked SQLite version (tests).

    Returns:
        The claim to release at shutdown, or None when nothing needed claiming.

    Raises:
        ConfigError: another process serves this database.
    """
    import sqlite3

    from kambot.store.db import check_sqlite_version

    path = server_lock_path(settings)
    if path is None or check_sqlite_version(sqlite_version or sqlite3.sqlite_version) is None:
        return None
    with _held_lock:
        held = _held.get(path)
        if held is not None:
            held.count += 1
            return ServerClaim(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = path.open("a+", encoding="utf-8")
        if not _try_lock(handle):
            handle.seek(0)
            owner = handle.read().strip() or "unknown"
            handle.close()
            raise ConfigError(
                f"another kambot API process (pid {owner}) already writes the SQLite "
                f"database next to {path.name}; SQLite {sqlite_version or sqlite3.sqlite_version}"
                " has the WAL-reset bug, so two writer processes can corrupt it",
                hint="run a single API worker (no --workers / WEB_CONCURRENCY=1), stop the "
                "other server, or move to PostgreSQL (see docs/deployment.md)",
            )
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        _held[path] = _Held(handle, 1)
    return ServerClaim(path)


def server_lock_owner(settings: Settings) -> str | None:
    """Return the pid of another process serving this SQLite database, or None.

    Used by restore, which must not replace a database an API server has open.
    """
    path = server_lock_path(settings)
    if path is None or not path.is_file():
        return None
    with _held_lock:
        if path in _held:
            return None  # this very process holds it
        with path.open("a+", encoding="utf-8") as handle:
            if _try_lock(handle):
                _unlock(handle)
                return None
            handle.seek(0)
            return handle.read().strip() or "unknown"
