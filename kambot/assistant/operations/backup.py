"""`kambot backup`: one archive holding the database, the knowledge folder and a manifest.

What goes in (a ``.tar.gz``):

- ``database/kambot.db``: SQLite, copied with SQLite's online backup API (a consistent
  snapshot taken while others keep reading and writing; never a copy of the live file),
  switched to a self-contained rollback journal and checked with
  ``PRAGMA integrity_check``; or ``database/kambot.pgdump``: PostgreSQL, ``pg_dump
  --format=custom`` from an exported snapshot, so that the row counts of the manifest
  describe exactly what was dumped;
- ``knowledge/...``: the knowledge folder (methodology corpus, glossary, rubrics...);
- ``data/...``: any other file kambot keeps in the data directory;
- ``manifest.json`` (first member): formats and versions, the migration revision, the
  row count of every table, the embedding function, and the SHA-256 of every file.

What stays out: the search indexes (Chroma, BM25). They are derived, and a live Chroma
directory copied file by file is not a consistent store; ``kambot restore`` rebuilds
them from the restored database and knowledge folder.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from kambot.errors import DataError, StoreError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.config import Settings

ARCHIVE_FORMAT = 1
MANIFEST_NAME = "manifest.json"
SQLITE_MEMBER = "database/kambot.db"
POSTGRES_MEMBER = "database/kambot.pgdump"
KNOWLEDGE_PREFIX = "knowledge/"
DATA_PREFIX = "data/"
ARCHIVE_PREFIX = "kambot-backup-"
# gzip level 6 packs a SQLite file about as well as 9, in half the time.
COMPRESS_LEVEL = 6
_CHUNK = 1024 * 1024
# Files of the data directory that are not data: the database (saved through its own
# tool), its journals and locks, the derived indexes, earlier backups.
_SKIPPED_SUFFIXES = ("-wal", "-shm", "-journal", ".server-lock")

Progress = Callable[[str], None]


class FileEntry(BaseModel):
    """A file of the archive and its checksum."""

    sha256: str
    bytes: int


class DatabaseInfo(BaseModel):
    """The database in the archive."""

    member: str
    engine_version: str = Field(description="SQLite library or PostgreSQL server version")
    revisions: list[str] = Field(description="Alembic revision(s) of the schema")
    tables: dict[str, int] = Field(description="row count of every table")


class BackupManifest(BaseModel):
    """What a backup archive holds, checked by restore before anything is changed."""

    format: int = ARCHIVE_FORMAT
    created_at: datetime
    kambot_version: str
    python_version: str
    backend: Literal["sqlite", "postgresql"]
    database: DatabaseInfo
    embedding: dict[str, Any] = Field(
        description="the embedding function the settings asked for, and the one the "
        "search index was built with")
    knowledge_dir: str
    files: dict[str, FileEntry]

    def knowledge_files(self) -> dict[str, FileEntry]:
        """Return the knowledge folder's files, keyed by their path inside the folder."""
        return {name[len(KNOWLEDGE_PREFIX):]: entry for name, entry in self.files.items()
                if name.startswith(KNOWLEDGE_PREFIX)}

    def data_files(self) -> dict[str, FileEntry]:
        """Return the data directory's other files, keyed by their path inside it."""
        return {name[len(DATA_PREFIX):]: entry for name, entry in self.files.items()
                if name.startswith(DATA_PREFIX)}


@dataclass(frozen=True)
class BackupResult:
    """A backup just written."""

    archive: Path
    manifest: BackupManifest
    seconds: float
    bytes: int


