"""Store fixtures: an ``engine`` on each back end (SQLite, and PostgreSQL when available).

The back ends come from the root conftest's ``backend`` parametrisation: SQLite in the
test's data directory, or a PostgreSQL database of the test's own, created from a
migrated template (see ``postgres_databases``) and dropped at the end of the test.
Without ``KAMBOT_TEST_POSTGRES_URL`` (set by the root conftest when it could start a
server) the PostgreSQL cases are skipped, except under ``CI=true`` where a missing
server is a failure (CI must not silently lose them).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kambot.config import Settings
from kambot.store.db import migrate, open_engine, transaction
from kambot.store.writer import upsert_rows


def _engine_for(backend: str, request: pytest.FixtureRequest, settings: Settings,
                *, migrated: bool) -> Engine:
    if backend == "sqlite+embedded":
        return open_engine(settings)
    databases = request.getfixturevalue("postgres_databases")
    url = databases.create(migrated=migrated)
    request.addfinalizer(lambda: databases.drop(url))
    return open_engine(
        Settings(data_dir=settings.data_dir, database_url=url, _env_file=None)  # type: ignore[call-arg]
    )


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest, settings: Settings) -> Iterator[Engine]:
    """Return a migrated, empty database: SQLite in tmp_path, or PostgreSQL."""
    eng = _engine_for(backend, request, settings, migrated=True)
    migrate(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def blank_engine(backend: str, request: pytest.FixtureRequest,
                 settings: Settings) -> Iterator[Engine]:
    """Return an empty database with no schema at all, on each back end."""
    eng = _engine_for(backend, request, settings, migrated=False)
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
