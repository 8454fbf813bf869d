"""Fixtures of the assessment tests: the rubric, the labelled CVs, a database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from kambot.assistant.assessment.rubric import RubricBundle, load_rubric
from kambot.config import Settings

FIXTURES = Path(__file__).resolve().parent / "fixtures"
CVS = FIXTURES / "cvs"


@dataclass(frozen=True)
class Case:
    """A fictitious CV with its labels (None: not enough evidence expected)."""

    file: str
    name: str
    lang: str
    labels: dict[str, int | None]
    interview: str | None = None
    holdout: bool = False

    @property
    def path(self) -> Path:
        return CVS / self.file

    @property
    def stem(self) -> str:
        return Path(self.file).stem


def load_cases() -> list[Case]:
    """Read fixtures/labels.yaml."""
    data = yaml.safe_load((FIXTURES / "labels.yaml").read_text(encoding="utf-8"))
    return [Case(**item) for item in data["cases"]]


@pytest.fixture(scope="session")
def bundle() -> RubricBundle:
    """Return the rubric shipped in knowledge/."""
    return load_rubric(Settings(_env_file=None).knowledge_dir)  # type: ignore[call-arg]


@pytest.fixture(scope="session")
def cases() -> list[Case]:
    """Return the labelled CVs."""
    return load_cases()


@pytest.fixture
def engine(settings: Settings) -> Iterator[object]:
    """Return an SQLite engine in the test's data directory with the assessment tables."""
    from kambot.store import db
    from kambot.store.assessment_schema import ASSESSMENT_TABLES
    from kambot.store.schema import Base

    eng = db.open_engine(settings)
    db.migrate(eng)
    Base.metadata.create_all(eng, tables=list(ASSESSMENT_TABLES))
    yield eng
    eng.dispose()
