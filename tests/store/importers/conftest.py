"""Fixtures of the importer tests: a migrated database and a way to see it unchanged."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from kambot.config import Settings
from kambot.store.db import create_engine_for_url, migrate
from kambot.store.schema import metadata

#: Tables an import writes data to (bookkeeping tables are compared separately).
BOOKKEEPING = {"import_runs", "audit_log", "alembic_version"}


def _migrated(url: str) -> Iterator[Engine]:
    eng = create_engine_for_url(url)
    migrate(eng)
    try:
        yield eng
    finally:
        eng.dispose()


@pytest.fixture
def engine(backend: str, request: pytest.FixtureRequest, settings: Settings) -> Iterator[Engine]:
    """Return a migrated database on each back end (SQLite, then PostgreSQL)."""
    if backend == "sqlite+embedded":
        yield from _migrated(settings.resolved_database_url)
    else:
        yield from _migrated(request.getfixturevalue("postgres_database"))


@pytest.fixture
def any_engine(engine: Engine) -> Engine:
    """Return :func:`engine` (kept for the tests written before both back ends ran)."""
    return engine


def _snapshot(engine: Engine) -> dict[str, tuple[int, str]]:
    """Return (row count, checksum of every row) per data table."""
    state: dict[str, tuple[int, str]] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in BOOKKEEPING:
                continue
            order = list(table.primary_key.columns)
            rows = conn.execute(sa.select(table).order_by(*order)).all()
            digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
            state[table.name] = (len(rows), digest)
    return state


def _count(engine: Engine, table: str) -> int:
    """Return the number of rows of a table."""
    with engine.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one())


@pytest.fixture
def snapshot() -> Callable[[Engine], dict[str, tuple[int, str]]]:
    """Return a function giving (row count, checksum) per data table of a database."""
    return _snapshot


@pytest.fixture
def count() -> Callable[[Engine, str], int]:
    """Return a function counting the rows of a table."""
    return _count


@pytest.fixture
def make_file(tmp_path: Path) -> Callable[..., Path]:
    """Return a function writing a small input file into the test's folder."""

    def make(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return path

    return make
