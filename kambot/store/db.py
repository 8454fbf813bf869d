"""Engines, transactions, migrations and health checks.

SQLite (a file in the data directory) is the default; PostgreSQL is used when
``settings.database_url`` is a ``postgresql://`` URL (driven by psycopg 3).

Transactions on SQLite: pysqlite's own transaction handling is switched off and every
SQLAlchemy transaction emits an explicit ``BEGIN``. Reads inside a transaction therefore
see one snapshot (``load_portfolio`` runs several queries), DDL is transactional (a
failed migration leaves nothing behind) and savepoints work. ``write=True`` on
:func:`transaction` / :func:`session_scope` takes the write lock up front
(``BEGIN IMMEDIATE``) so that a long import waits for another writer instead of
failing half-way with "database is locked".
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.orm import Session

from kambot.errors import StoreError

if TYPE_CHECKING:
    from alembic.config import Config

    from kambot.config import Settings

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
# Versions affected by the WAL-reset bug (fixed in SQLite 3.51.3): two connections
# writing or checkpointing the same database at once can corrupt it.
_WAL_BUG_FIRST = (3, 7, 0)
_WAL_BUG_FIXED = (3, 51, 3)


def _parse_version(version: str) -> tuple[int, ...]:
    parts: list[int] = []
    for piece in version.split("."):
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check_sqlite_version(version: str | None = None) -> str | None:
    """Warn when the linked SQLite library has the WAL-reset corruption bug.

    Args:
        version: the version to check; defaults to ``sqlite3.sqlite_version``.

    Returns:
        A warning to show the user, or None when the version is not affected.
    """
    found = version or sqlite3.sqlite_version
    parsed = _parse_version(found)
    if _WAL_BUG_FIRST <= parsed < _WAL_BUG_FIXED:
        return (
            f"SQLite {found} has the WAL-reset bug fixed in 3.51.3: two processes "
            "writing to the same kambot database at the same time can corrupt it; "
            "keep a single writer (one CLI import or one API server at a time) or use "
            "PostgreSQL"
        )
    return None


def _normalise_url(raw: str) -> URL:
    try:
        url = make_url(raw)
    except sa.exc.ArgumentError as exc:
        raise StoreError(
            f"invalid database URL {raw!r}",
            hint="use sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DB",
        ) from exc
    backend, _, driver = url.drivername.partition("+")
    if backend in ("postgres", "postgresql"):
        if backend == "postgres" or driver != "psycopg":
            url = url.set(drivername="postgresql+psycopg")
        return url
    if backend == "sqlite":
        return url
    raise StoreError(
        f"unsupported database {backend!r} in KAMBOT_DATABASE_URL",
        hint="kambot supports SQLite (default) and PostgreSQL (postgresql://...)",
    )


def _ensure_sqlite_directory(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = Path(database).expanduser().resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the data directory {folder}: {exc.strerror or exc}",
            hint="set KAMBOT_DATA_DIR to a folder you can write to",
        ) from exc
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StoreError(
            f"the data directory {folder} is not writable",
            hint="set KAMBOT_DATA_DIR to a folder you can write to, or fix its permissions",
        )


def _install_sqlite_hooks(engine: Engine, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below own transaction boundaries.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA cache_size=-65536")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("kambot_write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")


def create_engine_for_url(url: str, *, sqlite_synchronous: str = "NORMAL") -> Engine:
    """Create an engine for a database URL with kambot's connection settings.

    Args:
        url: a ``sqlite:///...`` or ``postgresql://...`` URL (any PostgreSQL driver
            name is replaced by psycopg 3).
        sqlite_synchronous: ``NORMAL`` or ``FULL`` (SQLite only).

    Returns:
        A lazily connecting engine; :func:`open_engine` also checks the connection.

    Raises:
        StoreError: the URL is invalid or names an unsupported database, or the SQLite
            data directory cannot be created.
    """
    parsed = _normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        if sqlite_synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise StoreError(f"invalid SQLite synchronous mode {sqlite_synchronous!r}")
        _ensure_sqlite_directory(parsed)
        engine = sa.create_engine(parsed)
        _install_sqlite_hooks(engine, sqlite_synchronous.upper())
        return engine
    return sa.create_engine(parsed, pool_pre_ping=True)


def open_engine(settings: Settings) -> Engine:
    """Open the configured database and check that it answers.

    Args:
        settings: uses ``resolved_database_url`` (SQLite in ``data_dir`` by default) and
            ``sqlite_synchronous``.

    Returns:
        The engine. Its schema may still need :func:`migrate`.

    Raises:
        StoreError: the data directory is not writable, the URL is unsupported, or the
            database cannot be reached or is not a database.
    """
    engine = create_engine_for_url(
        settings.resolved_database_url, sqlite_synchronous=settings.sqlite_synchronous
    )
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        shown = engine.url.render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise StoreError(
            f"cannot open the database {shown}: {reason}",
            hint="check KAMBOT_DATABASE_URL / KAMBOT_DATA_DIR and that the server is running",
        ) from exc
    return engine


@contextmanager
def transaction(engine: Engine, *, write: bool = False) -> Iterator[Connection]:
    """Open a connection inside one transaction: commit on success, roll back on error.

    Args:
        engine: the engine.
        write: take SQLite's write lock at the start (``BEGIN IMMEDIATE``); use it for
            imports and other writes so that they wait for a concurrent writer.

    Yields:
        The connection; the importer writers take it and never commit themselves.
    """
    with engine.connect() as conn:
        if write:
            conn.execution_options(kambot_write=True)
        with conn.begin():
            yield conn


@contextmanager
def session_scope(engine: Engine, *, write: bool = False) -> Iterator[Session]:
    """Open an ORM session in one transaction: commit on success, roll back on error.

    Args:
        engine: the engine.
        write: take SQLite's write lock at the start (see :func:`transaction`).

    Yields:
        The session. Objects stay readable after the block (``expire_on_commit=False``).
    """
    with engine.connect() as conn:
        if write:
            conn.execution_options(kambot_write=True)
        with Session(bind=conn, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise


def integrity_check(engine: Engine) -> list[str]:
    """Check the database and list the problems found (empty when healthy).

    On SQLite this runs ``PRAGMA integrity_check`` and ``PRAGMA foreign_key_check``;
    on PostgreSQL, which checks itself, it only verifies that the server answers.

    Args:
        engine: the engine.

    Returns:
        One line per problem.
    """
    problems: list[str] = []
    try:
        with engine.connect() as conn:
            if engine.dialect.name != "sqlite":
                conn.exec_driver_sql("SELECT 1").scalar_one()
                return []
            for (line,) in conn.exec_driver_sql("PRAGMA integrity_check").all():
                if str(line).lower() != "ok":
                    problems.append(f"integrity: {line}")
            for table, rowid, parent, _fk in conn.exec_driver_sql("PRAGMA foreign_key_check").all():
                problems.append(
                    f"foreign key: {table} row {rowid} refers to a missing row of {parent}"
                )
    except sa.exc.DBAPIError as exc:
        problems.append(f"database error: {exc.orig or exc}")
    return problems


# --- migrations ----------------------------------------------------------------------


def alembic_config(connection: Connection | None = None) -> Config:
    """Build the Alembic configuration in code (no alembic.ini).

    Args:
        connection: when given, ``env.py`` runs the migrations on it.

    Returns:
        A config whose ``script_location`` is the package's migrations folder.
    """
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _current_heads(conn: Connection) -> tuple[str, ...]:
    from alembic.runtime.migration import MigrationContext

    return tuple(MigrationContext.configure(conn).get_current_heads())


def pending_migrations(engine: Engine) -> list[str]:
    """List the migrations not yet applied to the database, oldest first.

    Args:
        engine: the engine.

    Returns:
        Revision ids; empty when the schema is current.

    Raises:
        StoreError: the database carries a revision this version of kambot does not
            know (it was migrated by a newer kambot).
    """
    from alembic.script import ScriptDirectory
    from alembic.script.revision import ResolutionError
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(alembic_config())
    with engine.connect() as conn:
        current = _current_heads(conn)
    try:
        revisions = list(script.iterate_revisions(tuple(script.get_heads()), current))
    except (CommandError, ResolutionError) as exc:
        raise StoreError(
            f"the database is at revision {', '.join(current)}, unknown to this kambot",
            hint="it was upgraded by a newer kambot: upgrade kambot",
        ) from exc
    return [rev.revision for rev in reversed(revisions)]


def migrate(engine: Engine, revision: str = "heads") -> list[str]:
    """Upgrade the database schema, in one transaction.

    Args:
        engine: the engine.
        revision: target revision, ``heads`` by default (every branch).

    Returns:
        The revisions applied, oldest first (empty when already current).

    Raises:
        StoreError: a migration failed; nothing was changed.
    """
    from alembic import command

    todo = pending_migrations(engine)
    if not todo:
        return []
    try:
        with engine.connect() as conn:
            is_sqlite = engine.dialect.name == "sqlite"
            if is_sqlite:
                # Batch migrations rebuild tables; foreign keys must not fire meanwhile.
                # The pragma is ignored inside a transaction, so it goes straight to the
                # driver before SQLAlchemy begins one.
                conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                    "PRAGMA foreign_keys=OFF"
                )
            try:
                with conn.begin():
                    command.upgrade(alembic_config(conn), revision)
            finally:
                if is_sqlite:
                    conn.connection.dbapi_connection.execute(  # type: ignore[union-attr]
                        "PRAGMA foreign_keys=ON"
                    )
    except sa.exc.DBAPIError as exc:
        raise StoreError(
            f"database migration failed: {exc.orig or exc}",
            hint="nothing was changed; restore a backup if the database was damaged, "
            "otherwise report this message",
        ) from exc
    return todo


def check_schema(engine: Engine) -> None:
    """Refuse to work on a database whose schema is not current.

    Raises:
        StoreError: migrations are pending, with a hint saying how to apply them.
    """
    todo = pending_migrations(engine)
    if todo:
        raise StoreError(
            f"the database schema is not up to date ({len(todo)} migration(s) pending)",
            hint="run `kambot init` to upgrade it",
        )
