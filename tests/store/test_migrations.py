"""Alembic migrations shipped in the package match the ORM schema."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Engine

from kambot.config import Settings
from kambot.errors import StoreError
from kambot.store.db import alembic_config, migrate, pending_migrations
from kambot.store.schema import SNAPSHOT_SOURCES, all_metadata, metadata

SNAPSHOT_TRIGGERS = (
    "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'trg_%_snapshot'"
)


def _all_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def test_upgrade_from_empty_then_nothing_pending(blank_engine: Engine) -> None:
    engine = blank_engine
    everything = _all_revisions()
    assert everything[0] == "0001"
    assert pending_migrations(engine) == everything
    assert migrate(engine) == everything
    assert pending_migrations(engine) == []
    assert migrate(engine) == []
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
    assert {t.name for t in all_metadata().sorted_tables} <= tables


def test_autogenerate_finds_no_difference(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "compare_type": True,
                # PostgreSQL cannot compare json defaults; SQLite checks them all.
                "compare_server_default": engine.dialect.name == "sqlite",
            },
        )
        differences = compare_metadata(context, all_metadata())
    assert differences == []


def test_sqlite_snapshot_triggers_exist(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        names = set(conn.exec_driver_sql(SNAPSHOT_TRIGGERS).scalars())
    assert len(names) == 3 * len(SNAPSHOT_SOURCES)
    assert "trg_invoice_lines_insert_snapshot" in names


def test_create_all_matches_the_migrations(settings: Settings) -> None:
    engine = sa.create_engine(f"sqlite:///{settings.data_dir}.create_all.db")
    try:
        metadata.create_all(engine)
        with engine.connect() as conn:
            triggers = conn.exec_driver_sql(SNAPSHOT_TRIGGERS).scalars().all()
        assert len(triggers) == 3 * len(SNAPSHOT_SOURCES)
    finally:
        engine.dispose()


def test_downgrade_to_base_and_up_again(engine: Engine) -> None:
    with engine.connect() as conn, conn.begin():
        command.downgrade(alembic_config(conn), "base")
    assert pending_migrations(engine) == _all_revisions()
    with engine.connect() as conn:
        assert sa.inspect(conn).get_table_names() == ["alembic_version"]
    assert migrate(engine) == _all_revisions()


def test_unknown_revision_in_the_database_is_explained(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'ffff9999'")
    with pytest.raises(StoreError, match="unknown to this kambot") as caught:
        pending_migrations(engine)
    assert "newer kambot" in (caught.value.hint or "")
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0001'")
