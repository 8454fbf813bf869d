"""Store fixtures: an ``engine`` on SQLite (always) and on PostgreSQL (when configured).

PostgreSQL runs when ``KAMBOT_TEST_POSTGRES_URL`` names a server on this machine and a
role allowed to create databases, e.g.
``postgresql://kambot:kambot@127.0.0.1:5432/postgres``. One database is created for the
test session and dropped at its end; every test starts from empty tables (truncated, or
dropped and migrated again when a test left the schema elsewhere).
Without the variable the PostgreSQL cases are skipped, except under ``CI=true`` where a
missing server is a failure (CI must not silently lose them).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url

from kambot.config import Settings
from kambot.errors import StoreError
from kambot.store.db import (
    create_engine_for_url,
    migrate,
    open_engine,
    pending_migrations,
    transaction,
)
from kambot.store.writer import upsert_rows

POSTGRES_ENV = "KAMBOT_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Create a throw-away PostgreSQL database for the session and return its URL."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        reason = (
            f"PostgreSQL tests need {POSTGRES_ENV}=postgresql://USER:PASSWORD@127.0.0.1/postgres "
            "(a role allowed to CREATE DATABASE)"
        )
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {POSTGRES_ENV} is not set: {reason}", pytrace=False)
        pytest.skip(reason)
    name = f"kambot_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine_for_url(url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin.url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def _drop_everything(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in sa.inspect(conn).get_table_names():
            conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')


def _reset_postgres(engine: Engine) -> None:
    """Empty every table when the schema is current (fast), else rebuild it."""
    try:
        current = pending_migrations(engine) == []
    except StoreError:
        current = False
    if not current:
        _drop_everything(engine)
        migrate(engine)
        return
    with engine.begin() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        if tables:
            listed = ", ".join(f'"{t}"' for t in tables)
            conn.exec_driver_sql(f"TRUNCATE {listed} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Engine]:
    """Return a migrated, empty database: SQLite in tmp_path, or PostgreSQL."""
    if request.param == "sqlite":
        eng = open_engine(settings)
    else:
        url = request.getfixturevalue("postgres_url")
        eng = open_engine(
            Settings(data_dir=settings.data_dir, database_url=url, _env_file=None)  # type: ignore[call-arg]
        )
        _reset_postgres(eng)
    migrate(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def sqlite_engine(settings: Settings) -> Iterator[Engine]:
    """Return a migrated, empty SQLite database (for SQLite-only behaviour)."""
    eng = open_engine(settings)
    migrate(eng)
    try:
        yield eng
    finally:
        eng.dispose()


# --- sample data ------------------------------------------------------------------------------

PEOPLE: list[dict[str, Any]] = [
    {"key": "alice", "name": "Alice Martin", "role": "kam"},
    {"key": "bob", "name": "Bob Durand", "role": "executive"},
]

ACCOUNTS: list[dict[str, Any]] = [
    {
        "external_id": "ACME",
        "name": "Acme Corporation",
        "parent_external_id": None,
        "industry": "chemicals",
        "segment": "process",
        "country": "FR",
        "employees": 1200,
        "potential": 5_000_000.0,
        "products": ["resins", "coatings"],
        "owner_kam": "alice",
        "sponsor": "bob",
        "is_key_account": True,
        "selected_on": date(2024, 1, 15),
    },
    {
        "external_id": "ACME-DE",
        "name": "Acme Deutschland",
        "parent_external_id": "ACME",
        "industry": "chemicals",
        "segment": None,
        "country": "DE",
        "employees": None,
        "potential": None,
        "products": [],
        "owner_kam": "alice",
        "sponsor": None,
        "is_key_account": False,
        "selected_on": None,
    },
    {
        "external_id": "GLOBEX",
        "name": "Globex Industries",
        "parent_external_id": None,
        "industry": "automotive",
        "segment": "discrete",
        "country": "FR",
        "employees": 300,
        "potential": 800_000.0,
        "products": ["resins"],
        "owner_kam": None,
        "sponsor": None,
        "is_key_account": False,
        "selected_on": None,
    },
]


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """Return ``engine`` holding two people and three accounts (ACME-DE child of ACME)."""
    with transaction(engine, write=True) as conn:
        upsert_rows(conn, "people", [dict(p) for p in PEOPLE])
        upsert_rows(conn, "accounts", [dict(a) for a in ACCOUNTS])
    return engine


@pytest.fixture
def count() -> Any:
    """Return a function counting the rows of a table."""

    def _count(engine: Engine, table: str) -> int:
        with engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one())

    return _count
