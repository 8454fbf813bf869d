"""The API serves the same numbers as the core, and errors as clear JSON."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient

from kambot.assistant.portfolio import PortfolioService
from kambot.config import Settings


def test_health_says_which_database(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["database"] == "sqlite"


def test_health_asks_the_database_at_most_once_per_window(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import event

    from api.deps import service_for
    from api.routes import health

    engine = service_for(client.app).engine  # type: ignore[arg-type]
    pings: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement == "SELECT 1":
            pings.append(statement)

    event.listen(engine, "before_cursor_execute", seen)
    try:
        monkeypatch.setattr(health, "PING_TRUST_S", 3600.0)
        client.app.state.database_answered_at = None  # type: ignore[attr-defined]
        for _ in range(3):
            assert client.get("/health").status_code == 200
        assert len(pings) == 1
        monkeypatch.setattr(health, "PING_TRUST_S", 0.0)
        for _ in range(2):
            assert client.get("/health").status_code == 200
        assert len(pings) == 3
    finally:
        event.remove(engine, "before_cursor_execute", seen)


def test_accounts_are_listed_by_revenue_with_quadrant_and_tier(
    client: TestClient, demo_settings: Settings
) -> None:
    page = client.get("/accounts", params={"limit": 5}).json()
    assert page["total"] == 363
    revenues = [a["revenue_ttm"] for a in page["items"]]
    assert revenues == sorted(revenues, reverse=True)
    analysis = PortfolioService(demo_settings).analysis()
    top = page["items"][0]
    assert top["revenue_ttm"] == analysis.account_kpis(top["external_id"]).revenue_ttm
    assert top["tier"] in ("gold", "silver", "bronze")


def test_filters_keep_only_matching_accounts(client: TestClient) -> None:
    gold = client.get("/accounts", params={"tier": "gold", "limit": 500}).json()
    assert gold["total"] > 0
    assert {a["tier"] for a in gold["items"]} == {"gold"}


def test_one_account_by_name_has_kpis_score_and_tier(client: TestClient) -> None:
    first = client.get("/accounts", params={"limit": 1}).json()["items"][0]
    body = client.get(f"/accounts/{first['name']}").json()
    assert body["kpis"]["external_id"] == first["external_id"]
    assert body["score"]["quadrant"] == first["quadrant"]
    assert len(body["score"]["contributions"]) > 0


def test_unknown_account_is_404_with_a_suggestion(client: TestClient) -> None:
    first = client.get("/accounts", params={"limit": 1}).json()["items"][0]
    typo = first["name"][:-2]
    response = client.get(f"/accounts/{typo}")
    assert response.status_code == 404
    body = response.json()
    assert body["error"] == "not_found"
    assert first["name"] in body["hint"]


def test_a_non_ascii_digit_is_an_unknown_account_not_a_crash(client: TestClient) -> None:
    # "²".isdigit() is true but int("²") raises: such a reference is no database id.
    for ref in ("²", "١٢"):
        response = client.get(f"/accounts/{ref}")
        assert response.status_code == 404, response.text
        assert response.json()["error"] == "not_found"


def test_selection_respects_capacity_and_explains(client: TestClient) -> None:
    body = client.get("/selection", params={"sensitivity": True}).json()
    selection = body["selection"]
    assert len(selection["selected"]) <= selection["capacity"]
    assert all(s["rationale"] for s in selection["selected"])
    assert body["sensitivity"]["base_selection"] == [
        s["external_id"] for s in selection["selected"]]


def test_segmentation_tiers_kpis_and_scenarios(client: TestClient) -> None:
    seg = client.get("/segmentation").json()
    assert [s["rank"] for s in seg["segments"]] == list(range(1, len(seg["segments"]) + 1))
    assert sum(seg["quadrants"].values()) == 363
    tiers = client.get("/tiers", params={"by": "country"}).json()
    assert sum(t["gold"] + t["silver"] + t["bronze"] for t in tiers["summary"]) == 363
    kpis = client.get("/kpis").json()
    assert 0 <= kpis["key_revenue_share"] <= 1
    scenarios = client.get("/scenarios").json()
    assert {s["name"] for s in scenarios["scenarios"]} == {"base", "upside", "downside"}


def test_bad_query_parameter_is_422(client: TestClient) -> None:
    assert client.get("/tiers", params={"by": "planet"}).status_code == 422


def test_ask_answers_with_citations(client: TestClient) -> None:
    body = client.post("/ask", json={"question": "How many key accounts should we select?"})
    assert body.status_code == 200
    answer = body.json()
    assert answer["citations"]
    assert all(f"[{c['chunk_id']}]" in answer["answer"] for c in answer["citations"])


def test_draft_then_download_docx(client: TestClient) -> None:
    from docx import Document as Docx

    key = client.get("/selection").json()["selection"]["selected"][0]["external_id"]
    doc = client.post("/documents", json={"kind": "ceb", "account": key, "lang": "fr"})
    assert doc.status_code == 200, doc.text
    listed = client.get("/documents", params={"kind": "ceb"}).json()
    assert listed
    docx = client.get(f"/documents/{listed[0]['id']}/docx")
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Docx(io.BytesIO(docx.content)).paragraphs)
    assert doc.json()["sections"][0]["title"] in text


def test_drafting_for_an_unknown_account_is_404(client: TestClient) -> None:
    response = client.post("/documents", json={"kind": "account_strategy", "account": "nope"})
    assert response.status_code == 404
