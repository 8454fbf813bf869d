"""The identity tables and transactions, imported on first use.

The CLI imports :mod:`kambot.auth` lazily, and nothing here imports SQLAlchemy until a
function runs, so that `kambot --help` stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from kambot.errors import StoreError

if TYPE_CHECKING:
    from sqlalchemy import Table
    from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class Tables:
    """SQLAlchemy and the tables the identity use cases read and write."""

    sa: Any
    users: Table
    scopes: Table
    keys: Table
    sessions: Table
    audit: Table
    accounts: Table


@lru_cache(maxsize=1)
def tables() -> Tables:
    """Import SQLAlchemy and the tables (once)."""
    import sqlalchemy

    from kambot.store.auth_schema import ACCESS_AUDIT, API_KEYS, SESSIONS, USER_ACCOUNTS, USERS
    from kambot.store.schema import AccountRow

    accounts: Table = AccountRow.__table__  # type: ignore[assignment]
    return Tables(sqlalchemy, USERS, USER_ACCOUNTS, API_KEYS, SESSIONS, ACCESS_AUDIT, accounts)


def utc(value: datetime | None) -> datetime | None:
    """Return ``value`` as an aware UTC datetime (SQLite hands back naive ones)."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def now() -> datetime:
    """Return the current time, in UTC."""
    return datetime.now(UTC)


def writing(engine: Engine) -> Any:
    """Open a write transaction (SQLite's write lock taken up front)."""
    from kambot.store.db import transaction

    return transaction(engine, write=True)


def reading(engine: Engine) -> Any:
    """Open a read transaction (one snapshot)."""
    from kambot.store.db import transaction

    return transaction(engine)


def missing_tables(exc: Exception) -> StoreError:
    """Explain a failure caused by a database whose identity tables are not there yet."""
    return StoreError(f"the identity tables are missing or unusable: {exc}",
                      hint="run `kambot init` to upgrade the database")
