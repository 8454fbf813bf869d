"""PostgreSQL's own tools (``pg_dump``, ``pg_restore``), found and called safely.

The tools are looked for on ``PATH`` and in Debian's ``/usr/lib/postgresql/<major>/bin``;
the newest one is used, and it must be at least as new as the server (an older
``pg_dump`` refuses a newer server). The password never appears on a command line: it
goes through ``PGPASSWORD`` in the child's environment.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kambot.errors import ConfigError, StoreError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

DEBIAN_BINARIES = "/usr/lib/postgresql/*/bin"
_VERSION = re.compile(r"(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class PgTool:
    """A PostgreSQL client program and its major version."""

    path: Path
    major: int


def _major_of(path: Path) -> int | None:
    try:
        out = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except OSError:
        return None
    found = _VERSION.search(out.rsplit(")", 1)[-1]) or _VERSION.search(out)
    return int(found.group(1)) if found else None


def find_pg_tool(name: str, *, server_major: int | None = None) -> PgTool:
    """Find ``pg_dump`` or ``pg_restore``, the newest available.

    Args:
        name: the program name.
        server_major: the server's major version; the tool must not be older.

    Raises:
        ConfigError: the program is missing, or older than the server.
    """
    candidates: list[Path] = []
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    candidates += [Path(folder) / name for folder in sorted(glob.glob(DEBIAN_BINARIES))]
    found = [PgTool(path, major) for path in candidates
             if path.is_file() and os.access(path, os.X_OK)
             and (major := _major_of(path)) is not None]
    if not found:
        raise ConfigError(
            f"{name} is not installed: kambot backs PostgreSQL up with PostgreSQL's own tools",
            hint="install the PostgreSQL client (Debian: apt install postgresql-client)")
    best = max(found, key=lambda tool: tool.major)
    if server_major is not None and best.major < server_major:
        raise ConfigError(
            f"{name} {best.major} ({best.path}) is older than the PostgreSQL {server_major} "
            "server and cannot read it",
            hint=f"install the PostgreSQL {server_major} client programs")
    return best


def server_major(engine: Engine) -> int:
    """Return the major version of the PostgreSQL server behind ``engine``."""
    with engine.connect() as conn:
        number = int(conn.exec_driver_sql("SHOW server_version_num").scalar_one())
    return number // 10000


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """Turn a SQLAlchemy URL into a libpq URI without password, and the child's env.

    Returns:
        The ``postgresql://user@host:port/db?...`` URI and environment variables
        (``PGPASSWORD`` when the URL has a password).
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    env: dict[str, str] = {}
    if parsed.password is not None:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def run_pg_tool(tool: PgTool, args: list[str], env: dict[str, str], *, action: str) -> None:
    """Run a PostgreSQL tool; a failure becomes a StoreError with its message.

    Raises:
        StoreError: the tool exited with an error.
    """
    completed = subprocess.run([str(tool.path), *args], capture_output=True, text=True,
                               env={**os.environ, **env}, check=False)
    if completed.returncode != 0:
        detail = (completed.stderr or completed.stdout).strip().splitlines()
        raise StoreError(
            f"{tool.path.name} could not {action}: {detail[-1] if detail else 'no message'}",
            hint="check that the PostgreSQL server is running and that this user may "
            "read (backup) or create tables in (restore) the database")
