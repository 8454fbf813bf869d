"""Backup then restore, on both back ends: same records, same search results."""

from __future__ import annotations

import io
import json
import tarfile
import threading
from pathlib import Path
from typing import Any

import pytest
from ops_support import fill, search_results, snapshot, with_small_knowledge

from kambot.assistant.operations.backup import (
    MANIFEST_NAME,
    create_backup,
    read_backup_manifest,
)
from kambot.assistant.operations.restore import restore_backup
from kambot.assistant.portfolio import open_store
from kambot.config import Settings
from kambot.errors import ConfigError, DataError, StoreError
from kambot.store.db import integrity_check, transaction


def _source(backend_settings: Settings, tmp_path: Path) -> Settings:
    settings = with_small_knowledge(backend_settings, tmp_path / "src")
    engine = open_store(settings)
    try:
        fill(engine, settings, tmp_path / "csv")
    finally:
        engine.dispose()
    uploads = settings.data_dir / "uploads"
    uploads.mkdir(parents=True)
    (uploads / "brief.txt").write_text("An uploaded brief.\n", encoding="utf-8")
    return settings


def _target(backend: str, backend_settings: Settings, tmp_path: Path,
            request: pytest.FixtureRequest) -> Settings:
    overrides: dict[str, Any] = {"data_dir": tmp_path / "restored",
                                 "knowledge_dir": tmp_path / "restored-knowledge"}
    if backend == "postgres+server":
        # A blank database this time: restore must not need a migrated one.
        databases = request.getfixturevalue("postgres_databases")
        url = databases.create(migrated=False)
        request.addfinalizer(lambda: databases.drop(url))
        overrides["database_url"] = url
    return backend_settings.model_copy(update=overrides)


def test_round_trip_gives_the_same_records_and_search_results(
        backend: str, backend_settings: Settings, tmp_path: Path,
        request: pytest.FixtureRequest) -> None:
    source = _source(backend_settings, tmp_path)
    engine = open_store(source)
    before = snapshot(engine)
    found = search_results(source, engine)
    engine.dispose()
    assert before["accounts"][0] == 3 and before["activities"][0] == 3
    assert any(h[0].startswith("account-") for hits in found for h in hits)

    stages: list[str] = []
    result = create_backup(source, tmp_path / "backups", progress=stages.append)
    assert stages == ["database", "files", "archive"]
    manifest = read_backup_manifest(result.archive)
    assert manifest.backend == ("sqlite" if backend == "sqlite+embedded" else "postgresql")
    assert manifest.database.tables["accounts"] == 3
    assert manifest.database.revisions
    assert manifest.embedding["settings"]["name"] == "local-hash"
    assert manifest.embedding["index"]["name"] == "local-hash"  # the index of the searches
    assert "methodology/en/sponsorship.md" in manifest.knowledge_files()
    assert list(manifest.data_files()) == ["uploads/brief.txt"]
    with tarfile.open(result.archive) as tar:
        names = tar.getnames()
    assert names[0] == MANIFEST_NAME
    assert not [n for n in names if n.startswith("data/index") or "chroma" in n]

    target = _target(backend, backend_settings, tmp_path, request)
    restored = restore_backup(target, result.archive)
    assert restored.knowledge == "copied" and restored.data_files == 1
    assert restored.index_chunks == 7 + 3  # methodology + notes, rebuilt
    assert (target.data_dir / "uploads" / "brief.txt").read_text(encoding="utf-8") == (
        "An uploaded brief.\n")
    engine = open_store(target)
    try:
        assert integrity_check(engine) == []
        assert snapshot(engine) == before
        from kambot.retrieval.index import open_index

        assert open_index(target, engine).status.state == "ready"  # rebuilt by the restore
        assert search_results(target, engine) == found
    finally:
        engine.dispose()


def test_a_non_empty_target_is_refused_unless_forced(
        backend_settings: Settings, tmp_path: Path) -> None:
    source = _source(backend_settings, tmp_path)
    archive = create_backup(source, tmp_path / "backups").archive
    engine = open_store(source)
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("UPDATE accounts SET name = 'Changed' WHERE external_id = 'ACME'")
        conn.exec_driver_sql("DELETE FROM activities WHERE external_id = 'A-3'")
    changed = snapshot(engine)
    engine.dispose()

    with pytest.raises(StoreError, match="already holds data") as caught:
        restore_backup(source, archive)
    assert "--force" in (caught.value.hint or "")
    engine = open_store(source)
    assert snapshot(engine) == changed  # nothing was touched
    engine.dispose()

    result = restore_backup(source, archive, force=True)
    assert result.knowledge == "identical"
    engine = open_store(source)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql(
                "SELECT name FROM accounts WHERE external_id = 'ACME'").scalar_one() == (
                "Acme Corporation")
            assert conn.exec_driver_sql("SELECT COUNT(*) FROM activities").scalar_one() == 3
    finally:
        engine.dispose()