def sha256_of(path: Path) -> str:
    """Return the SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def sqlite_path(settings: Settings) -> Path:
    """Return the SQLite database file of the settings.

    Raises:
        StoreError: the URL names no file (in-memory or URI databases).
    """
    from sqlalchemy.engine import make_url

    database = make_url(settings.resolved_database_url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise StoreError(f"the SQLite database {database!r} is not a file",
                         hint="set KAMBOT_DATA_DIR, or a sqlite:///PATH database URL")
    return Path(database).expanduser().resolve()


# --- the database --------------------------------------------------------------------


def _sqlite_snapshot(source: Path, target: Path) -> DatabaseInfo:
    if not source.is_file():
        raise StoreError(f"there is no database to back up at {source}",
                         hint="check KAMBOT_DATA_DIR / KAMBOT_DATABASE_URL")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        src.execute("PRAGMA busy_timeout = 30000")
        src.backup(dst)  # one step: a consistent snapshot of every page
        dst.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
        problems = [row[0] for row in dst.execute("PRAGMA integrity_check").fetchall()]
        if problems != ["ok"]:
            raise StoreError(f"the database {source} fails its integrity check: "
                             f"{'; '.join(problems[:3])}",
                             hint="restore an earlier backup; this one would copy the damage")
        names = [row[0] for row in dst.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        tables = {name: int(dst.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])
                  for name in names}
        revisions = (sorted(row[0] for row in dst.execute(
            "SELECT version_num FROM alembic_version")) if "alembic_version" in names else [])
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"the SQLite backup of {source} failed: {exc}",
                         hint="check the disk space of the backup folder") from exc
    finally:
        dst.close()
        src.close()
    return DatabaseInfo(member=SQLITE_MEMBER, engine_version=sqlite3.sqlite_version,
                        revisions=revisions, tables=tables)


def _postgres_dump(engine: Engine, url: str, target: Path) -> DatabaseInfo:
    import sqlalchemy as sa

    from kambot.assistant.operations.pgtools import (
        find_pg_tool,
        libpq_target,
        run_pg_tool,
        server_major,
    )

    tool = find_pg_tool("pg_dump", server_major=server_major(engine))
    uri, env = libpq_target(url)
    target.parent.mkdir(parents=True, exist_ok=True)
    with engine.connect() as raw:
        conn = raw.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            # The dump and the counts read one snapshot: the manifest says what the
            # archive holds even while others write.
            snapshot = str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
            version = str(conn.exec_driver_sql("SHOW server_version").scalar_one())
            names = sorted(sa.inspect(conn).get_table_names())
            tables = {name: int(conn.exec_driver_sql(f'SELECT COUNT(*) FROM "{name}"')
                                .scalar_one()) for name in names}
            revisions = (sorted(str(v) for v in conn.exec_driver_sql(
                "SELECT version_num FROM alembic_version").scalars())
                if "alembic_version" in names else [])
            run_pg_tool(tool, ["--format=custom", "--no-owner", "--no-privileges",
                               f"--snapshot={snapshot}", f"--file={target}", f"--dbname={uri}"],
                        env, action="dump the database")
    return DatabaseInfo(member=POSTGRES_MEMBER, engine_version=version,
                        revisions=revisions, tables=tables)


# --- files ---------------------------------------------------------------------------


def _walk(folder: Path, skip: Callable[[Path], bool]) -> Iterator[Path]:
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(d for d in dirs if not skip(here / d))
        for name in sorted(files):
            path = here / name
            if path.is_file() and not path.is_symlink() and not skip(path):
                yield path


def knowledge_files(folder: Path) -> dict[str, Path]:
    """Return the files of a knowledge folder by their POSIX path inside it."""
    if not folder.is_dir():
        return {}
    return {path.relative_to(folder).as_posix(): path
            for path in _walk(folder, lambda p: p.name == "__pycache__")}


def data_files(settings: Settings, *, exclude: tuple[Path, ...] = ()) -> dict[str, Path]:
    """Return the files of the data directory that are data (not database, index, backups).

    Args:
        settings: gives the data directory, database file and index folder.
        exclude: other folders to leave out (the backup being written).
    """
    folder = settings.data_dir
    if not folder.is_dir():
        return {}
    skipped = {settings.index_dir.resolve(), (folder / "backups").resolve(),
               *(p.resolve() for p in exclude)}
    if settings.backup_dir is not None:
        skipped.add(settings.backup_dir.resolve())
    database = sqlite_path(settings) if settings.is_sqlite else None

    def skip(path: Path) -> bool:
        resolved = path.resolve()
        if resolved in skipped or path.name.startswith((".kambot-", ".restore-")):
            return True
        if database is not None and (
                resolved == database or (path.name.startswith(database.name)
                                         and path.name.endswith(_SKIPPED_SUFFIXES))):
            return True
        return path.name.startswith(ARCHIVE_PREFIX)

    return {path.relative_to(folder).as_posix(): path for path in _walk(folder, skip)}


def _embedding_info(settings: Settings) -> dict[str, Any]:
    from kambot.errors import KambotError
    from kambot.retrieval.embeddings import make_embedder
    from kambot.retrieval.index import read_manifest

    info: dict[str, Any] = {}
    try:
        wanted = make_embedder(settings)
        info["settings"] = {"name": wanted.name, "identity": wanted.identity()}
    except (KambotError, OSError) as exc:
        info["settings"] = {"error": str(exc)}
    try:
        built = read_manifest(settings.index_dir)
    except KambotError:
        built = None
    if built is not None:
        info["index"] = {key: (built.get("embedder") or {}).get(key)
                         for key in ("name", "identity")}
        info["index"]["generation"] = built.get("generation")
    return info


# --- the archive ---------------------------------------------------------------------


def _archive_name(out_dir: Path, moment: datetime) -> Path:
    stem = f"{ARCHIVE_PREFIX}{moment:%Y%m%dT%H%M%SZ}"
    candidate = out_dir / f"{stem}.tar.gz"
    number = 1
    while candidate.exists():
        candidate = out_dir / f"{stem}-{number}.tar.gz"
        number += 1
    return candidate


def default_backup_dir(settings: Settings) -> Path:
    """Return where backups go without ``--out``: ``backup_dir`` or ``<data_dir>/backups``."""
    return settings.backup_dir or settings.data_dir / "backups"


def create_backup(settings: Settings, out_dir: Path | None = None, *,
                  engine: Engine | None = None, progress: Progress | None = None,
                  ) -> BackupResult:
    """Write a backup archive of the database, the knowledge folder and other data files.

    Args:
        settings: the settings (database, data directory, knowledge folder).
        out_dir: the folder to write into; :func:`default_backup_dir` when None.
        engine: an open engine (PostgreSQL); opened and disposed of when None.
        progress: called with a short line per stage.

    Returns:
        The archive written, its manifest, the time taken and its size.

    Raises:
        StoreError: no database, a damaged SQLite file, or ``pg_dump`` failed.
        ConfigError: ``pg_dump`` is missing or older than the server.
    """
    from kambot import __version__

    say = progress or (lambda _line: None)
    started = time.perf_counter()
    target_dir = (out_dir or default_backup_dir(settings)).expanduser()
    try:
        target_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the backup folder {target_dir}: {exc.strerror}",
                         hint="choose another folder with --out") from exc
    moment = datetime.now(UTC).replace(microsecond=0)
    with tempfile.TemporaryDirectory(dir=target_dir, prefix=".kambot-backup-") as staging:
        stage = Path(staging)
        say("database")
        if settings.is_sqlite:
            database = _sqlite_snapshot(sqlite_path(settings), stage / SQLITE_MEMBER)
        else:
            from kambot.store.db import open_engine

            own = engine is None
            engine = engine or open_engine(settings)
            try:
                database = _postgres_dump(engine, settings.resolved_database_url,
                                          stage / POSTGRES_MEMBER)
            finally:
                if own:
                    engine.dispose()
        say("files")
        members: dict[str, Path] = {database.member: stage / database.member}
        for rel, path in knowledge_files(settings.knowledge_dir).items():
            members[KNOWLEDGE_PREFIX + rel] = path
        for rel, path in data_files(settings, exclude=(target_dir,)).items():
            members[DATA_PREFIX + rel] = path
        files = {name: FileEntry(sha256=sha256_of(path), bytes=path.stat().st_size)
                 for name, path in members.items()}
        manifest = BackupManifest(
            created_at=moment, kambot_version=__version__,
            python_version=platform.python_version(),
            backend="sqlite" if settings.is_sqlite else "postgresql", database=database,
            embedding=_embedding_info(settings), knowledge_dir=str(settings.knowledge_dir),
            files=files)
        say("archive")
        archive = _archive_name(target_dir, moment)
        partial = stage / "archive.partial"
        _write_archive(partial, manifest, members)
        os.replace(partial, archive)
    return BackupResult(archive=archive, manifest=manifest,
                        seconds=round(time.perf_counter() - started, 3),
                        bytes=archive.stat().st_size)


def _write_archive(path: Path, manifest: BackupManifest, members: dict[str, Path]) -> None:
    payload = json.dumps(manifest.model_dump(mode="json"), indent=2,
                         ensure_ascii=False).encode("utf-8")
    with tarfile.open(path, "w:gz", compresslevel=COMPRESS_LEVEL,
                      format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo(MANIFEST_NAME)
        info.size = len(payload)
        info.mtime = int(manifest.created_at.timestamp())
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(payload))
        for name, source in members.items():
            entry = tar.gettarinfo(str(source), arcname=name)
            entry.uid = entry.gid = 0
            entry.uname = entry.gname = ""
            with source.open("rb") as handle:
                tar.addfile(entry, handle)
    with path.open("rb+") as handle:
        os.fsync(handle.fileno())


def read_backup_manifest(archive: Path) -> BackupManifest:
    """Read and check the manifest of a backup archive (nothing else is read).

    Raises:
        DataError: not a kambot backup, or written by an unknown format version.
    """
    from pydantic import ValidationError

    try:
        with tarfile.open(archive, "r:*") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST_NAME or not member.isfile():
                raise DataError(f"{archive} is not a kambot backup (no {MANIFEST_NAME} first)",
                                hint="pass an archive written by `kambot backup`")
            handle = tar.extractfile(member)
            assert handle is not None
            raw = json.loads(handle.read().decode("utf-8"))
    except (OSError, tarfile.TarError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{archive} cannot be read as a kambot backup: {exc}",
                        hint="pass an archive written by `kambot backup`") from exc
    if not isinstance(raw, dict) or raw.get("format") != ARCHIVE_FORMAT:
        found = raw.get("format") if isinstance(raw, dict) else None
        raise DataError(f"{archive} has backup format {found!r}; this kambot reads "
                        f"format {ARCHIVE_FORMAT}", hint="restore it with the kambot version "
                        "that wrote it")
    try:
        return BackupManifest.model_validate(raw)
    except ValidationError as exc:
        raise DataError(f"the manifest of {archive} is invalid: {exc.errors()[0]['msg']}",
                        hint="the archive is damaged; use another backup") from exc


def copy_tree_files(files: dict[str, Path], target: Path) -> None:
    """Copy files (relative POSIX path -> source) under ``target``, creating folders."""
    for rel, source in files.items():
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
