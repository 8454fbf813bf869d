"""The chat, sources and document-revision endpoints, with two users of different scopes.

Route tests override :func:`api.deps.get_principal` (the ``X-Test-User`` header picks
the user); the application shares this module's demo, portfolio service and index.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from chat_support import (
    CORIVAR,
    EXECUTIVE,
    HR,
    INJECTED_NOTE_ID,
    KAM_A,
    KAM_B,
    LEAD,
    QUENOLAC,
    SAFE_NOTE_ID,
    Demo,
)
from fastapi import Request
from fastapi.testclient import TestClient

from api.app import create_app
from api.deps import get_principal
from kambot.domain.identity import Principal

USERS = {p.username: p for p in (LEAD, KAM_A, KAM_B, EXECUTIVE, HR)}


@pytest.fixture(scope="module")
def client(demo: Demo, chat_index: Any) -> Iterator[TestClient]:
    app = create_app(demo.settings)
    app.state.service = demo.service
    app.state.search_index = chat_index

    def principal(request: Request) -> Principal:
        return USERS[request.headers["x-test-user"]]

    app.dependency_overrides[get_principal] = principal
    # No lifespan: the test owns the engine and the index.
    yield TestClient(app)


def as_(user: Principal) -> dict[str, str]:
    return {"X-Test-User": user.username}


def sse(body: str) -> list[tuple[str, dict[str, Any]]]:
    events = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def new_session(client: TestClient, user: Principal, lang: str | None = None) -> int:
    response = client.post("/chat/sessions", json={"lang": lang} if lang else {},
                           headers=as_(user))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def post(client: TestClient, user: Principal, session: int, content: str,
         **extra: Any) -> Any:
    return client.post(f"/chat/sessions/{session}/messages", json={"content": content, **extra},
                       headers=as_(user))


def test_sessions_are_created_listed_and_read_by_their_owner_only(client: TestClient) -> None:
    created = client.post("/chat/sessions", json={"lang": "fr"}, headers=as_(KAM_A))
    assert created.status_code == 201
    body = created.json()
    assert set(body) == {"id", "lang", "mode", "created_at"} and body["lang"] == "fr"
    session = body["id"]
    reply = post(client, KAM_A, session, "Quels sont les indicateurs de Quenolac ?")
    assert reply.status_code == 200
    answer = reply.json()
    assert answer["role"] == "assistant" and answer["tool"] == "kpis" and answer["lang"] == "fr"
    assert answer["citations"][0]["kind"] == "fact"
    listed = client.get("/chat/sessions", headers=as_(KAM_A)).json()
    assert session in [s["id"] for s in listed]
    assert session not in [s["id"] for s in client.get("/chat/sessions",
                                                        headers=as_(KAM_B)).json()]
    view = client.get(f"/chat/sessions/{session}", headers=as_(KAM_A)).json()
    assert [m["role"] for m in view["messages"]] == ["user", "assistant"]
    assert {"id", "role", "content", "tool", "citations", "created_at"} <= set(
        view["messages"][1])
    # Another user's session does not exist for them: same 404 as an unknown id.
    other = client.get(f"/chat/sessions/{session}", headers=as_(KAM_B))
    unknown = client.get("/chat/sessions/999999", headers=as_(KAM_B))
    assert other.status_code == unknown.status_code == 404
    assert post(client, KAM_B, session, "hello").status_code == 404
    assert other.json()["error"] == unknown.json()["error"] == "not_found"


def test_messages_stream_as_server_sent_events(client: TestClient) -> None:
    session = new_session(client, LEAD)
    response = client.post(f"/chat/sessions/{session}/messages",
                           json={"content": "Draft the strategy for Quenolac"},
                           headers={**as_(LEAD), "Accept": "text/event-stream"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    events = sse(response.text)
    names = [name for name, _ in events]
    assert names[0] == "token" and names[-1] == "done"
    assert names.count("token") > 10 and "citation" in names
    assert names.index("confirm") < names.index("done")
    confirm = dict(events)["confirm"]
    assert confirm["action"] == "save_document" and "version" in confirm["summary"]
    done = events[-1][1]
    assert {"message_id", "tool", "lang", "citations"} <= set(done)
    assert done["tool"] == "draft_document"
    text = "".join(data["text"] for name, data in events if name == "token")
    assert text.startswith("Here is the draft")
    cited = [data for name, data in events if name == "citation"]
    assert cited == done["citations"]
    saved = client.post(f"/chat/sessions/{session}/messages",
                        json={"content": "Draft the strategy for Quenolac", "confirm": True},
                        headers={**as_(LEAD), "Accept": "text/event-stream"})
    assert dict(sse(saved.text))["done"]["tool"] == "save_document"


def test_bad_requests(client: TestClient) -> None:
    session = new_session(client, LEAD)
    assert post(client, LEAD, session, "").status_code == 422
    assert post(client, LEAD, session, "x" * 9000).status_code == 422
    assert client.post("/chat/sessions", json={"lang": "de"},
                       headers=as_(LEAD)).status_code == 422


def test_sources_open_within_scope_only(client: TestClient, demo: Demo) -> None:
    method = client.get("/sources", params={"id": "en/segmentation#less-is-more-"
                                                  "concentrating-resources-on-a-few-accounts"},
                        headers=as_(HR))
    assert method.status_code == 200 and method.json()["kind"] == "methodology"
    fact = f"acct:{CORIVAR[1]}/kpi:revenue_ttm"
    mine = client.get("/sources", params={"id": fact, "lang": "fr"}, headers=as_(KAM_B))
    assert mine.status_code == 200
    assert mine.json()["text"].startswith("Chiffre d'affaires des douze derniers mois")
    hidden = client.get("/sources", params={"id": fact}, headers=as_(KAM_A))
    unknown = client.get("/sources", params={"id": "acct:C99999/kpi:revenue_ttm"},
                         headers=as_(KAM_A))
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.json()["hint"] == unknown.json()["hint"]
    assert client.get("/sources", params={"id": f"note:{SAFE_NOTE_ID}"},
                      headers=as_(KAM_B)).json()["kind"] == "note"
    assert client.get("/sources", params={"id": f"note:{SAFE_NOTE_ID}"},
                      headers=as_(KAM_A)).status_code == 404
    chunk = next(c for c in demo_chunks(client) if c.startswith(f"account-{QUENOLAC[0]}/"))
    assert client.get("/sources", params={"id": chunk}, headers=as_(KAM_A)).status_code == 200
    assert client.get("/sources", params={"id": chunk}, headers=as_(KAM_B)).status_code == 404
    assert client.get("/sources", params={"id": f"note:{INJECTED_NOTE_ID}"},
                      headers=as_(HR)).status_code == 404
    assert client.get("/sources", params={"id": "prog:kpi:key_accounts"},
                      headers=as_(KAM_A)).status_code == 404
    assert client.get("/sources", params={"id": "prog:kpi:key_accounts"},
                      headers=as_(LEAD)).status_code == 200


def demo_chunks(client: TestClient) -> list[str]:
    index = client.app.state.search_index  # type: ignore[attr-defined]
    return [c.id for c in index.chunks if c.kind != "methodology"]


def _draft_and_save(client: TestClient, user: Principal, text: str) -> int:
    session = new_session(client, user)
    saved = post(client, user, session, text, confirm=True).json()
    assert saved["tool"] == "draft_document", saved["content"]
    document = next(c for c in saved["citations"] if c["kind"] == "document")
    return int(document["id"].removeprefix("doc:"))


def test_two_users_never_read_nor_change_each_others_documents(client: TestClient) -> None:
    theirs = _draft_and_save(client, KAM_B, "Draft the strategy for Corivar")
    mine = _draft_and_save(client, KAM_A, "Draft the strategy for Quenolac")
    # B's document does not exist for A, whatever the endpoint.
    for method, path, body in (
            ("GET", f"/documents/{theirs}/versions", None),
            ("GET", f"/documents/{theirs}/compare?with={theirs}", None),
            ("POST", f"/documents/{theirs}/sections/initiatives/revise",
             {"instruction": "make it bolder"}),
            ("GET", "/sources?id=doc:" + str(theirs), None)):
        hidden = client.request(method, path, json=body, headers=as_(KAM_A))
        unknown = client.request(method, path.replace(str(theirs), "999999"), json=body,
                                 headers=as_(KAM_A))
        assert hidden.status_code == unknown.status_code == 404, path
    # Through the chat too: B's account is unknown to A, and nothing of B's changes.
    session = new_session(client, KAM_A)
    for text in ("Show me the Corivar strategy", "Draft the strategy for Corivar",
                 f"KPIs for {CORIVAR[1]}", "scenarios for corivar"):
        answer = post(client, KAM_A, session, text).json()
        # Only the user's own words are echoed: no name, id or suggestion from B's scope.
        assert answer["tool"] == "clarify", text
        assert "don't know an account" in answer["content"], text
        assert CORIVAR[2] not in answer["content"] and "did you mean" not in answer["content"]
    versions = client.get(f"/documents/{theirs}/versions", headers=as_(KAM_B)).json()
    assert len(versions) == 1
    # A revises their own document: a new version, comparable with the first.
    revised = client.post(f"/documents/{mine}/sections/initiatives/revise",
                          json={"instruction": "make initiative 2 more ambitious"},
                          headers=as_(KAM_A))
    assert revised.status_code == 201
    assert revised.json()["revised_sections"] == ["initiatives"]
    listing = client.get(f"/documents/{mine}/versions", headers=as_(KAM_A)).json()
    assert [v["version"] for v in listing][-2:] == [listing[-2]["version"],
                                                    listing[-2]["version"] + 1]
    newest = listing[-1]["id"]
    diff = client.get(f"/documents/{newest}/compare", params={"with": mine},
                      headers=as_(KAM_A))
    assert diff.status_code == 200 and diff.json()["from_version"] < diff.json()["to_version"]
    # The executive sponsor reads Quenolac's strategy but may not change it.
    assert client.get(f"/documents/{mine}/versions", headers=as_(EXECUTIVE)).status_code == 200
    assert client.post(f"/documents/{mine}/sections/initiatives/revise",
                       json={"instruction": "x"}, headers=as_(EXECUTIVE)).status_code == 403
    # HR reads no document at all: the whole endpoints are refused, before any lookup.
    for path in (f"/documents/{mine}/versions", "/documents/999999/versions",
                 f"/documents/{mine}/compare?with={mine}"):
        assert client.get(path, headers=as_(HR)).status_code == 403
    assert client.post(f"/documents/{mine}/sections/initiatives/revise",
                       json={"instruction": "x"}, headers=as_(HR)).status_code == 403
    assert client.post(f"/documents/{mine}/sections/nonsense/revise",
                       json={"instruction": "x"}, headers=as_(KAM_A)).status_code == 422
    assert client.get(f"/documents/{mine}/compare", params={"with": theirs},
                      headers=as_(LEAD)).status_code == 422


def test_staleness_is_read_within_scope_only(client: TestClient) -> None:
    mine = _draft_and_save(client, KAM_A, "Draft the strategy for Quenolac")
    fresh = client.get(f"/documents/{mine}/staleness", headers=as_(KAM_A))
    assert fresh.status_code == 200
    assert fresh.json()["stale"] is False and fresh.json()["changes"] == []
    hidden = client.get(f"/documents/{mine}/staleness", headers=as_(KAM_B))
    unknown = client.get("/documents/999999/staleness", headers=as_(KAM_B))
    assert hidden.status_code == unknown.status_code == 404
    assert client.get(f"/documents/{mine}/staleness", headers=as_(HR)).status_code == 403
