"""Demo databases served through the real FastAPI app, with authenticated clients.

Loading the demo takes several seconds, so it is loaded once per test session into a
template folder; each test module gets its own copy (its own database and indexes).
Every client authenticates: ``client`` with an admin API key; :func:`make_user` creates
users of any role and scope and returns their key.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from kambot.assistant.portfolio import load_demo, open_store
from kambot.config import Settings


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Load the demo and index it once; return its data directory (never used directly)."""
    data = tmp_path_factory.mktemp("demo-template") / "data"
    settings = Settings(data_dir=data, _env_file=None)  # type: ignore[call-arg]
    load_demo(settings)
    from kambot.retrieval.index import open_index

    engine = open_store(settings)
    try:
        open_index(settings, engine)  # built once here rather than by each module's /ask
    finally:
        engine.dispose()
    with sqlite3.connect(data / "kambot.db") as db:
        # Everything into the main file, so that copying the folder copies the data.
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return data


def copy_demo(template: Path, target: Path) -> Path:
    """Copy the demo template's data directory to ``target`` and return it."""
    shutil.copytree(template, target, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    return target


def api_settings(data: Path, **overrides: object) -> Settings:
    """Return test settings for a data directory (cookies allowed over plain http)."""
    values: dict[str, object] = {"session_cookie_secure": False, "rate_limit_per_minute": 100_000}
    values.update(overrides)
    return Settings(data_dir=data, _env_file=None, **values)  # type: ignore[call-arg, arg-type]


def make_user(engine: Engine, username: str, role: str, accounts: Sequence[str] = (),
              password: str | None = None) -> str:
    """Create a user and return a new API key of theirs."""
    from kambot.auth.users import create_user, issue_key

    create_user(engine, username, role, accounts=accounts, password=password)
    return issue_key(engine, username).key


def bearer(key: str) -> dict[str, str]:
    """Return the Authorization header of an API key."""
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="module")
def demo_settings(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = copy_demo(demo_template, tmp_path_factory.mktemp("api") / "data")
    return api_settings(data)


@pytest.fixture(scope="module")
def demo_engine(demo_settings: Settings) -> Iterator[Engine]:
    engine = open_store(demo_settings)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def admin_key(demo_engine: Engine) -> str:
    return make_user(demo_engine, "test-admin", "admin")


@pytest.fixture(scope="module")
def client(demo_settings: Settings, admin_key: str) -> Iterator[TestClient]:
    with TestClient(create_app(demo_settings), headers=bearer(admin_key)) as test_client:
        yield test_client
