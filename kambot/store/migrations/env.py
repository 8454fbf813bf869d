"""Alembic environment: runs kambot's migrations on a connection given in code.

``kambot.store.db.migrate`` builds the configuration (no alembic.ini) and passes an
open connection in ``config.attributes["connection"]``; a URL in ``sqlalchemy.url`` is
accepted too, for running Alembic by hand.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from kambot.store.schema import all_metadata

config = context.config


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=all_metadata(),
        # SQLite alters tables by copying them: batch mode does that for us.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on a new one from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no connection and no sqlalchemy.url given to the migrations")
    from kambot.store.db import create_engine_for_url

    engine = create_engine_for_url(url)
    try:
        with engine.begin() as conn:
            _run(conn)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("kambot migrations run online only (they need a connection)")
run_migrations_online()
