"""Startup checks: each problem is found, with a clear message and the fix."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ops_support import with_small_knowledge

from kambot.assistant.operations.startup_checks import (
    CheckResult,
    assert_startable,
    check_data_dir,
    check_index,
    check_migrations,
    check_sqlite_wal,
    claim_sqlite_server,
    declared_api_workers,
    run_startup_checks,
    server_lock_owner,
)
from kambot.config import Settings
from kambot.errors import ConfigError, StoreError
from kambot.store.db import migrate, open_engine

BUGGY, FIXED = "3.40.1", "3.51.3"


def _by_name(results: list[CheckResult]) -> dict[str, CheckResult]:
    return {r.name: r for r in results}


# --- data directory ------------------------------------------------------------------


def test_a_writable_data_directory_passes(settings: Settings) -> None:
    assert check_data_dir(settings).status == "ok"
    settings.data_dir.mkdir(parents=True)
    result = check_data_dir(settings)
    assert result.ok and "writable" in result.message
    assert list(settings.data_dir.iterdir()) == []  # the probe file is gone


def test_a_data_directory_under_a_file_is_refused_with_the_fix(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("x")
    settings = Settings(data_dir=tmp_path / "blocker" / "data", _env_file=None)  # type: ignore[call-arg]
    result = check_data_dir(settings)
    assert result.status == "error"
    assert "cannot be created" in result.message and "blocker is a file" in result.message
    assert result.fix and "KAMBOT_DATA_DIR" in result.fix
    with pytest.raises(StoreError, match="cannot be created") as caught:
        assert_startable(settings)
    assert "KAMBOT_DATA_DIR" in (caught.value.hint or "")


def test_a_data_directory_that_is_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("x")
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)  # type: ignore[call-arg]
    assert "is a file, not a folder" in check_data_dir(settings).message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="permissions do not stop root")
def test_a_read_only_data_directory_is_refused(settings: Settings) -> None:
    settings.data_dir.mkdir(parents=True)
    settings.data_dir.chmod(0o500)
    try:
        result = check_data_dir(settings)
    finally:
        settings.data_dir.chmod(0o700)
    assert result.status == "error" and "is not writable" in result.message


# --- migrations ----------------------------------------------------------------------


def test_pending_migrations_warn_one_process_and_stop_several(settings: Settings) -> None:
    engine = open_engine(settings)
    try:
        migrate(engine, "0001")
        alone = check_migrations(engine, workers=1)
        assert alone.status == "warn" and "pending" in alone.message
        assert alone.fix == "run `kambot init` to apply them now"
        several = check_migrations(engine, workers=3)
        assert several.status == "error" and "3 API workers" in several.message
        with pytest.raises(StoreError, match="would each try to apply them") as caught:
            assert_startable(settings, workers=3, engine=engine, sqlite_version=FIXED)
        assert "kambot init" in (caught.value.hint or "")
        migrate(engine)
        assert check_migrations(engine, workers=3).ok
    finally:
        engine.dispose()


def test_a_database_from_a_newer_kambot_is_an_error(settings: Settings) -> None:
    engine = open_engine(settings)
    try:
        migrate(engine)
        with engine.begin() as conn:
            conn.exec_driver_sql("DELETE FROM alembic_version")
            conn.exec_driver_sql("INSERT INTO alembic_version VALUES ('ffff9999')")
        result = check_migrations(engine)
        assert result.status == "error" and "unknown to this kambot" in result.message
        assert result.fix and "upgrade kambot" in result.fix
    finally:
        engine.dispose()


# --- SQLite WAL-reset bug -------------------------------------------------------------


def test_several_workers_on_a_buggy_sqlite_are_refused(settings: Settings) -> None:
    refused = check_sqlite_wal(settings, workers=2, sqlite_version=BUGGY)
    assert refused.status == "error"
    assert "WAL-reset bug" in refused.message and "2 API workers" in refused.message
    assert refused.fix and "PostgreSQL" in refused.fix and "single API worker" in refused.fix
    with pytest.raises(ConfigError, match="WAL-reset bug"):
        assert_startable(settings, workers=2, sqlite_version=BUGGY)
    assert check_sqlite_wal(settings, workers=1, sqlite_version=BUGGY).status == "warn"
    assert check_sqlite_wal(settings, workers=8, sqlite_version=FIXED).ok
    on_postgres = settings.model_copy(update={"database_url": "postgresql://u@127.0.0.1/db"})
    assert check_sqlite_wal(on_postgres, workers=8, sqlite_version=BUGGY).ok


def test_the_worker_count_comes_from_the_deployment(settings: Settings) -> None:
    assert declared_api_workers(settings, {}) == 1
    assert declared_api_workers(settings, {"WEB_CONCURRENCY": "4"}) == 4
    assert declared_api_workers(settings, {"KAMBOT_API_WORKERS": "3",
                                           "WEB_CONCURRENCY": "2"}) == 3
    assert declared_api_workers(settings, {"WEB_CONCURRENCY": "many"}) == 1
    assert declared_api_workers(settings, {"WEB_CONCURRENCY": "0"}) == 1


_CLAIM = """
import sys
from kambot.config import Settings
from kambot.assistant.operations.startup_checks import claim_sqlite_server
from kambot.errors import ConfigError
try:
    claim_sqlite_server(Settings(data_dir=sys.argv[1], _env_file=None), sqlite_version="3.40.1")
