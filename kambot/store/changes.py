"""Change detection: tell cheaply whether the database may have changed since a token
was taken, so that results computed from it (the portfolio analysis, serialised answers)
can be served from memory.

Two signals, combined in the token:

- **This process's writes.** Every commit of a write transaction (one opened with the
  ``kambot_write`` execution option, as :func:`kambot.store.db.transaction` and
  ``session_scope`` do with ``write=True``), on any engine of the process, bumps an
  in-memory generation, once when the commit starts and again when the connection goes
  back to its pool (after the commit), so that a reader racing the commit cannot pin a
  stale result under the new generation. Audit-trail writes (option ``kambot_audit``)
  do not count: they change no business data.
- **Everything else** (other processes, writes outside that convention): a probe.
  On SQLite, ``PRAGMA data_version`` on a dedicated connection that never writes; it
  changes whenever any other connection commits (about 7 µs, but it is I/O). On other
  databases, a time bucket of ``poll_s`` seconds.

Equal tokens mean nothing was committed; different tokens do not mean that something
relevant was, so a caller then compares the real data fingerprint.

:func:`local_generation` is the first signal alone, free to read from an event loop;
callers that use it without the probe must bound how long they trust it.
"""

from __future__ import annotations

import itertools
import sqlite3
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection, Engine

_UNIQUE = itertools.count()
_COMMITTED = "kambot_committed"
_hooks_lock = threading.Lock()


class _State:
    generation = 0
    hooks_installed = False


_state = _State()


def local_generation() -> int:
    """Return the count of write commits made by this process (all engines)."""
    return _state.generation


def _bump() -> None:
    _state.generation += 1  # a lost increment under a race still changes the value


def _on_commit(conn: Connection) -> None:
    options = conn.get_execution_options()
    if options.get("kambot_write") and not options.get("kambot_audit"):
        conn.info[_COMMITTED] = True
        _bump()


def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
    if record is not None and record.info.pop(_COMMITTED, False):
        _bump()


def install_commit_hooks() -> None:
    """Count write commits on every engine of this process (idempotent)."""
    with _hooks_lock:
        if _state.hooks_installed:
            return
        from sqlalchemy import event
        from sqlalchemy.engine import Engine
        from sqlalchemy.pool import Pool

        event.listen(Engine, "commit", _on_commit)
        event.listen(Pool, "checkin", _on_checkin)
        _state.hooks_installed = True


class ChangeToken(Protocol):
    """Something that returns a value that changes when the database may have changed."""

    def current(self) -> object:
        """Return the token now (may do I/O)."""

    def close(self) -> None:
        """Release what the token holds."""


class SQLiteDataVersion:
    """This process's write generation and ``PRAGMA data_version`` of a reader.

    The reader's connection also runs the writes that must not move the token
    (:meth:`write_unseen`): SQLite leaves ``data_version`` unchanged for a connection's
    own commits, and counts every other connection's.
    """

    def __init__(self, path: str) -> None:
        # A plain connection (a read-only one cannot open a WAL database whose shared
        # memory file is missing). No busy wait for the PRAGMA: it may be asked from an
        # event loop, and "busy" simply reads as "may have changed".
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None,
                                     timeout=0)
        self._lock = threading.Lock()
        self._last_version: int | None = None  # data_version as last read
        self._closed = False

    def current(self) -> object:
        """Return (generation, data version); the latter changes with any other commit.

        Never waits: while :meth:`write_unseen` holds the connection, the data version
        last read stands in (that write does not move it; another connection's commit
        made meanwhile shows at the next read), with this process's generation as it is
        now, so that this process's own writes still show at once.
        """
        generation = _state.generation
        if not self._lock.acquire(blocking=False):
            last = self._last_version
            return ("error", next(_UNIQUE)) if last is None else (generation, last)
        try:
            row = self._conn.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error:  # busy or closed: say "may have changed"
            return ("error", next(_UNIQUE))
        finally:
            self._lock.release()
        self._last_version = int(row[0])
        return (generation, self._last_version)

    def write_unseen(self, sql: str, rows: Sequence[Sequence[object]]) -> bool:
        """Run ``sql`` for each row in one transaction that does not move the token.

        For writes that change no business data (the audit trail): answers kept under
        the token stay valid across them. Returns False, having written nothing, once
        the token is closed (the caller then writes another way).
        """
        from kambot.store.db import SQLITE_BUSY_TIMEOUT_MS

        with self._lock:
            if self._closed:
                return False
            conn = self._conn
            conn.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    conn.executemany(sql, rows)
                    conn.execute("COMMIT")
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
            finally:
                conn.execute("PRAGMA busy_timeout=0")
        return True

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._closed = True
            self._conn.close()


class PolledGeneration:
    """This process's write generation plus a time bucket for other processes."""

    def __init__(self, poll_s: float) -> None:
        self._poll_s = poll_s

    def current(self) -> object:
        """Return (generation, current time bucket)."""
        bucket = int(time.monotonic() / self._poll_s) if self._poll_s > 0 else next(_UNIQUE)
        return (_state.generation, bucket)

    def close(self) -> None:
        """Nothing to release."""


class AlwaysChanged:
    """A token that is never equal to the previous one (an in-memory database)."""

    def current(self) -> object:
        """Return a new value each time."""
        return next(_UNIQUE)

    def close(self) -> None:
        """Nothing to release."""


def change_token_for(engine: Engine, *, poll_s: float = 0.05) -> ChangeToken:
    """Return the change token for an engine's database (installing the commit hooks)."""
    install_commit_hooks()
    url = engine.url
    if url.get_backend_name() == "sqlite":
        path = url.database or ""
        if not path or path == ":memory:" or path.startswith("file:"):
            return AlwaysChanged()
        try:
            return SQLiteDataVersion(path)
        except sqlite3.Error:
            return AlwaysChanged()
    return PolledGeneration(poll_s)
