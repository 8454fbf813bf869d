"""The interview routes, per role (the principal dependency is overridden)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from interview_support import EN_SCRIPT, HELENE, HR, KAM, LEAD, MARC
from sqlalchemy.engine import Engine

from api.app import create_app
from api.deps import get_principal
from kambot.config import Settings
from kambot.domain.identity import Principal


@pytest.fixture
def client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client


def as_(client: TestClient, who: Principal) -> TestClient:
    client.app.dependency_overrides[get_principal] = lambda: who  # type: ignore[attr-defined]
    return client


def test_an_executive_runs_their_own_interview(client: TestClient) -> None:
    c = as_(client, HELENE)
    r = c.post("/interviews", json={"lang": "en"})
    assert r.status_code == 200, r.text
    turn = r.json()
    assert turn["question_id"] == "battles" and turn["done"] is False and not turn["probe"]
    assert set(turn["coverage"]) >= {"strategic_challenges", "governance"}
    iid = turn["id"]
    r = c.post(f"/interviews/{iid}/answers", json={"text": "Maybe growth."})
    assert r.json()["probe"] is True and r.json()["probe_reason"] == "short"
    assert c.post(f"/interviews/{iid}/pause").json()["status"] == "paused"
    r = c.post(f"/interviews/{iid}/answers", json={"text": "More growth."})
    assert r.status_code == 422 and r.json()["error"] == "data_error"
    assert c.post(f"/interviews/{iid}/resume").json()["status"] == "active"
    turn = c.post(f"/interviews/{iid}/answers",
                  json={"text": EN_SCRIPT["strategic_challenges:short"]}).json()
    while not turn["done"]:
        key = turn["question_id"] or f"{turn['theme']}:{turn['probe_reason']}"
        turn = c.post(f"/interviews/{iid}/answers",
                      json={"text": EN_SCRIPT.get(key, "skip")}).json()
    assert turn["status"] == "done" and turn["question"].startswith("Thank you")
    view = c.get(f"/interviews/{iid}").json()
    assert view["record"]["complete"] and view["transcript"][0]["speaker"] == "interviewer"
    assert {c_["account_external_id"] for c_ in view["record"]["commitments"]} == {"C1", "C2"}
    assert [i["id"] for i in c.get("/interviews").json()] == [iid]
    synthesis = c.get("/interviews/synthesis", params={"lang": "fr"}).json()
    assert synthesis["interviews"] == 1 and synthesis["lang"] == "fr"
    md = c.get("/interviews/synthesis.md", params={"lang": "en"})
    assert md.headers["content-type"].startswith("text/markdown")
    assert md.text.startswith("# Synthesis of the executive interviews")


def test_another_executives_interview_answers_404(client: TestClient) -> None:
    marc_id = as_(client, LEAD).post("/interviews", json={"executive": "Marc Delorme"}).json()["id"]
    c = as_(client, HELENE)
    for method, path in (("GET", f"/interviews/{marc_id}"), ("GET", f"/interviews/{marc_id}/turn"),
                         ("POST", f"/interviews/{marc_id}/pause"),
                         ("POST", f"/interviews/{marc_id}/resume")):
        r = c.request(method, path)
        assert r.status_code == 404 and r.json()["error"] == "not_found", path
    r = c.post(f"/interviews/{marc_id}/answers", json={"text": "I will sponsor everything."})
    assert r.status_code == 404
    unknown = c.get("/interviews/99999")
    assert unknown.status_code == 404 and unknown.json()["message"] == \
        c.get(f"/interviews/{marc_id}").json()["message"].replace(str(marc_id), "99999")
    assert c.get("/interviews").json() == []
    assert c.post("/interviews", json={"executive": "Marc Delorme"}).status_code == 403
    mine = as_(client, MARC).get(f"/interviews/{marc_id}")
    assert mine.status_code == 200 and mine.json()["summary"]["executive_key"] == "mdelorme"


def test_lead_sees_all_and_other_roles_get_403(client: TestClient) -> None:
    as_(client, HELENE).post("/interviews", json={})
    c = as_(client, LEAD)
    assert c.post("/interviews", json={}).status_code == 422  # a lead names the executive
    c.post("/interviews", json={"executive": "Sabine Kessler", "lang": "fr"})
    listed = c.get("/interviews").json()
    assert {i["executive"] for i in listed} == {"Hélène Vauclair", "Sabine Kessler"}
    assert c.get("/interviews/synthesis").json()["not_interviewed"] == [
        "Hélène Vauclair", "Marc Delorme", "Sabine Kessler"]
    iid = listed[0]["id"]
    for who in (KAM, HR):
        c = as_(client, who)
        assert c.post("/interviews", json={"executive": "Marc Delorme"}).status_code == 403
        assert c.get("/interviews").status_code == 403
        assert c.get("/interviews/synthesis").status_code == 403
        assert c.get(f"/interviews/{iid}").status_code == 403
        assert c.post(f"/interviews/{iid}/answers", json={"text": "x"}).status_code == 403
