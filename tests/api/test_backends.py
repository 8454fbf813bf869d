"""The API on both back ends: SQLite + embedded Chroma, PostgreSQL + a Chroma server.

The same representative calls (health, accounts, KPIs, segmentation, selection, /ask,
drafting) run against each back end, and the numbers served from PostgreSQL must equal
those computed from the SQLite demo. Routes are called as a programme lead (the
principal dependency is overridden; authentication has its own tests).
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import get_principal
from kambot.assistant.portfolio import PortfolioService, load_demo
from kambot.config import Settings
from kambot.domain.identity import Principal, Role

LEAD = Principal(user_id=None, username="lead-on-backends", role=Role.LEAD)
BACKENDS = (
    pytest.param("sqlite+embedded", id="sqlite+embedded"),
    pytest.param("postgres+server", id="postgres+server",
                 marks=(pytest.mark.postgres, pytest.mark.chroma_server)),
)
QUESTION = "How many key accounts should a programme select?"
SMALL_KNOWLEDGE = Path(__file__).resolve().parents[1] / "retrieval" / "fixtures" / "knowledge"


def _settings(data: Path, **overrides: Any) -> Settings:
    return Settings(data_dir=data, _env_file=None, rate_limit_per_minute=100_000,  # type: ignore[call-arg]
                    session_cookie_secure=False, **overrides)


@pytest.fixture(scope="module")
def reference(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Return the programme KPIs and selection computed in-process from the SQLite demo."""
    data = tmp_path_factory.mktemp("reference") / "data"
    shutil.copytree(demo_template, data, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    service = PortfolioService(_settings(data))
    try:
        analysis = service.analysis()
        return {"kpis": analysis.programme_kpis().model_dump(mode="json"),
                "selected": [s.external_id for s in analysis.selection_result.selected],
                "accounts": len(analysis.portfolio.accounts)}
    finally:
        service.engine.dispose()


@pytest.fixture(scope="module", params=BACKENDS)
def backend_app(request: pytest.FixtureRequest, demo_template: Path,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, TestClient]]:
    """Return (back end, client) over the demo, one app per back end for the module."""
    data = tmp_path_factory.mktemp("backend-api") / "data"
    if request.param == "sqlite+embedded":
        shutil.copytree(demo_template, data, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
        settings = _settings(data)
    else:
        databases = request.getfixturevalue("postgres_databases")
        url = databases.create()
        request.addfinalizer(lambda: databases.drop(url))
        settings = _settings(data, database_url=url,
                             chroma_url=request.getfixturevalue("chroma_server_url"))
        load_demo(settings)
    app = create_app(settings)
    app.dependency_overrides[get_principal] = lambda: LEAD
    with TestClient(app) as client:
        yield str(request.param), client


def _close(found: Any, wanted: Any, path: str = "") -> None:
    """Assert two JSON trees are equal, floats to 1e-9 (SQL sums may round differently)."""
    if isinstance(wanted, float) and isinstance(found, int | float):
        assert math.isclose(found, wanted, rel_tol=1e-9, abs_tol=1e-9), path
    elif isinstance(wanted, dict):
        assert isinstance(found, dict) and found.keys() == wanted.keys(), path
        for key in wanted:
            _close(found[key], wanted[key], f"{path}.{key}")
    elif isinstance(wanted, list):
        assert isinstance(found, list) and len(found) == len(wanted), path
        for i, (a, b) in enumerate(zip(found, wanted, strict=True)):
            _close(a, b, f"{path}[{i}]")
    else:
        assert found == wanted, path


def test_health_names_the_database(backend_app: tuple[str, TestClient]) -> None:
    backend, client = backend_app
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["database"] == ("sqlite" if backend == "sqlite+embedded" else "postgresql")


def test_the_numbers_are_the_same_on_every_back_end(
        backend_app: tuple[str, TestClient], reference: dict[str, Any]) -> None:
    _, client = backend_app
    kpis = client.get("/kpis")
    assert kpis.status_code == 200, kpis.text
    _close(kpis.json(), reference["kpis"])
    selection = client.get("/selection").json()
    assert [s["external_id"] for s in selection["selection"]["selected"]] == reference["selected"]
    segmentation = client.get("/segmentation").json()
    assert sum(segmentation["quadrants"].values()) == reference["accounts"]


def test_accounts_list_and_detail(backend_app: tuple[str, TestClient],
                                  reference: dict[str, Any]) -> None:
    _, client = backend_app
    page = client.get("/accounts", params={"limit": 5}).json()
    assert page["total"] == reference["accounts"]
    revenues = [a["revenue_ttm"] for a in page["items"]]
    assert revenues == sorted(revenues, reverse=True)
    top = page["items"][0]
    detail = client.get(f"/accounts/{top['external_id']}")
    assert detail.status_code == 200, detail.text
    assert detail.json()["kpis"]["revenue_ttm"] == pytest.approx(top["revenue_ttm"])
    assert client.get("/accounts/NO-SUCH-ACCOUNT").status_code == 404


def test_ask_cites_the_methodology_and_scoped_notes(
        backend_app: tuple[str, TestClient], reference: dict[str, Any]) -> None:
    _, client = backend_app
    answer = client.post("/ask", json={"question": QUESTION})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["citations"] and body["answer"]
    key_account = reference["selected"][0]
    scoped = client.post("/ask", json={"question": "latest meeting notes",
                                       "account": key_account})
    assert scoped.status_code == 200, scoped.text


def test_drafting_stores_and_serves_the_document(
        backend_app: tuple[str, TestClient], reference: dict[str, Any]) -> None:
    _, client = backend_app
    key_account = reference["selected"][0]
    drafted = client.post("/documents", json={"kind": "account_strategy",
                                              "account": key_account, "lang": "en"})
    assert drafted.status_code == 200, drafted.text
    doc = drafted.json()
    assert doc["account_external_id"] == key_account and doc["version"] >= 1
    listed = client.get("/documents", params={"account": key_account}).json()
    mine = [d for d in listed if d["kind"] == "account_strategy"
            and d["account_external_id"] == key_account]
    assert [d["version"] for d in mine] == [doc["version"]]
    assert client.get(f"/documents/{mine[0]['id']}").json()["sections"] == doc["sections"]
    markdown = client.get(f"/documents/{mine[0]['id']}/markdown")
    assert markdown.status_code == 200 and markdown.text.startswith("#")


def test_the_routes_share_an_index_that_follows_a_rebuild(
        backend_settings: Settings, tmp_path: Path) -> None:
    from kambot.assistant.operations.live_index import LiveIndex
    from kambot.retrieval.index import reindex

    # A small corpus: the point is the wiring, not the size.
    knowledge = tmp_path / "knowledge"
    shutil.copytree(SMALL_KNOWLEDGE, knowledge)
    settings = backend_settings.model_copy(update={"knowledge_dir": knowledge,
                                                   "rate_limit_per_minute": 100_000})
    app = create_app(settings)
    app.dependency_overrides[get_principal] = lambda: LEAD
    with TestClient(app) as client:
        index = client.app.state.search_index  # type: ignore[attr-defined]
        assert isinstance(index, LiveIndex) and index.writer
        before = client.post("/ask", json={"question": "what does a sponsor do"})
        assert before.status_code == 200, before.text
        generation = index.manifest["generation"]
        doc = knowledge / "methodology" / "en" / "sponsorship.md"
        doc.write_text(doc.read_text(encoding="utf-8").replace("twice a year", "every quarter"),
                       encoding="utf-8")
        reindex(settings)  # as `kambot reindex` would, from another process
        index.check_every_s = 0  # rather than waiting for the next look (2 s)
        after = client.post("/ask", json={"question": "how often does the sponsor meet"})
        assert after.status_code == 200, after.text
        assert index.manifest["generation"] != generation
        assert any("every quarter" in c["text"] for c in after.json()["citations"])


def test_a_short_load_run_has_zero_errors(backend_app: tuple[str, TestClient],
                                          demo_template: Path, tmp_path: Path) -> None:
    """The CI form of benchmarks/load_test.py (by hand: --clients 50 --seconds 60)."""
    import json
    import subprocess
    import sys

    backend, client = backend_app
    settings: Settings = client.app.state.settings  # type: ignore[attr-defined]
    out = tmp_path / "load.json"
    args = ["--clients", "5", "--seconds", "3", "--json", str(out)]
    if backend == "sqlite+embedded":
        # Its own copy: the app above holds this process's claim on its SQLite file.
        data = tmp_path / "data"
        shutil.copytree(demo_template, data, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
        args += ["--backend", "sqlite", "--data-dir", str(data)]
    else:
        assert settings.database_url and settings.chroma_url
        args += ["--backend", "postgres", "--database-url", settings.database_url,
                 "--chroma-url", settings.chroma_url, "--data-dir", str(settings.data_dir)]
    script = Path(__file__).resolve().parents[2] / "benchmarks" / "load_test.py"
    run = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True,
                         timeout=900, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(out.read_text(encoding="utf-8"))
    assert result["errors"] == 0 and result["requests"] > 20
    families = result["families"]
    for family in ("kpis", "segmentation", "search", "drafting"):
        assert families[family]["requests"] > 0 and families[family]["p95_ms"] > 0, family
    assert "chat" in families or "not there yet" in result["skipped"]["chat"]
    assert "p95" in run.stdout and "RSS" in run.stdout
    rss = result["rss_mb"]
    assert 0 < rss["start"] <= rss["end"] < 3 * rss["start"]
