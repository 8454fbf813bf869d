"""Auth store fixtures: a migrated database with three accounts, on SQLite and PostgreSQL.

PostgreSQL runs when ``KAMBOT_TEST_POSTGRES_URL`` is set (tests/conftest.py starts a
server when the Debian package is installed); one database per module, emptied between
tests. Without it the PostgreSQL cases skip, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kambot.config import Settings
from kambot.store.db import create_engine_for_url, migrate, open_engine, transaction
from kambot.store.writer import upsert_rows

ACCOUNTS: list[dict[str, Any]] = [
    {"external_id": "ACME", "name": "Acme Corporation", "country": "FR", "products": [],
     "owner_kam": "alice", "sponsor": "bob"},
    {"external_id": "GLOBEX", "name": "Globex Industries", "country": "DE", "products": [],
     "owner_kam": "alice", "sponsor": None},
    {"external_id": "INITECH", "name": "Initech", "country": "FR", "products": [],
     "owner_kam": None, "sponsor": None},
]
PEOPLE: list[dict[str, Any]] = [
    {"key": "alice", "name": "Alice Martin", "role": "kam"},
    {"key": "bob", "name": "Bob Durand", "role": "executive"},
]


@pytest.fixture(scope="module")
def postgres_engine() -> Iterator[Engine]:
    """Return a migrated PostgreSQL database for the module (dropped at its end)."""
    url = os.environ.get("KAMBOT_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but KAMBOT_TEST_POSTGRES_URL is unset", pytrace=False)
        pytest.skip("no PostgreSQL server (KAMBOT_TEST_POSTGRES_URL unset)")
    name = f"kambot_auth_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine = create_engine_for_url(
        sa.make_url(url).set(database=name).render_as_string(hide_password=False))
    try:
        migrate(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _empty(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "TRUNCATE access_audit, auth_sessions, api_keys, user_accounts, users, accounts, "
            "people RESTART IDENTITY CASCADE")


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return an SQLite file migrated once (running every migration takes a second)."""
    data = tmp_path_factory.mktemp("auth-template")
    eng = open_engine(Settings(data_dir=data, _env_file=None))  # type: ignore[call-arg]
    try:
        migrate(eng)
        with eng.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        eng.dispose()
    return data / "kambot.db"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Engine]:
    """Return a migrated database holding :data:`ACCOUNTS` and :data:`PEOPLE`."""
    if request.param == "sqlite":
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(request.getfixturevalue("migrated_sqlite"), settings.data_dir / "kambot.db")
        eng = open_engine(settings)
    else:
        eng = request.getfixturevalue("postgres_engine")
        _empty(eng)
    with transaction(eng, write=True) as conn:
        upsert_rows(conn, "people", [dict(p) for p in PEOPLE])
        upsert_rows(conn, "accounts", [dict(a) for a in ACCOUNTS])
    yield eng
    if request.param == "sqlite":
        eng.dispose()
