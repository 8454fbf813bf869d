"""`kambot user add|list|revoke` on a real database."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kambot.auth.users import authenticate_key, authenticate_password
from kambot.cli import app
from kambot.config import Settings
from kambot.store.db import open_engine, transaction
from kambot.store.writer import upsert_rows

from .conftest import ACCOUNTS, PEOPLE

KEY_RE = re.compile(r"kb_[0-9a-f]{12}_[A-Za-z0-9_-]+")


@pytest.fixture
def data_dir(settings: Settings, migrated_sqlite: Path) -> Path:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(migrated_sqlite, settings.data_dir / "kambot.db")
    engine = open_engine(settings)
    with transaction(engine, write=True) as conn:
        upsert_rows(conn, "people", [dict(p) for p in PEOPLE])
        upsert_rows(conn, "accounts", [dict(a) for a in ACCOUNTS])
    engine.dispose()
    return settings.data_dir


def _run(data_dir: Path, *args: str, input: str | None = None) -> str:
    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), *args], input=input,
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _engine(data_dir: Path):  # type: ignore[no-untyped-def]
    return open_engine(Settings(data_dir=data_dir, _env_file=None))  # type: ignore[call-arg]


def test_add_prints_the_key_once_and_list_never_shows_it(data_dir: Path) -> None:
    out = _run(data_dir, "user", "add", "alice", "--role", "kam", "--accounts",
               "ACME,Globex Industries")
    keys = KEY_RE.findall(out)
    assert len(keys) == 1
    assert "ACME, GLOBEX" in out
    engine = _engine(data_dir)
    identity = authenticate_key(engine, keys[0])
    assert identity is not None and len(identity.principal.account_ids) == 2
    listed = _run(data_dir, "user", "list")
    assert "alice" in listed and not KEY_RE.search(listed)
    payload = json.loads(_run(data_dir, "user", "list", "--json"))
    assert payload[0]["accounts"] == ["ACME", "GLOBEX"]
    assert payload[0]["keys"][0]["key_id"] in keys[0]
    engine.dispose()


def test_password_prompt_sets_the_web_login(data_dir: Path) -> None:
    secret = "a long enough passphrase"
    out = _run(data_dir, "user", "add", "hana", "--role", "hr", "--password-prompt",
               "--no-key", input=f"{secret}\n{secret}\n")
    assert not KEY_RE.search(out.replace(secret, ""))
    engine = _engine(data_dir)
    assert authenticate_password(engine, "hana", secret) is not None
    engine.dispose()


def test_revoke_one_key_then_the_whole_user(data_dir: Path) -> None:
    first = KEY_RE.findall(_run(data_dir, "user", "add", "bob", "--role", "lead"))[0]
    second = KEY_RE.findall(_run(data_dir, "user", "key", "bob", "--label", "ci"))[0]
    key_id = first.split("_")[1]
    _run(data_dir, "user", "revoke", "bob", "--key", key_id)
    engine = _engine(data_dir)
    assert authenticate_key(engine, first) is None
    assert authenticate_key(engine, second) is not None
    out = _run(data_dir, "user", "revoke", "bob")
    assert "1 key(s)" in out
    assert authenticate_key(engine, second) is None
    engine.dispose()


def test_errors_are_explained_and_exit_non_zero(data_dir: Path) -> None:
    from kambot.errors import KambotError

    result = CliRunner().invoke(app, ["--data-dir", str(data_dir), "user", "add", "carol",
                                      "--role", "kam", "--accounts", "NOPE"])
    assert result.exit_code != 0
    assert isinstance(result.exception, KambotError)
    assert "unknown account" in str(result.exception)