except ConfigError as exc:
    print("refused:", exc.message, "|", exc.hint)
    sys.exit(3)
print("claimed")
"""


def _claim_elsewhere(settings: Settings) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", _CLAIM, str(settings.data_dir)],
                          capture_output=True, text=True, timeout=120, check=False)


def test_a_second_api_process_on_a_buggy_sqlite_is_refused(settings: Settings) -> None:
    first = claim_sqlite_server(settings, sqlite_version=BUGGY)
    assert first is not None
    again = claim_sqlite_server(settings, sqlite_version=BUGGY)  # same process: shared
    assert again is not None
    try:
        other = _claim_elsewhere(settings)
        assert other.returncode == 3, other.stderr
        assert f"pid {os.getpid()}" in other.stdout and "WAL-reset bug" in other.stdout
        assert "PostgreSQL" in other.stdout
        assert server_lock_owner(settings) is None  # this process is the owner
        first.release()
        assert _claim_elsewhere(settings).returncode == 3  # `again` still holds it
    finally:
        first.release()
        again.release()
    assert _claim_elsewhere(settings).stdout.strip() == "claimed"
    assert claim_sqlite_server(settings, sqlite_version=FIXED) is None


# --- the search index ----------------------------------------------------------------


def _built(settings: Settings, tmp_path: Path) -> Settings:
    from kambot.retrieval.index import open_index

    small = with_small_knowledge(settings, tmp_path)
    open_index(small)
    return small


def _pretend_built_with_openai(settings: Settings) -> None:
    path = settings.index_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["embedder"]["name"] = "openai:text-embedding-3-small"
    manifest["embedder"]["identity"] = {"provider": "openai", "model": "text-embedding-3-small",
                                        "name": "openai:text-embedding-3-small"}
    path.write_text(json.dumps(manifest), encoding="utf-8")


def test_an_index_built_with_another_embedding_is_found(
        settings: Settings, tmp_path: Path) -> None:
    small = _built(settings, tmp_path)
    assert check_index(small).ok
    _pretend_built_with_openai(small)
    writer = check_index(small)
    assert writer.status == "warn"
    assert "built with the embedding function 'openai:text-embedding-3-small'" in writer.message
    assert "model=text-embedding-3-small" in writer.message and "local-hash" in writer.message
    assert writer.fix and "kambot reindex" in writer.fix

    reader = small.model_copy(update={"index_writer": False})
    refused = check_index(reader)
    assert refused.status == "error" and "every search would fail" in refused.message
    with pytest.raises(ConfigError, match="built with the embedding function") as caught:
        assert_startable(reader, sqlite_version=FIXED)
    assert "KAMBOT_INDEX_WRITER" in (caught.value.hint or "")


def test_an_index_built_for_another_chroma_is_found(settings: Settings, tmp_path: Path) -> None:
    small = _built(settings, tmp_path)
    on_server = small.model_copy(update={"chroma_url": "http://127.0.0.1:9"})
    result = check_index(on_server)
    assert result.status == "warn"
    assert "built for embedded Chroma, the settings ask for http Chroma" in result.message
    chroma = _by_name(run_startup_checks(on_server, sqlite_version=FIXED))["chroma"]
    assert chroma.status == "warn" and "does not answer" in chroma.message


def test_everything_fine_gives_only_ok(settings: Settings, tmp_path: Path) -> None:
    small = _built(settings, tmp_path)
    engine = open_engine(small)
    migrate(engine)
    engine.dispose()
    results = run_startup_checks(small, sqlite_version=FIXED)
    assert [r.name for r in results] == ["data_dir", "sqlite_wal", "database", "migrations",
                                        "index"]
    assert all(r.ok for r in results), results
    assert assert_startable(small, sqlite_version=FIXED) == []
