"""Engines, transactions and health checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kambot.config import Settings
from kambot.errors import StoreError
from kambot.store.db import (
    check_schema,
    check_sqlite_version,
    create_engine_for_url,
    integrity_check,
    migrate,
    open_engine,
    session_scope,
    transaction,
)
from kambot.store.schema import PersonRow


def _settings(tmp_path: Path, **values: Any) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None, **values)  # type: ignore[call-arg]


def test_open_engine_creates_the_data_directory_and_sets_pragmas(tmp_path: Path) -> None:
    settings = _settings(tmp_path / "deep" / "er", sqlite_synchronous="FULL")
    engine = open_engine(settings)
    try:
        assert (settings.data_dir / "kambot.db").is_file()
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    finally:
        engine.dispose()


def test_normal_synchronous_is_the_default(settings: Settings) -> None:
    engine = open_engine(settings)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        engine.dispose()


def test_unwritable_data_directory_is_a_clear_store_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError, match="cannot create the data directory") as caught:
        open_engine(_settings(blocker / "sub"))
    assert "KAMBOT_DATA_DIR" in (caught.value.hint or "")


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    settings.data_dir.mkdir(parents=True)
    (settings.data_dir / "kambot.db").write_bytes(b"definitely not sqlite" * 100)
    with pytest.raises(StoreError, match="cannot open the database"):
        open_engine(settings)


def test_unsupported_and_unreachable_databases(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        create_engine_for_url("mysql://u:p@127.0.0.1/db")
    engine = create_engine_for_url("postgres://u@127.0.0.1/db")
    assert engine.url.drivername == "postgresql+psycopg"
    engine.dispose()
    settings = _settings(tmp_path, database_url="postgresql://kambot:s3cret@127.0.0.1:1/nope")
    with pytest.raises(StoreError, match="cannot open the database") as caught:
        open_engine(settings)
    assert "s3cret" not in str(caught.value)


@pytest.mark.parametrize(
    ("version", "affected"),
    [
        ("3.6.23", False),
        ("3.7.0", True),
        ("3.40.1", True),
        ("3.51.2", True),
        ("3.51.3", False),
        ("3.52.0", False),
    ],
)
def test_check_sqlite_version(version: str, affected: bool) -> None:
    warning = check_sqlite_version(version)
    assert (warning is not None) is affected
    if warning:
        assert version in warning and "single writer" in warning


def test_session_scope_commits_or_rolls_back(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(PersonRow(key="k1", name="One", role="kam", industries=[]))
    with pytest.raises(RuntimeError), session_scope(engine, write=True) as session:
        session.add(PersonRow(key="k2", name="Two", role="kam", industries=[]))
        session.flush()
        raise RuntimeError("boom")
    with session_scope(engine) as session:
        keys = session.scalars(sa.select(PersonRow.key)).all()
    assert keys == ["k1"]


def test_transaction_commits_or_rolls_back(engine: Engine) -> None:
    insert = sa.text(
        "INSERT INTO people (key, name, role, industries) VALUES (:k, 'n', 'kam', '[]')"
    )
    with transaction(engine, write=True) as conn:
        conn.execute(insert, {"k": "a"})
    with pytest.raises(sa.exc.IntegrityError), transaction(engine, write=True) as conn:
        conn.execute(insert, {"k": "b"})
        conn.execute(insert, {"k": "a"})  # duplicate key
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT key FROM people").scalars().all() == ["a"]


def test_integrity_check_passes_on_a_healthy_database(engine: Engine) -> None:
    assert integrity_check(engine) == []


def test_integrity_check_reports_broken_foreign_keys(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        with conn.begin():
            conn.exec_driver_sql(
                "INSERT INTO contacts (external_id, account_id, name) VALUES ('C1', 999, 'x')"
            )
        conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]
    problems = integrity_check(sqlite_engine)
    assert problems == ["foreign key: contacts row 1 refers to a missing row of accounts"]


def test_integrity_check_reports_corruption(settings: Settings) -> None:
    engine = open_engine(settings)
    migrate(engine)
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql(
            "INSERT INTO audit_log (actor, action, object, details) "
            "SELECT 'a', 'b', 'object-' || value, '{}' FROM ("
            "WITH RECURSIVE s(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM s "
            "WHERE value < 3000) SELECT value FROM s)"
        )
    with engine.connect() as conn:
        # Move everything from the WAL into the main file before damaging it.
        conn.connection.dbapi_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
    engine.dispose()
    path = settings.data_dir / "kambot.db"
    data = bytearray(path.read_bytes())
    page = 4096
    # Scribble over the last pages (audit_log rows and its indexes live there).
    for offset in range(len(data) - 6 * page, len(data) - page, page):
        data[offset + 8 : offset + 200] = b"\xa5" * 192
    path.write_bytes(bytes(data))
    damaged = create_engine_for_url(f"sqlite:///{path}")
    try:
        problems = integrity_check(damaged)
    finally:
        damaged.dispose()
    assert problems, "a damaged file must be reported"


def test_check_schema_tells_how_to_upgrade(settings: Settings) -> None:
    engine = open_engine(settings)
    try:
        with pytest.raises(StoreError, match="not up to date") as caught:
            check_schema(engine)
        assert "kambot init" in (caught.value.hint or "")
        migrate(engine)
        check_schema(engine)
    finally:
        engine.dispose()
