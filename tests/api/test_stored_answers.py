"""Reads that depend on the database alone are replayed until it changes, never further.

``api/stored_answers.py`` keeps the answers of marked GET routes per principal, path and
query, valid under the database's change token. These tests count how often a route
really runs, change the data through the API, through another connection (as another
process would) and through a user's scope, and check who gets which answer.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.stored_answers import StoredAnswerRoute, is_stored_answer
from kambot.assistant.portfolio import PortfolioService, open_store
from kambot.auth.audit import list_access
from kambot.config import Settings

from .conftest import api_settings, bearer, copy_demo, make_user

TRUST_S = 0.05


@pytest.fixture(scope="module")
def site(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from kambot.assistant.drafting import draft_document

    data = copy_demo(demo_template, tmp_path_factory.mktemp("stored") / "data")
    settings: Settings = api_settings(data, data_change_poll_s=TRUST_S)
    engine = open_store(settings)
    service = PortfolioService(settings, engine)
    ext = list(service.analysis().portfolio.accounts.external_ids)
    keys = {"admin": make_user(engine, "st-admin", "admin"),
            "lead": make_user(engine, "st-lead", "lead"),
            "kam_a": make_user(engine, "st-kam-a", "kam", [ext[0]]),
            "kam_b": make_user(engine, "st-kam-b", "kam", [ext[1]])}
    for ref in ext[:2]:
        draft_document(settings, service, "account_strategy", ref, "en")
    app = create_app(settings)
    with TestClient(app) as client:
        yield client, app, engine, keys, ext, settings
    service.close()
    engine.dispose()


def _counting(monkeypatch: pytest.MonkeyPatch, module: Any, name: str,
              delay_s: float = 0.0) -> list[int]:
    """Count the calls of ``module.name`` (the work behind a route)."""
    calls: list[int] = []
    original = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if delay_s:
            time.sleep(delay_s)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def _documents(client: TestClient, key: str) -> set[str | None]:
    response = client.get("/documents", headers=bearer(key))
    assert response.status_code == 200, response.text
    return {d["account_external_id"] for d in response.json()}


def test_the_routes_that_replay_are_the_marked_gets(site: Any) -> None:
    _client, app, *_ = site
    marked = {r.path for r in app.routes if isinstance(r, StoredAnswerRoute)}
    assert {"/documents", "/users", "/chat/sessions", "/interviews", "/programme/path",
            "/accounts/{account}", "/tiers", "/v1/models"} <= marked
    # Who the caller is, and how they logged in, is not a stored answer.
    assert "/auth/me" not in marked
    # Reads that also depend on the methodology files and the search index.
    assert {"/documents/{document_id}/staleness", "/sources"} <= marked
    # Changes are never replayed.
    assert not any(isinstance(r, StoredAnswerRoute) for r in app.routes
                   if r.path == "/chat/sessions/{session_id}/messages")
    assert all(is_stored_answer(r.endpoint) and r.methods == {"GET"}
               for r in app.routes if isinstance(r, StoredAnswerRoute))


def test_a_read_is_replayed_until_the_database_changes(
        site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from kambot.auth import users

    client, _app, _engine, keys, *_ = site
    admin = bearer(keys["admin"])
    calls = _counting(monkeypatch, users, "list_users")
    first = client.get("/users", headers=admin)
    assert first.status_code == 200
    for _ in range(3):
        again = client.get("/users", headers=admin)
        assert again.content == first.content
        assert again.headers["content-type"] == first.headers["content-type"]
        assert again.headers["x-content-type-options"] == "nosniff"  # still guarded
    assert len(calls) == 1
    made = client.post("/users", headers=admin,
                       json={"username": "st-new", "role": "lead", "api_key": False})
    assert made.status_code == 201, made.text
    listed = client.get("/users", headers=admin).json()
    assert "st-new" in {u["username"] for u in listed}
    assert len(calls) == 2


def test_another_connection_change_shows_within_the_trust_window(
        site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    client, _app, _engine, keys, _ext, settings = site
    admin = bearer(keys["admin"])
    assert client.get("/users/st-lead", headers=admin).json()["role"] == "lead"
    with sqlite3.connect(settings.data_dir / "kambot.db") as db:
        db.execute("UPDATE users SET role = 'executive' WHERE username = 'st-lead'")
    time.sleep(TRUST_S * 3)
    try:
        assert client.get("/users/st-lead", headers=admin).json()["role"] == "executive"
    finally:
        with sqlite3.connect(settings.data_dir / "kambot.db") as db:
            db.execute("UPDATE users SET role = 'lead' WHERE username = 'st-lead'")


def test_answers_are_never_shared_between_principals(
        site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.routes import documents

    client, _app, _engine, keys, ext, _settings = site
    for key in (keys["kam_a"], keys["kam_b"]):  # a key's first use records it (a write)
        assert client.get("/auth/me", headers=bearer(key)).status_code == 200
    calls = _counting(monkeypatch, documents, "account_ids_by_ref")
    assert _documents(client, keys["kam_a"]) == {ext[0]}
    assert _documents(client, keys["kam_b"]) == {ext[1]}  # built for this KAM, not replayed
    assert _documents(client, keys["kam_a"]) == {ext[0]}
    assert len(calls) == 2
    assert _documents(client, keys["lead"]) == {ext[0], ext[1]}


def test_a_changed_scope_gets_its_own_answer(site: Any) -> None:
    from kambot.auth.users import set_accounts

    client, app, engine, *_ = site
    ext = site[4]
    key = make_user(engine, "st-kam-moving", "kam", [ext[0]])
    assert _documents(client, key) == {ext[0]}
    set_accounts(engine, "st-kam-moving", [ext[1]])
    app.state.auth.authenticator.forget_all()
    assert _documents(client, key) == {ext[1]}


def test_refusals_and_misses_are_not_kept(site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from kambot.auth import users

    client, _app, engine, keys, *_ = site
    admin = bearer(keys["admin"])
    calls = _counting(monkeypatch, users, "get_user")
    assert client.get("/users/st-later", headers=admin).status_code == 404
    assert client.get("/users/st-later", headers=admin).status_code == 404
    assert len(calls) == 2
    assert client.get("/users", headers=bearer(keys["kam_a"])).status_code == 403
    make_user(engine, "st-later", "lead")
    assert client.get("/users/st-later", headers=admin).status_code == 200


def test_replayed_reads_are_audited_like_built_ones(site: Any) -> None:
    client, app, engine, keys, *_ = site
    lead = bearer(keys["lead"])
    doc = client.get("/documents", headers=lead).json()[0]["id"]
    app.state.auth.audit.flush()
    for _ in range(4):
        assert client.get(f"/documents/{doc}/markdown", headers=lead).status_code == 200
    app.state.auth.audit.flush()
    entries = list_access(engine, object_type="document", object_id=str(doc), limit=10)
    reads = [e for e in entries if e.username == "st-lead"
             and e.details.get("route") == "markdown"]
    assert sum(int(e.details.get("count") or 1) for e in reads) == 4


def test_clients_asking_at_once_wait_for_one_build(
        site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.routes import coaching

    client, _app, _engine, keys, *_ = site
    lead = bearer(keys["lead"])
    calls = _counting(monkeypatch, coaching, "path_status", delay_s=0.3)
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(
            lambda _: client.get("/programme/path?lang=fr", headers=lead), range(6)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
    assert len(calls) == 1


def test_answers_drawn_from_the_methodology_follow_its_files(
        site: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.routes import sources
    from kambot.assistant.chat import sources as corpus

    client, _app, _engine, keys, *_ = site
    lead = bearer(keys["lead"])
    doc = client.get("/documents", headers=lead).json()[0]["id"]
    calls = _counting(monkeypatch, sources, "open_source")
    url = f"/sources?id=doc:{doc}"
    first = client.get(url, headers=lead)
    assert first.status_code == 200, first.text
    assert client.get(url, headers=lead).content == first.content
    assert len(calls) == 1
    stamp = corpus.corpus_stamp(site[5].knowledge_dir)
    monkeypatch.setattr(corpus, "corpus_stamp", lambda _folder: stamp + 1)  # a file edited
    assert client.get(url, headers=lead).content == first.content
    assert len(calls) == 2