def test_a_different_knowledge_folder_is_refused_before_anything_changes(
        settings: Settings, tmp_path: Path) -> None:
    source = _source(settings, tmp_path)
    archive = create_backup(source, tmp_path / "backups").archive
    target = source.model_copy(update={"data_dir": tmp_path / "other"})
    doc = source.knowledge_dir / "methodology" / "en" / "sponsorship.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "\nEdited after the backup.\n",
                   encoding="utf-8")
    with pytest.raises(DataError, match=r"knowledge folder .* differs"):
        restore_backup(target, archive)
    assert not (target.data_dir / "kambot.db").exists()
    result = restore_backup(target, archive, force=True)
    assert result.knowledge == "replaced"
    assert "Edited after the backup" not in doc.read_text(encoding="utf-8")


def _rewrite(archive: Path, out: Path, change: dict[str, bytes]) -> Path:
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src.getmembers():
            handle = src.extractfile(member)
            assert handle is not None
            data = change.get(member.name, handle.read())
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


def test_a_damaged_or_foreign_archive_is_refused(settings: Settings, tmp_path: Path) -> None:
    source = _source(settings, tmp_path)
    archive = create_backup(source, tmp_path / "backups").archive
    target = source.model_copy(update={"data_dir": tmp_path / "t",
                                       "knowledge_dir": tmp_path / "tk"})

    tampered = _rewrite(archive, tmp_path / "tampered.tar.gz",
                        {"knowledge/glossary.yaml": b"- id: evil\n"})
    with pytest.raises(DataError, match="does not match its checksum"):
        restore_backup(target, tampered)
    assert not (target.data_dir / "kambot.db").exists()

    with tarfile.open(archive) as tar:
        handle = tar.extractfile(MANIFEST_NAME)
        assert handle is not None
        manifest = json.loads(handle.read())
    manifest["format"] = 99
    future = _rewrite(archive, tmp_path / "future.tar.gz",
                      {MANIFEST_NAME: json.dumps(manifest).encode()})
    with pytest.raises(DataError, match="backup format 99"):
        restore_backup(target, future)

    manifest["format"] = 1
    manifest["database"]["revisions"] = ["ffff9999"]
    newer = _rewrite(archive, tmp_path / "newer.tar.gz",
                     {MANIFEST_NAME: json.dumps(manifest).encode()})
    with pytest.raises(DataError, match="revision ffff9999, unknown to this kambot"):
        restore_backup(target, newer)
    assert not (target.data_dir / "kambot.db").exists()

    (tmp_path / "junk.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(DataError, match="cannot be read as a kambot backup"):
        restore_backup(target, tmp_path / "junk.tar.gz")

    on_postgres = target.model_copy(update={"database_url": "postgresql://u@127.0.0.1:1/x"})
    with pytest.raises(ConfigError, match="is a sqlite backup; the settings use postgresql"):
        restore_backup(on_postgres, archive)


def test_sqlite_backup_is_consistent_while_another_connection_writes(
        settings: Settings, tmp_path: Path) -> None:
    source = _source(settings, tmp_path)
    engine = open_store(source)
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            with transaction(engine, write=True) as conn:
                conn.exec_driver_sql(
                    "INSERT INTO accounts (external_id, name) VALUES (?, ?)",
                    (f"LIVE-{number}", f"Live {number}"))
            written.append(number)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 20:
            threading.Event().wait(0.01)
        result = create_backup(source, tmp_path / "backups")
    finally:
        stop.set()
        thread.join()
    engine.dispose()
    counted = result.manifest.database.tables["accounts"]
    assert 3 + 20 <= counted <= 3 + len(written)

    target = source.model_copy(update={"data_dir": tmp_path / "t"})
    restored = restore_backup(target, result.archive)
    assert restored.tables["accounts"] == counted
    engine = open_store(target)
    try:
        with engine.connect() as conn:
            live = conn.exec_driver_sql(
                "SELECT COUNT(*) FROM accounts WHERE external_id LIKE 'LIVE-%'").scalar_one()
        assert live == counted - 3  # a prefix of the writes, none half-written
        assert integrity_check(engine) == []
    finally:
        engine.dispose()
