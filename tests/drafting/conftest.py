"""Fixtures of the drafting tests: the demo programme loaded into a SQLite store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from drafting_support import DemoStore, make_store


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> DemoStore:
    """Return the demo in a SQLite store shared by the tests that only read it."""
    return make_store(tmp_path_factory.mktemp("demo-store"))
