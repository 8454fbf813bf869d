"""The access audit: who read or changed which object, when, and how it ended.

Entries go to the append-only ``access_audit`` table. The API records one entry per
request to a protected object; writing each one in the request would make every read
pay a database commit, so :class:`AuditTrail` batches them: entries are queued and a
short-lived background thread writes them within a fraction of a second, in one
transaction, identical reads of a batch merged into one row with their count as they
arrive (:func:`coalesce_reads`). :meth:`AuditTrail.flush` writes what is queued at once
(shutdown, tests).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from kambot.auth.tables import now, reading, tables, utc, writing
from kambot.domain.identity import Principal

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

Outcome = Literal["ok", "denied", "not_found", "invalid", "unauthenticated", "limited",
                  "error"]
ANONYMOUS = "anonymous"


def outcome_of(status: int) -> Outcome:
    """Return the audit outcome of an HTTP status."""
    if status < 400:
        return "ok"
    known: dict[int, Outcome] = {401: "unauthenticated", 403: "denied", 404: "not_found",
                                 429: "limited"}
    return known.get(status, "invalid" if status < 500 else "error")


@dataclass(frozen=True)
class AuditEntry:
    """One access to a protected object."""

    action: str
    object_type: str
    outcome: Outcome
    object_id: str | None = None
    user_id: int | None = None
    username: str = ANONYMOUS
    role: str | None = None
    status: int | None = None
    method: str | None = None
    path: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    at: datetime = field(default_factory=now)

    @classmethod
    def for_principal(cls, principal: Principal | None, **values: Any) -> AuditEntry:
        """Build an entry naming ``principal`` (or the anonymous caller)."""
        if principal is None:
            return cls(**values)
        return cls(user_id=principal.user_id, username=principal.username,
                   role=principal.role.value, **values)

    def row(self) -> dict[str, Any]:
        """Return the entry as a row of ``access_audit``."""
        return {"at": self.at, "user_id": self.user_id, "username": self.username[:64],
                "role": self.role, "action": self.action[:32],
                "object_type": self.object_type[:32],
                "object_id": None if self.object_id is None else str(self.object_id)[:200],
                "outcome": self.outcome, "status": self.status, "method": self.method,
                "path": None if self.path is None else self.path[:400],
                "details": self.details}


_COLUMNS = ("at", "user_id", "username", "role", "action", "object_type", "object_id",
            "outcome", "status", "method", "path", "details")
_SQLITE_INSERT = (f"INSERT INTO access_audit ({', '.join(_COLUMNS)}) "
                  f"VALUES ({', '.join('?' for _ in _COLUMNS)})")


def _sqlite_values(row: dict[str, Any]) -> tuple[Any, ...]:
    """Return a row as SQLAlchemy stores it in SQLite (naive UTC text, JSON text)."""
    at: datetime = row["at"]
    return (at.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds"),
            *(row[c] for c in _COLUMNS[1:-1]), json.dumps(row["details"]))


# Runs one SQL statement for each row in one transaction; False when it cannot.
WriteUnseen = Callable[[str, Sequence[Sequence[object]]], bool]


def record_access(engine: Engine, entries: Sequence[AuditEntry], *,
                  unseen: WriteUnseen | None = None) -> int:
    """Write audit entries in one transaction; return how many were written.

    On SQLite the rows go straight to the driver, in the text forms SQLAlchemy itself
    would store (about 3x cheaper than a Core insert, which matters at thousands of
    audited reads a second); elsewhere through a Core insert. ``unseen`` (SQLite) writes
    them on the change token's own connection, so that the audit trail does not make
    the answers kept until the data changes look stale
    (:meth:`kambot.store.changes.SQLiteDataVersion.write_unseen`).
    """
    if not entries:
        return 0
    if unseen is not None and engine.dialect.name == "sqlite" \
            and unseen(_SQLITE_INSERT, [_sqlite_values(e.row()) for e in entries]):
        return len(entries)
    db = tables()
    with writing(engine) as conn:
        conn.execution_options(kambot_audit=True)  # changes no business data
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(_SQLITE_INSERT, [_sqlite_values(e.row()) for e in entries])
        else:
            conn.execute(db.sa.insert(db.audit), [e.row() for e in entries])
    return len(entries)


def list_access(
    engine: Engine,
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    username: str | None = None,
    limit: int = 100,
) -> list[AuditEntry]:
    """List audit entries, newest first, optionally about one object or one user."""
    db = tables()
    a = db.audit
    stmt = db.sa.select(a).order_by(a.c.id.desc()).limit(limit)
    if object_type is not None:
        stmt = stmt.where(a.c.object_type == object_type)
    if object_id is not None:
        stmt = stmt.where(a.c.object_id == object_id)
    if username is not None:
        stmt = stmt.where(a.c.username == username)
    with reading(engine) as conn:
        rows = conn.execute(stmt).all()
    return [AuditEntry(action=r.action, object_type=r.object_type, outcome=r.outcome,
                       object_id=r.object_id, user_id=r.user_id, username=r.username,
                       role=r.role, status=r.status, method=r.method, path=r.path,
                       details=dict(r.details or {}), at=utc(r.at) or now()) for r in rows]


def coalesce_reads(entries: Sequence[AuditEntry]) -> list[AuditEntry]:
    """Merge identical reads of one batch into one entry that says how many there were.

    Reads that agree on everything but their time (same caller, object, route, outcome
    and details) become the first of them, with ``count`` and ``last_at`` added to its
    details; a client polling one account hundreds of times a second then costs one row
    per batch, not hundreds. Changes are never merged. Order is kept.
    """
    batch = _Batch()
    for entry in entries:
        batch.add(entry)
    return batch.rows()


class _Batch:
    """Entries waiting to be written, identical reads merged as they arrive."""

    __slots__ = ("_counts", "_firsts", "entries")

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []
        self._firsts: dict[tuple[Any, ...], int] = {}
        self._counts: dict[int, tuple[int, datetime]] = {}

    def add(self, entry: AuditEntry) -> None:
        if entry.action == "read":
            key = read_key(entry.user_id, entry.username, entry.role, entry.object_type,
                           entry.object_id, entry.outcome, entry.status, entry.method,
                           entry.path, details_key(entry.details))
            if self.bump(key, entry.at):
                return
            self._firsts[key] = len(self.entries)
        self.entries.append(entry)

    def bump(self, key: ReadKey, at: datetime) -> bool:
        """Count one more read under ``key`` if one is queued; tell whether it was."""
        index = self._firsts.get(key)
        if index is None:
            return False
        count, _last = self._counts.get(index, (1, at))
        self._counts[index] = (count + 1, at)
        return True

    def rows(self) -> list[AuditEntry]:
        """Return the entries, each merged read with its ``count`` and ``last_at``."""
        merged = list(self.entries)
        for index, (count, last) in self._counts.items():
            first = merged[index]
            merged[index] = replace(first, details={**first.details, "count": count,
                                                    "last_at": last.isoformat()})
        return merged


ReadKey = tuple[Any, ...]
_SCALARS = (str, int, float, bool, type(None))


def read_key(user_id: int | None, username: str, role: str | None, object_type: str,
             object_id: str | None, outcome: str, status: int | None, method: str | None,
             path: str | None, details: object) -> ReadKey:
    """Return what identical reads share (all but their time): they merge under it.

    ``details`` is :func:`details_key` of the entry's details.
    """
    return (user_id, username, role, object_type, object_id, outcome, status, method, path,
            details)


def details_key(details: dict[str, Any]) -> object:
    """Return a hashable stand-in for an entry's details (equal details, equal keys)."""
    if all(type(v) in _SCALARS for v in details.values()):
        # The common case ({"route": ...}): a third of the cost of JSON.
        return tuple(sorted((k, type(v).__name__, v) for k, v in details.items()))
    return json.dumps(details, sort_keys=True, default=str)


