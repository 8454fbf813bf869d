"""`kambot restore`: put a backup back, then rebuild the search indexes from it.

Order of work, so that a refused restore changes nothing:

1. read the manifest; refuse another back end's archive (a SQLite backup restores into
   SQLite, a PostgreSQL one into PostgreSQL), a SQLite database an API server has
   open, a database that holds data and a knowledge folder or data file that differs
   from the archive's, unless ``force``;
2. unpack into a staging folder (unsafe paths refused) and check every SHA-256;
3. restore the database: the SQLite file replaces the old one in one rename; on
   PostgreSQL the schema is emptied (when it has tables) and ``pg_restore`` runs in a
   single transaction;
4. apply the migrations of this kambot (a backup from an older version is upgraded),
   then compare every table's row count with the manifest and run the integrity check;
5. copy the knowledge folder and the data files;
6. rebuild the search indexes (Chroma and BM25) from the restored data: indexes are
   never restored from an archive.
"""

from __future__ import annotations

import shutil
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kambot.errors import ConfigError, DataError, StoreError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.assistant.operations.backup import BackupManifest, FileEntry
    from kambot.config import Settings

Progress = Callable[[str], None]
FolderAction = Literal["identical", "copied", "replaced", "none"]


@dataclass(frozen=True)
class RestoreResult:
    """What a restore did."""

    archive: Path
    backend: str
    tables: dict[str, int]
    migrations_applied: list[str]
    knowledge: FolderAction
    data_files: int
    index_chunks: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


# --- what is there now ---------------------------------------------------------------


def database_rows(engine: Engine) -> dict[str, int]:
    """Return the tables holding rows (alembic's bookkeeping aside) and their counts."""
    import sqlalchemy as sa

    with engine.connect() as conn:
        names = [n for n in sa.inspect(conn).get_table_names() if n != "alembic_version"]
        counts = {n: int(conn.exec_driver_sql(f'SELECT COUNT(*) FROM "{n}"').scalar_one())
                  for n in names}
    return {name: count for name, count in counts.items() if count}


def _folder_difference(target: Path, wanted: dict[str, FileEntry]) -> tuple[int, int]:
    """Return (files that differ or are missing, extra files) of ``target``."""
    from kambot.assistant.operations.backup import knowledge_files, sha256_of

    present = knowledge_files(target)
    differ = sum(1 for rel, entry in wanted.items()
                 if rel not in present or sha256_of(present[rel]) != entry.sha256)
    extra = sum(1 for rel in present if rel not in wanted)
    return differ, extra


def _plan_knowledge(settings: Settings, manifest: BackupManifest, force: bool) -> FolderAction:
    wanted = manifest.knowledge_files()
    target = settings.knowledge_dir
    if not wanted:
        return "none"
    if not target.exists() or (target.is_dir() and not any(target.iterdir())):
        return "copied"
    differ, extra = _folder_difference(target, wanted)
    if not differ and not extra:
        return "identical"
    if force:
        return "replaced"
    raise DataError(
        f"the knowledge folder {target} differs from the backup's ({differ} file(s) differ "
        f"or are missing, {extra} extra)",
        hint="pass --force to replace it with the backup's, or point KAMBOT_KNOWLEDGE_DIR "
        "at an empty folder")


def _check_data_files(settings: Settings, manifest: BackupManifest, force: bool) -> None:
    from kambot.assistant.operations.backup import sha256_of

    clashes = [rel for rel, entry in manifest.data_files().items()
               if (settings.data_dir / rel).is_file()
               and sha256_of(settings.data_dir / rel) != entry.sha256]
    if clashes and not force:
        raise DataError(
            f"{len(clashes)} file(s) of the data directory differ from the backup's "
            f"(first: {clashes[0]})", hint="pass --force to replace them")


def _check_revisions(manifest: BackupManifest) -> None:
    """Refuse a backup whose schema this kambot does not know (made by a newer one)."""
    from alembic.script import ScriptDirectory

    from kambot.store.db import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    known = {rev.revision for rev in script.walk_revisions()}
    unknown = [r for r in manifest.database.revisions if r not in known]
    if unknown:
        raise DataError(
            f"the backup's database is at revision {', '.join(unknown)}, unknown to this "
            f"kambot (the backup was made by kambot {manifest.kambot_version})",
            hint="restore it with that kambot version or a newer one")


