"""The command line starts fast: nothing heavy is imported before a command runs."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "chromadb", "openai", "fastapi", "langchain", "langchain_openai",
         "bm25s", "pandas", "numpy", "uvicorn", "pydantic_settings", "rich")


def test_importing_the_cli_loads_no_heavy_library() -> None:
    code = (
        "import sys, kambot.cli\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_lists_every_command() -> None:
    out = subprocess.run([sys.executable, "-m", "kambot", "--help"], capture_output=True,
                         text=True, check=True)
    for command in ("init", "import", "segment", "select", "tiers", "kpis", "scenarios",
                    "demo", "serve"):
        assert command in out.stdout
