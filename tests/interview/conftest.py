"""Fixtures of the interview tests: a small programme in a fresh database."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent))

from interview_support import build_store

from kambot.assistant.interview import InterviewService
from kambot.config import Settings


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    """Return a migrated database with the test programme and accounts."""
    eng = build_store(settings)
    yield eng
    eng.dispose()


@pytest.fixture
def service(settings: Settings, engine: Engine) -> InterviewService:
    """Return the interview service, offline."""
    return InterviewService(settings, engine)