def _check_target_database(settings: Settings, force: bool) -> None:
    from kambot.assistant.operations.backup import sqlite_path
    from kambot.assistant.operations.startup_checks import server_lock_owner
    from kambot.store.db import open_engine

    if settings.is_sqlite:
        owner = server_lock_owner(settings)
        if owner is not None:
            raise StoreError(f"a kambot API server (pid {owner}) has this database open",
                             hint="stop the API server, then restore")
        if not sqlite_path(settings).is_file():
            return
    engine = open_engine(settings)
    try:
        rows = database_rows(engine)
    finally:
        engine.dispose()
    if rows and not force:
        shown = engine.url.render_as_string(hide_password=True)
        summary = ", ".join(f"{n} {t}" for t, n in sorted(rows.items(), key=lambda i: -i[1])[:4])
        raise StoreError(
            f"the database {shown} already holds data ({summary}...)",
            hint="restore into an empty data directory or database, or pass --force to "
            "replace everything in it (back it up first)")


# --- unpacking -----------------------------------------------------------------------


def _unpack(archive: Path, manifest: BackupManifest, staging: Path) -> None:
    from kambot.assistant.operations.backup import MANIFEST_NAME, sha256_of

    try:
        with tarfile.open(archive, "r:*") as tar:
            names = {m.name for m in tar.getmembers()}
            expected = set(manifest.files) | {MANIFEST_NAME}
            if names != expected:
                odd = sorted(names ^ expected)[:3]
                raise DataError(f"{archive} does not hold the files its manifest lists "
                                f"({', '.join(odd)})", hint="the archive is damaged; use "
                                "another backup")
            # The "data" filter refuses absolute paths, '..', links out and devices.
            tar.extractall(staging, filter="data")
    except (OSError, tarfile.TarError) as exc:
        raise DataError(f"{archive} cannot be unpacked: {exc}",
                        hint="the archive is damaged; use another backup") from exc
    for name, entry in manifest.files.items():
        if sha256_of(staging / name) != entry.sha256:
            raise DataError(f"{name} in {archive} does not match its checksum",
                            hint="the archive is damaged; use another backup")


# --- the database --------------------------------------------------------------------


