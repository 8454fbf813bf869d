"""One demo data directory for the gateway tests, with users of every role and their keys.

The demo is loaded and indexed once per test session (it takes several seconds); the
OpenAI-compatible endpoint is served by a real uvicorn on loopback, and the MCP server
is reached in process, over stdio (a child ``python -m kambot mcp``) and over HTTP.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from gateway_support import OWN, GatewayEnv, gateway_settings, run_uvicorn

ROLES = (("gw-admin", "admin", ()), ("gw-kam", "kam", (OWN,)), ("gw-hr", "hr", ()),
         ("gw-exec", "executive", (OWN,)), ("gw-lead", "lead", ()))


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> GatewayEnv:
    """Load the demo, build its index and create one user per role (KAM scoped to OWN)."""
    from kambot.assistant.portfolio import load_demo, open_store
    from kambot.auth.users import create_user, issue_key
    from kambot.retrieval.index import open_index

    data = tmp_path_factory.mktemp("gateway") / "data"
    settings = gateway_settings(data)
    load_demo(settings)
    engine = open_store(settings)
    try:
        open_index(settings, engine)
        keys: dict[str, str] = {}
        for username, role, accounts in ROLES:
            create_user(engine, username, role, accounts=accounts)
            keys[role] = issue_key(engine, username).key
    finally:
        engine.dispose()
    with sqlite3.connect(data / "kambot.db") as db:
        # A child process (the stdio MCP server) then reads everything from the main file.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return GatewayEnv(data=data, settings=settings, keys=keys)


@pytest.fixture(scope="session")
def api_url(gateway: GatewayEnv) -> Iterator[str]:
    """Serve the real kambot API (security layer included) on loopback."""
    from api.app import create_app

    yield from run_uvicorn(create_app(gateway.settings))
