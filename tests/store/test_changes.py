"""Change tokens: what moves them and what does not."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from kambot.auth.audit import AuditEntry, record_access
from kambot.store import changes
from kambot.store.changes import (
    AlwaysChanged,
    PolledGeneration,
    SQLiteDataVersion,
    change_token_for,
    local_generation,
)
from kambot.store.db import create_engine_for_url, migrate, transaction
from kambot.store.writer import upsert_rows


def _write(engine: Engine, external_id: str) -> None:
    with transaction(engine, write=True) as conn:
        upsert_rows(conn, "accounts", [{"external_id": external_id, "name": external_id}])


def test_a_write_commit_bumps_the_generation_and_a_read_does_not(engine: Engine) -> None:
    change_token_for(engine).close()  # installs the hooks
    before = local_generation()
    with transaction(engine) as conn:
        conn.exec_driver_sql("SELECT COUNT(*) FROM accounts").scalar_one()
    assert local_generation() == before
    _write(engine, "A")
    # Once as the commit starts, once when the connection is back in its pool.
    assert local_generation() == before + 2


def test_audit_writes_do_not_count_as_data_changes(engine: Engine) -> None:
    change_token_for(engine).close()
    before = local_generation()
    record_access(engine, [AuditEntry(action="read", object_type="account", outcome="ok")])
    assert local_generation() == before


def test_a_rolled_back_write_does_not_count(engine: Engine) -> None:
    change_token_for(engine).close()
    before = local_generation()
    with pytest.raises(RuntimeError), transaction(engine, write=True) as conn:
        upsert_rows(conn, "accounts", [{"external_id": "B", "name": "B"}])
        raise RuntimeError("abort")
    assert local_generation() == before


def test_sqlite_token_sees_another_process_commit(sqlite_engine: Engine) -> None:
    token = change_token_for(sqlite_engine)
    try:
        assert isinstance(token, SQLiteDataVersion)
        first = token.current()
        assert token.current() == first  # nothing committed
        # A connection the hooks know nothing about, as another process would be.
        path = sqlite_engine.url.database
        assert path is not None
        outsider = sqlite3.connect(path)
        outsider.execute("INSERT INTO accounts (external_id, name) VALUES ('X', 'X')")
        outsider.commit()
        outsider.close()
        assert token.current() != first
    finally:
        token.close()


def test_closed_sqlite_token_says_changed(tmp_path: Path) -> None:
    engine = create_engine_for_url(f"sqlite:///{tmp_path / 'k.db'}")
    migrate(engine)
    token = change_token_for(engine)
    token.close()
    assert token.current() != token.current()
    engine.dispose()


def test_polled_generation_moves_with_the_clock() -> None:
    token = PolledGeneration(0.02)
    first = token.current()
    time.sleep(0.05)
    assert token.current() != first
    assert PolledGeneration(0).current() != PolledGeneration(0).current()


def test_in_memory_sqlite_is_always_changed() -> None:
    engine = create_engine_for_url("sqlite://")
    token = change_token_for(engine)
    assert isinstance(token, AlwaysChanged)
    assert token.current() != token.current()
    engine.dispose()


def test_postgresql_uses_the_polled_generation(engine: Engine) -> None:
    token = change_token_for(engine, poll_s=5)
    expected = PolledGeneration if engine.dialect.name != "sqlite" else SQLiteDataVersion
    assert isinstance(token, expected)
    first = token.current()
    _write(engine, "P")
    assert token.current() != first  # this process's write shows at once
    token.close()


def test_an_orm_write_session_bumps_the_generation(engine: Engine) -> None:
    from kambot.store.db import session_scope

    change_token_for(engine).close()
    before = local_generation()
    with session_scope(engine) as session:  # a read-only session commits too
        session.connection().exec_driver_sql("SELECT 1")
    assert local_generation() == before
    with session_scope(engine, write=True) as session:
        session.connection().exec_driver_sql(
            "INSERT INTO accounts (external_id, name) VALUES ('ORM', 'Orm')")
    assert local_generation() > before


def test_audit_rows_written_unseen_do_not_move_the_sqlite_token(sqlite_engine: Engine) -> None:
    from kambot.auth.audit import list_access

    token = change_token_for(sqlite_engine)
    try:
        assert isinstance(token, SQLiteDataVersion)
        first = token.current()
        entry = AuditEntry(action="read", object_type="account", object_id="U1", outcome="ok")
        assert record_access(sqlite_engine, [entry], unseen=token.write_unseen) == 1
        assert token.current() == first  # its own commit: data_version did not move
        assert [e.object_id for e in list_access(sqlite_engine, object_id="U1")] == ["U1"]
        record_access(sqlite_engine, [entry])  # through the engine: another connection
        assert token.current() != first
    finally:
        token.close()


def test_a_failed_unseen_write_leaves_nothing_and_a_closed_token_writes_nothing(
        sqlite_engine: Engine) -> None:
    token = change_token_for(sqlite_engine)
    assert isinstance(token, SQLiteDataVersion)
    insert = "INSERT INTO accounts (external_id, name) VALUES (?, ?)"
    with pytest.raises(sqlite3.IntegrityError):
        token.write_unseen(insert, [("W1", "W1"), ("W1", "again")])  # duplicate id
    with transaction(sqlite_engine) as conn:
        assert conn.exec_driver_sql(
            "SELECT COUNT(*) FROM accounts WHERE external_id = 'W1'").scalar_one() == 0
    token.close()
    assert token.write_unseen(insert, [("W2", "W2")]) is False


def test_the_sqlite_token_never_waits_for_an_unseen_write(sqlite_engine: Engine) -> None:
    import threading

    token = change_token_for(sqlite_engine)
    assert isinstance(token, SQLiteDataVersion)
    try:
        first = token.current()
        holder = sqlite3.connect(str(sqlite_engine.url.database), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # another writer: the unseen write waits for it
        writer = threading.Thread(target=token.write_unseen, args=(
            "INSERT INTO accounts (external_id, name) VALUES (?, ?)", [("NW", "NW")]))
        writer.start()
        time.sleep(0.2)
        started = time.perf_counter()
        assert token.current() == first  # answered from the last read, not blocked
        assert time.perf_counter() - started < 0.1
        # A write commit of this process (the other writer holds the lock, so its
        # commit hook is called directly here): it shows even while the token waits.
        changes._bump()
        assert token.current() != first
        holder.execute("ROLLBACK")
        holder.close()
        writer.join(5)
        assert not writer.is_alive()
    finally:
        token.close()