def _restore_sqlite(settings: Settings, staged: Path) -> None:
    import os

    from kambot.assistant.operations.backup import sqlite_path

    target = sqlite_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    landing = target.with_name(f".restore-{target.name}")
    shutil.copyfile(staged, landing)
    with landing.open("rb+") as handle:
        os.fsync(handle.fileno())
    for suffix in ("-wal", "-shm", "-journal"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    os.replace(landing, target)


def _empty_postgres_schema(engine: Engine) -> None:
    import sqlalchemy as sa

    with engine.connect() as conn:
        if not sa.inspect(conn).get_table_names():
            return
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    except sa.exc.DBAPIError as exc:
        raise StoreError(f"cannot empty the database before the restore: {exc.orig or exc}",
                         hint="restore into a new database owned by this user") from exc


def _restore_postgres(settings: Settings, staged: Path) -> None:
    from kambot.assistant.operations.pgtools import (
        find_pg_tool,
        libpq_target,
        run_pg_tool,
        server_major,
    )
    from kambot.store.db import open_engine

    engine = open_engine(settings)
    try:
        tool = find_pg_tool("pg_restore", server_major=server_major(engine))
        _empty_postgres_schema(engine)
    finally:
        engine.dispose()
    uri, env = libpq_target(settings.resolved_database_url)
    run_pg_tool(tool, ["--no-owner", "--no-privileges", "--exit-on-error",
                       "--single-transaction", f"--dbname={uri}", str(staged)],
                env, action="restore the database")


def _verify_counts(engine: Engine, manifest: BackupManifest) -> dict[str, int]:
    from kambot.store.db import integrity_check

    with engine.connect() as conn:
        found = {name: int(conn.exec_driver_sql(f'SELECT COUNT(*) FROM "{name}"').scalar_one())
                 for name in manifest.database.tables if name != "alembic_version"}
    wrong = {n: (found[n], manifest.database.tables[n]) for n in found
             if found[n] != manifest.database.tables[n]}
    if wrong:
        name, (got, want) = next(iter(wrong.items()))
        raise StoreError(f"after the restore, table {name} holds {got} rows; the backup {want}",
                         hint="the restore is incomplete: restore again with --force")
    problems = integrity_check(engine)
    if problems:
        raise StoreError(f"the restored database fails its integrity check: {problems[0]}",
                         hint="use another backup")
    return found


# --- folders -------------------------------------------------------------------------


def _place_knowledge(settings: Settings, staging: Path, action: FolderAction) -> None:
    from kambot.assistant.operations.backup import (
        KNOWLEDGE_PREFIX,
        copy_tree_files,
        knowledge_files,
    )

    if action in ("identical", "none"):
        return
    target = settings.knowledge_dir
    if action == "replaced" and target.exists():
        for child in target.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    source = staging / KNOWLEDGE_PREFIX.rstrip("/")
    copy_tree_files(knowledge_files(source), target)


def restore_backup(settings: Settings, archive: Path, *, force: bool = False,
                   progress: Progress | None = None) -> RestoreResult:
    """Restore a backup archive into the configured database and folders.

    Args:
        settings: where to restore (database URL or data directory, knowledge folder).
        archive: a file written by ``kambot backup``.
        force: replace a database holding data, a different knowledge folder and
            different data files (otherwise refused, nothing changed).
        progress: called with a short line per stage.

    Returns:
        What was restored, and the row counts checked against the manifest.

    Raises:
        DataError: not a kambot backup, a damaged archive, a schema newer than this
            kambot, or a differing knowledge folder or data file without ``force``.
        ConfigError: the archive is for another back end, or PostgreSQL tools are
            missing.
        StoreError: the target holds data without ``force``, an API server has the
            SQLite database open, or the restored database does not match the manifest.
    """
    from kambot.assistant.operations.backup import (
        DATA_PREFIX,
        copy_tree_files,
        read_backup_manifest,
    )
    from kambot.retrieval.index import reindex
    from kambot.store.db import migrate, open_engine

    say = progress or (lambda _line: None)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    manifest = read_backup_manifest(archive)
    backend = "sqlite" if settings.is_sqlite else "postgresql"
    if manifest.backend != backend:
        raise ConfigError(
            f"{archive.name} is a {manifest.backend} backup; the settings use {backend}",
            hint=f"restore it with a {manifest.backend} KAMBOT_DATABASE_URL (or none for "
            "SQLite)")
    say("checks")
    _check_revisions(manifest)
    _check_target_database(settings, force)
    knowledge = _plan_knowledge(settings, manifest, force)
    _check_data_files(settings, manifest, force)
    mark = time.perf_counter()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.data_dir, prefix=".restore-") as staging:
        stage = Path(staging)
        say("unpack")
        _unpack(archive, manifest, stage)
        timings["unpack_s"] = round(time.perf_counter() - mark, 3)
        mark = time.perf_counter()
        say("database")
        if backend == "sqlite":
            _restore_sqlite(settings, stage / manifest.database.member)
        else:
            _restore_postgres(settings, stage / manifest.database.member)
        engine = open_engine(settings)
        try:
            applied = migrate(engine)
            tables = _verify_counts(engine, manifest)
            timings["database_s"] = round(time.perf_counter() - mark, 3)
            say("files")
            _place_knowledge(settings, stage, knowledge)
            data = {rel: stage / (DATA_PREFIX + rel) for rel in manifest.data_files()}
            copy_tree_files(data, settings.data_dir)
            mark = time.perf_counter()
            say("index")
            report = reindex(settings, engine)
            timings["index_s"] = round(time.perf_counter() - mark, 3)
        finally:
            engine.dispose()
    return RestoreResult(archive=archive, backend=backend, tables=tables,
                         migrations_applied=applied, knowledge=knowledge,
                         data_files=len(manifest.data_files()), index_chunks=report.chunks,
                         seconds=round(time.perf_counter() - started, 3), timings=timings)
