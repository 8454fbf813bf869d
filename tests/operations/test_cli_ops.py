"""`kambot backup`, `kambot restore` and `kambot doctor`, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ops_support import fill, snapshot, with_small_knowledge

from kambot.assistant.portfolio import open_store
from kambot.config import Settings
from kambot.store.db import check_sqlite_version


def _run(settings: Settings, *args: str, stdin: str | None = None,
         extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KAMBOT_") and k != "WEB_CONCURRENCY"}
    env.update(KAMBOT_DATA_DIR=str(settings.data_dir),
               KAMBOT_KNOWLEDGE_DIR=str(settings.knowledge_dir), COLUMNS="200")
    env.update(extra or {})
    return subprocess.run([sys.executable, "-m", "kambot", *args], capture_output=True,
                          text=True, env=env, input=stdin, timeout=300, check=False)


def test_backup_then_restore_from_the_command_line(settings: Settings, tmp_path: Path) -> None:
    source = with_small_knowledge(settings, tmp_path / "src")
    engine = open_store(source)
    fill(engine, source, tmp_path / "csv")
    before = snapshot(engine)
    engine.dispose()

    made = _run(source, "backup", "--out", str(tmp_path / "backups"), "--json")
    assert made.returncode == 0, made.stderr
    body = json.loads(made.stdout)
    archive = Path(body["archive"])
    assert archive.is_file() and archive.parent == tmp_path / "backups"
    assert body["manifest"]["database"]["tables"]["accounts"] == 3

    human = _run(source, "backup", "--out", str(tmp_path / "backups"))
    assert human.returncode == 0 and "sqlite at revision" in human.stdout

    target = source.model_copy(update={"data_dir": tmp_path / "restored",
                                       "knowledge_dir": tmp_path / "restored-knowledge"})
    declined = _run(target, "restore", str(archive), stdin="n\n")
    assert declined.returncode == 1 and "Restore the sqlite backup" in declined.stdout
    assert not (target.data_dir / "kambot.db").exists()

    done = _run(target, "restore", str(archive), "--yes")
    assert done.returncode == 0, done.stderr
    assert "search index rebuilt (10 chunks)" in done.stdout
    engine = open_store(target)
    assert snapshot(engine) == before
    engine.dispose()

    again = _run(target, "restore", str(archive), "--yes")
    assert again.returncode == 1
    assert "error: the database" in again.stderr and "already holds data" in again.stderr
    assert "--force" in again.stderr and "Traceback" not in again.stderr
    forced = _run(target, "restore", str(archive), "--yes", "--force", "--json")
    assert forced.returncode == 0, forced.stderr
    assert json.loads(forced.stdout)["knowledge"] == "identical"


def test_doctor_prints_each_check_and_fails_on_an_error(settings: Settings,
                                                        tmp_path: Path) -> None:
    small = with_small_knowledge(settings, tmp_path)
    fine = _run(small, "doctor")
    assert fine.returncode == 0, fine.stdout + fine.stderr
    for name in ("data_dir", "database", "migrations", "sqlite_wal", "index"):
        assert f"] {name}: " in fine.stdout

    several = _run(small, "doctor", "--json", extra={"WEB_CONCURRENCY": "4"})
    body = json.loads(several.stdout)
    assert body["workers"] == 4
    wal = next(c for c in body["checks"] if c["name"] == "sqlite_wal")
    if check_sqlite_version() is not None:  # the linked SQLite has the bug
        assert several.returncode == 1
        assert wal["status"] == "error" and "PostgreSQL" in wal["fix"]
    else:
        assert wal["status"] == "ok"

    (tmp_path / "blocker").write_text("x")
    blocked = small.model_copy(update={"data_dir": tmp_path / "blocker" / "data"})
    refused = _run(blocked, "doctor")
    assert refused.returncode == 1
    assert "[error] data_dir:" in refused.stdout and "fix: set KAMBOT_DATA_DIR" in refused.stdout