class AuditTrail:
    """Queue audit entries and write them in batches, off the request path.

    Args:
        engine: a function returning the engine (the API opens its store lazily).
        delay_s: how long the writer waits for more entries before writing a batch.
        max_queue: above this many queued rows (identical reads merged as they arrive
            count once), :meth:`record` writes at once (in the
            caller's thread) rather than let the queue grow without bound.
        unseen: a function returning how to write without moving the database's
            change token (SQLite), or None; see :func:`record_access`.
    """

    def __init__(self, engine: Callable[[], Engine], *, delay_s: float = 0.2,
                 max_queue: int = 5000,
                 unseen: Callable[[], WriteUnseen | None] | None = None) -> None:
        self._engine = engine
        self._unseen = unseen
        self._delay_s = delay_s
        self._max_queue = max_queue
        self._batch = _Batch()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self.failures = 0

    def record(self, entry: AuditEntry) -> None:
        """Queue one entry; a background writer stores it shortly."""
        with self._lock:
            self._batch.add(entry)
            overflowing = len(self._batch.entries) >= self._max_queue
            if not overflowing and self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._run, name="kambot-audit",
                                                daemon=True)
                self._thread.start()
        if overflowing or self._closed:
            self.flush()

    def count_again(self, key: ReadKey) -> bool:
        """Count one more read identical to a queued one (see :func:`read_key`).

        Returns False when no such read is queued: the caller then builds the entry and
        calls :meth:`record`. Hot reads thus build one entry per batch, not per request.
        """
        with self._lock:
            return not self._closed and self._batch.bump(key, now())

    def _run(self) -> None:
        while True:
            threading.Event().wait(self._delay_s)
            self.flush()
            with self._lock:
                if not self._batch.entries:
                    # Cleared under the lock that record() holds to decide whether to
                    # start a writer, so an entry queued now always gets one.
                    self._thread = None
                    return

    def flush(self) -> int:
        """Write every queued entry now; return how many rows were written."""
        with self._write_lock:
            with self._lock:
                batch, self._batch = self._batch, _Batch()
            rows = batch.rows()
            if not rows:
                return 0
            try:
                return record_access(self._engine(), rows,
                                     unseen=self._unseen() if self._unseen else None)
            except Exception:  # the trail must never take a request down with it
                self.failures += len(rows)
                log.exception("could not write %d audit entries", len(rows))
                return 0

    def close(self) -> None:
        """Write what is queued and write synchronously from now on."""
        with self._lock:
            self._closed = True
        self.flush()

    @property
    def pending(self) -> int:
        """Return how many rows wait to be written (identical reads count once)."""
        with self._lock:
            return len(self._batch.entries)
