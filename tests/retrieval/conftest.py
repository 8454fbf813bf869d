"""Fixtures of the retrieval tests: a small bilingual corpus copied to a temporary folder."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kambot.config import Settings
from kambot.retrieval.chunking import AccountText, chunks_from_account_texts
from kambot.retrieval.index import SearchIndex, open_index

FIXTURES = Path(__file__).resolve().parent / "fixtures"

PLANTED = "zorbulax"  # a token that exists only in account 1's notes


def make_settings(root: Path, **overrides: object) -> Settings:
    """Return settings on a fresh copy of the fixture knowledge folder under ``root``."""
    knowledge = root / "knowledge"
    if not knowledge.exists():
        shutil.copytree(FIXTURES / "knowledge", knowledge)
    values: dict[str, object] = {"data_dir": root / "data", "knowledge_dir": knowledge}
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.fixture
def settings_factory() -> Callable[..., Settings]:
    """Return :func:`make_settings` (tests cannot import from conftest)."""
    return make_settings


@pytest.fixture
def rsettings(tmp_path: Path) -> Settings:
    """Return settings on a private copy of the fixture corpus."""
    return make_settings(tmp_path)


ACCOUNT_NOTES = [
    AccountText(1, "activity-1", "Call with Acme purchasing",
                f"The buyer mentioned the {PLANTED} tender and a price review in March."),
    AccountText(2, "activity-2", "Visit at Globex",
                "Globex wants a share of wallet review and a new executive sponsor."),
    AccountText(2, "activity-3", "Réunion chez Globex",
                "Le client veut revoir la part de portefeuille avant la fin de l'année."),
    AccountText(3, "doc-9", "HR file on the KAM team",
                f"Confidential assessment notes {PLANTED} for the account team.",
                "account_document", ("hr",)),
]


@pytest.fixture
def any_rsettings(tmp_path: Path, backend_overrides: dict[str, object]) -> Settings:
    """Return :func:`rsettings` on each back end: SQLite + embedded Chroma, then
    PostgreSQL + the session's Chroma server."""
    return make_settings(tmp_path, **backend_overrides)


# The vectors live in an embedded Chroma store, then in a `chroma run` server; the
# searches, filters and scopes must not care. (No database is involved here.)
CHROMA_MODES = (
    pytest.param("embedded", id="embedded"),
    pytest.param("server", id="server", marks=pytest.mark.chroma_server),
)


@pytest.fixture(scope="module", params=CHROMA_MODES)
def shared_index(request: pytest.FixtureRequest,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[SearchIndex]:
    """Return one index over the fixture corpus plus account notes, shared by a module."""
    root = tmp_path_factory.mktemp("shared-index")
    overrides: dict[str, object] = {}
    if request.param == "server":
        overrides["chroma_url"] = request.getfixturevalue("chroma_server_url")
    settings = make_settings(root, **overrides)
    index = open_index(settings)
    index.add_chunks(chunks_from_account_texts(ACCOUNT_NOTES))
    yield index
