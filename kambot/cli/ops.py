"""Operations commands: `kambot backup`, `kambot restore`, `kambot doctor`.

Registered on the main application when :mod:`kambot.cli` imports this module. Only
typer is imported at module top, like the rest of the CLI.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from kambot.cli import JsonOpt, _ctx, app


@app.command()
def backup(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Folder for the archive (default: KAMBOT_BACKUP_DIR "
                     "or DATA_DIR/backups)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Back up the database (online), the knowledge folder and a manifest into one archive."""
    from kambot.assistant.operations.backup import create_backup
    from kambot.cli import render

    settings = _ctx.settings()
    say = (lambda _line: None) if as_json else (
        lambda line: render.console.print(f"backup: {line}", style="dim"))
    result = create_backup(settings, out, progress=say)
    manifest = result.manifest
    if as_json:
        render.json_out({"archive": str(result.archive), "bytes": result.bytes,
                         "seconds": result.seconds,
                         "manifest": manifest.model_dump(mode="json")})
        return
    rows = sum(manifest.database.tables.values())
    render.ok(f"{result.archive} ({result.bytes / 1e6:.1f} MB, {result.seconds:.1f} s): "
              f"{manifest.backend} at revision {', '.join(manifest.database.revisions) or '-'}, "
              f"{rows} rows in {len(manifest.database.tables)} tables, "
              f"{len(manifest.knowledge_files())} knowledge files")


@app.command()
def restore(
    archive: Annotated[Path, typer.Argument(help="An archive written by `kambot backup`.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Replace a database that holds data, and a "
                           "different knowledge folder.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Restore a backup into an empty database (or --force), then rebuild the indexes."""
    from kambot.assistant.operations.backup import read_backup_manifest
    from kambot.assistant.operations.restore import restore_backup
    from kambot.cli import render

    settings = _ctx.settings()
    manifest = read_backup_manifest(archive)
    target = ("the SQLite database in " + str(settings.data_dir) if settings.is_sqlite
              else "the PostgreSQL database of KAMBOT_DATABASE_URL")
    if not yes:
        accounts = manifest.database.tables.get("accounts", 0)
        when = manifest.created_at.strftime("%Y-%m-%d %H:%M")
        question = (f"Restore the {manifest.backend} backup of {when} UTC ({accounts} "
                    f"accounts) into {target}"
                    + (", replacing what is there" if force else "") + "?")
        if not typer.confirm(question, default=False):
            raise typer.Exit(1)
    say = (lambda _line: None) if as_json else (
        lambda line: render.console.print(f"restore: {line}", style="dim"))
    result = restore_backup(settings, archive, force=force, progress=say)
    if as_json:
        render.json_out({
            "archive": str(result.archive), "backend": result.backend, "tables": result.tables,
            "migrations_applied": result.migrations_applied, "knowledge": result.knowledge,
            "data_files": result.data_files, "index_chunks": result.index_chunks,
            "seconds": result.seconds, "timings": result.timings,
        })
        return
    rows = sum(result.tables.values())
    upgraded = (f"; upgraded with {', '.join(result.migrations_applied)}"
                if result.migrations_applied else "")
    render.ok(f"restored {rows} rows in {len(result.tables)} tables{upgraded}; knowledge "
              f"folder {result.knowledge}; search index rebuilt ({result.index_chunks} chunks) "
              f"in {result.seconds:.1f} s")


@app.command()
def doctor(
    workers: Annotated[
        int | None, typer.Option("--workers", help="API worker processes to check for "
                                 "(default: WEB_CONCURRENCY or KAMBOT_API_WORKERS, else 1).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the data folder, database, migrations, SQLite and index; say how to fix."""
    from kambot.assistant.operations.startup_checks import (
        declared_api_workers,
        run_startup_checks,
    )
    from kambot.cli import render

    settings = _ctx.settings()
    count = workers if workers is not None else declared_api_workers(settings, os.environ)
    results = run_startup_checks(settings, workers=max(1, count))
    if as_json:
        render.json_out({"workers": count, "checks": [r.to_json() for r in results]})
    else:
        marks: dict[str, tuple[str, str]] = {"ok": ("ok", "green"), "warn": ("warn", "yellow"),
                                             "error": ("error", "red")}
        for result in results:
            label, style = marks[result.status]
            render.console.print(f"[{label:>5}] {result.name}: {result.message}", style=style,
                                 markup=False, highlight=False)
            if result.fix:
                render.console.print(f"        fix: {result.fix}", markup=False,
                                     highlight=False)
    if any(r.status == "error" for r in results):
        raise typer.Exit(1)

