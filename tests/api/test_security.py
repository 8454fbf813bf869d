"""The security layer through HTTP: login, cookies, CSRF, revocation, limits, headers, audit."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from api.app import create_app
from api.security import CONTENT_SECURITY_POLICY
from kambot.assistant.portfolio import open_store
from kambot.auth.audit import list_access
from kambot.config import Settings

from .conftest import api_settings, bearer, copy_demo, make_user

PASSWORD = "a long enough passphrase"
CV = """Key account manager, industrial automation, 2016-2025.
Grew the Acme account from 1.2 M EUR to 3.4 M EUR in three years (+180%).
Led a team of 6 account managers across France and Germany.
Built the three-year account plan reviewed quarterly with the customer's COO.
"""


@pytest.fixture(scope="module")
def site(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    data = copy_demo(demo_template, tmp_path_factory.mktemp("sec") / "data")
    settings = api_settings(data, max_request_bytes=4096, max_upload_bytes=20_000)
    engine = open_store(settings)
    from kambot.assistant.portfolio import PortfolioService

    ext = list(PortfolioService(settings, engine).analysis().portfolio.accounts.external_ids)
    keys = {"admin": make_user(engine, "s-admin", "admin"),
            "kam": make_user(engine, "s-kam", "kam", [ext[0]], password=PASSWORD),
            "hr": make_user(engine, "s-hr", "hr")}
    app = create_app(settings)
    with TestClient(app) as client:
        yield client, app, engine, keys, ext, settings
    engine.dispose()


def _audit(app: Any, engine: Engine, **filters: Any) -> list[Any]:
    app.state.auth.audit.flush()
    return list_access(engine, **filters)


def _login(client: TestClient, username: str = "s-kam") -> dict[str, Any]:
    response = client.post("/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_login_sets_a_strict_httponly_cookie_and_returns_a_csrf_token(site: Any) -> None:
    client, *_ = site
    response = client.post("/auth/login", json={"username": "s-kam", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "s-kam" and body["role"] == "kam" and body["csrf_token"]
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("kambot_session=")
    for flag in ("HttpOnly", "SameSite=strict", "Path=/", "Max-Age=28800"):
        assert flag.lower() in cookie.lower()
    assert "secure" not in cookie.lower()  # the test settings turn Secure off for http
    me = client.get("/auth/me").json()
    assert me["auth_method"] == "session" and me["csrf_token"] == body["csrf_token"]
    assert [a["ref"] for a in me["accounts"]] and not me["all_accounts"]
    client.cookies.clear()


def test_the_cookie_is_secure_by_default(site: Any) -> None:
    _client, _app, _engine, _keys, _ext, settings = site
    app = create_app(settings.model_copy(update={"session_cookie_secure": True}))
    with TestClient(app, base_url="https://testserver") as secure:
        response = secure.post("/auth/login", json={"username": "s-kam", "password": PASSWORD})
        assert "secure" in response.headers["set-cookie"].lower()
        assert secure.get("/auth/me").status_code == 200


@pytest.mark.parametrize(("username", "password"), [("s-kam", "wrong password!!"),
                                                     ("nobody", PASSWORD)])
def test_wrong_credentials_are_401_and_set_no_cookie(site: Any, username: str,
                                                     password: str) -> None:
    client, app, engine, *_ = site
    response = client.post("/auth/login", json={"username": username, "password": password})
    assert response.status_code == 401
    assert response.json()["message"] == "wrong user name or password"
    assert "set-cookie" not in response.headers
    failed = _audit(app, engine, object_type="session", object_id=username)
    assert failed[0].outcome == "unauthenticated" and failed[0].action == "login"


def test_cookie_requests_need_the_csrf_token_on_unsafe_methods(site: Any) -> None:
    client, *_ = site
    csrf = _login(client)["csrf_token"]
    question = {"question": "How do we choose key accounts?"}
    assert client.get("/auth/me").status_code == 200  # safe methods need no token
    missing = client.post("/ask", json=question)
    assert missing.status_code == 403 and "CSRF" in missing.json()["message"]
    wrong = client.post("/ask", json=question, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    assert client.post("/ask", json=question, headers={"X-CSRF-Token": csrf}).status_code == 200
    assert client.post("/auth/logout").status_code == 403
    assert client.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    client.cookies.clear()


def test_api_keys_need_no_csrf_token(site: Any) -> None:
    client, _app, _engine, keys, *_ = site
    response = client.post("/ask", json={"question": "What is a key account?"},
                           headers=bearer(keys["kam"]))
    assert response.status_code == 200


def test_logout_ends_the_session_at_once(site: Any) -> None:
    client, *_ = site
    csrf = _login(client)["csrf_token"]
    token = client.cookies.get("kambot_session")
    assert client.post("/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    client.cookies.clear()
    client.cookies.set("kambot_session", token)
    response = client.get("/auth/me")
    assert response.status_code == 401
    assert "log in again" in response.json()["message"]
    client.cookies.clear()


def test_a_key_revoked_through_the_api_stops_at_once(site: Any) -> None:
    client, _app, engine, keys, ext, _settings = site
    key = make_user(engine, "s-revoked", "executive", [ext[0]])
    assert client.get("/auth/me", headers=bearer(key)).status_code == 200  # now cached
    listed = client.get("/users/s-revoked", headers=bearer(keys["admin"])).json()
    key_id = listed["keys"][0]["key_id"]
    assert key_id in key and key not in str(listed)
    deleted = client.delete(f"/users/s-revoked/keys/{key_id}", headers=bearer(keys["admin"]))
    assert deleted.status_code == 204
    assert client.get("/auth/me", headers=bearer(key)).status_code == 401


def test_users_api_shows_a_new_key_once(site: Any) -> None:
    client, _app, _engine, keys, ext, _settings = site
    created = client.post("/users", headers=bearer(keys["admin"]), json={
        "username": "s-new", "role": "kam", "accounts": [ext[1]], "password": PASSWORD})
    assert created.status_code == 201, created.text
    new_key = created.json()["api_key"]["key"]
    me = client.get("/auth/me", headers=bearer(new_key)).json()
    assert [a["ref"] for a in me["accounts"]] == [ext[1]]
    listing = client.get("/users", headers=bearer(keys["admin"])).text
    assert new_key not in listing and "s-new" in listing
    second = client.post("/users/s-new/keys", headers=bearer(keys["admin"]), json={})
    assert second.status_code == 201 and second.json()["key"] != new_key
    revoked = client.delete("/users/s-new", headers=bearer(keys["admin"])).json()
    assert revoked["keys_revoked"] == 2 and revoked["deactivated"]
    assert client.get("/auth/me", headers=bearer(new_key)).status_code == 401
    taken = client.post("/users", headers=bearer(keys["admin"]),
                        json={"username": "s-new", "role": "lead"})
    assert taken.status_code == 409 and taken.json()["error"] == "conflict"


def test_bad_authorization_headers_are_explained(site: Any) -> None:
    client, *_ = site
    basic = client.get("/auth/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert basic.status_code == 401 and "Bearer" in basic.json()["message"]
    foreign = client.get("/auth/me", headers=bearer("sk-" + "x" * 40))
    assert "not a kambot API key" in foreign.json()["message"]
    forged = client.get("/auth/me", headers=bearer("kb_0123456789ab_" + "x" * 43))
    assert forged.status_code == 401 and "unknown or revoked" in forged.json()["message"]


def test_the_body_limit_answers_413_with_a_hint(site: Any) -> None:
    client, _app, _engine, keys, *_ = site
    big = {"question": "x" * 5000}
    response = client.post("/ask", json=big, headers=bearer(keys["kam"]))
    assert response.status_code == 413
    body = response.json()
    assert body["error"] == "limit_exceeded" and "KAMBOT_MAX_REQUEST_BYTES" in body["hint"]
    assert body["details"]["limit"] == 4096
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_a_streamed_body_without_length_is_cut_at_the_limit(site: Any) -> None:
    client, _app, _engine, keys, *_ = site

    def chunks() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(10):
            yield b"y" * 1000
        yield b'"}'

    response = client.post("/ask", content=chunks(), headers={
        **bearer(keys["kam"]), "Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "limit_exceeded"


def test_uploads_have_their_own_larger_limit(site: Any) -> None:
    client, _app, _engine, keys, *_ = site
    files = {"file": ("cv.txt", io.BytesIO(b"a" * 30_000), "text/plain")}
    response = client.post("/assessments", headers=bearer(keys["hr"]), files=files,
                           data={"candidate_ref": "UP-1"})
    assert response.status_code == 413
    assert "KAMBOT_MAX_UPLOAD_BYTES" in response.json()["hint"]
    ok = client.post("/assessments", headers=bearer(keys["hr"]),
                     files={"file": ("cv.txt", io.BytesIO(CV.encode() * 10), "text/plain")},
                     data={"candidate_ref": "UP-2", "target": "hunter"})
    assert ok.status_code == 201, ok.text  # over max_request_bytes, under the upload limit


def test_the_rate_limit_answers_429_with_retry_after(site: Any) -> None:
    _client, _app, engine, _keys, _ext, settings = site
    key = make_user(engine, "s-busy", "lead")
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 5}))
    with TestClient(app) as client:
        statuses = [client.get("/auth/me", headers=bearer(key)).status_code for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        limited = client.get("/auth/me", headers=bearer(key))
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.json()["error"] == "rate_limited"
        assert limited.headers["x-content-type-options"] == "nosniff"
        # Another caller (anonymous, by address) has their own budget.
        assert client.get("/health").status_code == 200


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/health", 200), ("GET", "/accounts", 200), ("GET", "/nowhere", 404),
    ("GET", "/segmentation", 403), ("DELETE", "/accounts", 405)])
def test_every_answer_carries_the_security_headers(site: Any, method: str, path: str,
                                                   status: int) -> None:
    client, _app, _engine, keys, *_ = site
    response = client.request(method, path, headers=bearer(keys["kam"]))
    assert response.status_code == status
    headers = response.headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"


def test_the_schema_needs_credentials_and_the_cdn_pages_are_gone(site: Any) -> None:
    client, _app, _engine, keys, *_ = site
    assert client.get("/openapi.json").status_code == 401
    schema = client.get("/openapi.json", headers=bearer(keys["kam"])).json()
    assert "apiKey" in schema["components"]["securitySchemes"]
    assert schema["paths"]["/accounts"]["get"]["security"]
    assert "security" not in schema["paths"]["/health"]["get"]
    assert {"401", "403", "404", "429"} <= set(schema["paths"]["/accounts"]["get"]["responses"])
    assert client.get("/docs").status_code == 404
    assert client.get("/redoc").status_code == 404


def test_reads_changes_and_refusals_are_audited(site: Any) -> None:
    client, app, engine, keys, ext, _settings = site
    own, other = ext[0], ext[1]
    assert client.get(f"/accounts/{own}", headers=bearer(keys["kam"])).status_code == 200
    assert client.get(f"/accounts/{other}", headers=bearer(keys["kam"])).status_code == 404
    assert client.get("/accounts", headers=bearer(keys["hr"])).status_code == 403
    entries = _audit(app, engine, object_type="account", limit=3)
    assert [(e.username, e.object_id, e.outcome, e.status) for e in entries] == [
        ("s-hr", None, "denied", 403), ("s-kam", other, "not_found", 404),
        ("s-kam", own, "ok", 200)]
    assert entries[-1].role == "kam" and entries[-1].path == "/accounts/{account}"
    client.post("/users", headers=bearer(keys["admin"]),
                json={"username": "s-audited", "role": "lead", "api_key": False})
    created = _audit(app, engine, object_type="user", object_id="s-audited")
    assert [(e.action, e.username, e.outcome) for e in created] == [("create", "s-admin", "ok")]


def test_repeated_reads_are_counted_on_one_row_and_others_kept_apart(site: Any) -> None:
    client, app, engine, keys, ext, _settings = site
    own, other = ext[0], ext[1]
    app.state.auth.audit.flush()
    for _ in range(5):
        assert client.get(f"/accounts/{own}", headers=bearer(keys["kam"])).status_code == 200
    assert client.get(f"/accounts/{other}", headers=bearer(keys["kam"])).status_code == 404
    assert client.get(f"/accounts/{own}/scenarios",
                      headers=bearer(keys["kam"])).status_code == 200
    assert client.get(f"/accounts/{own}", headers=bearer(keys["admin"])).status_code == 200
    entries = _audit(app, engine, object_type="account", limit=4)[::-1]
    assert [(e.username, e.object_id, e.status, e.details.get("route"),
             e.details.get("count")) for e in entries] == [
        ("s-kam", own, 200, "get_account", 5), ("s-kam", other, 404, "get_account", None),
        ("s-kam", own, 200, "account_scenarios", None), ("s-admin", own, 200, "get_account", None)]
    assert entries[0].details["last_at"] >= entries[0].at.isoformat()


def test_hr_assesses_decides_reports_and_erases(site: Any) -> None:
    client, app, engine, keys, *_ = site
    hr = bearer(keys["hr"])
    made = client.post("/assessments", headers=hr, json={
        "candidate_ref": "HR-1", "text": CV, "target": "hunter", "lang": "en"})
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "proposal" and made.json()["run_id"]
    got = client.get("/assessments/HR-1", headers=hr).json()
    assert got["run_id"] == made.json()["run_id"]
    assert [r["candidate_ref"] for r in client.get("/assessments", headers=hr).json()
            ].count("HR-1") == 1
    no_reason = client.post("/assessments/HR-1/decision", headers=hr,
                            json={"decision": "override", "levels": {"leader": 4}})
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    decided = client.post("/assessments/HR-1/decision", headers=hr, json={
        "decision": "override", "levels": {"leader": 4}, "reason": "panel interview evidence"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["reviewer"] == "s-hr" and decided.json()["levels"] == {"leader": 4}
    assert client.get("/assessments/HR-1", headers=hr).json()["status"] == "overridden"
    report = client.get("/assessments/HR-1/report.md", headers=hr)
    assert report.status_code == 200 and "panel interview evidence" in report.text
    assert report.headers["content-type"].startswith("text/markdown")
    docx = client.get("/assessments/HR-1/report.docx", headers=hr)
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    explanation = client.get("/assessments/HR-1/explanation.md", headers=hr, params={"lang": "fr"})
    assert explanation.status_code == 200 and "Explication" in explanation.text
    erased = client.delete("/candidates/HR-1", headers=hr)
    assert erased.status_code == 200 and erased.json()["runs_deleted"] == 1
    assert client.get("/assessments/HR-1", headers=hr).status_code == 404
    assert client.delete("/candidates/HR-1", headers=hr).status_code == 404
    trail = _audit(app, engine, object_type="candidate", limit=50)
    assert trail and all("HR-1" not in str(e.object_id) and "HR-1" not in (e.path or "")
                         for e in trail)
    assert {e.action for e in trail} >= {"assess", "decide_override", "erase", "read"}


def test_assessment_inputs_are_validated(site: Any) -> None:
    client, _app, _engine, keys, *_ = site
    hr = bearer(keys["hr"])
    assert client.post("/assessments", headers=hr, json={"text": CV}).status_code == 422
    unknown_target = client.post("/assessments", headers=hr, json={
        "candidate_ref": "V-1", "text": CV, "target": "astronaut"})
    assert unknown_target.status_code == 404 and "hunter" in unknown_target.json()["hint"]
    assert client.post("/assessments", headers=hr, json={
        "candidate_ref": "V-1", "text": "   "}).status_code == 422
    gif = client.post("/assessments", headers=hr, data={"candidate_ref": "V-3"},
                      files={"file": ("photo.gif", b"GIF87a\x01\x00", "image/gif")})
    assert gif.status_code == 415 and gif.json()["error"] == "unsupported_media_type"
    typed = client.post("/assessments", headers=hr, data={"candidate_ref": "V-4"},
                        files={"file": ("cv", CV.encode(), "text/plain")})
    assert typed.status_code == 201, typed.text  # no suffix: read by the declared type
    form = client.post("/assessments", headers=hr, data={"candidate_ref": "V-2"},
                       files={"other": ("a.txt", b"x", "text/plain")})
    assert form.status_code == 422 and "file" in form.json()["message"]
    plain = client.post("/assessments", headers={**hr, "Content-Type": "text/plain"},
                        content=CV.encode())
    assert plain.status_code == 422 and "content type" in plain.json()["message"]


def test_settings_fixture_is_isolated(site: Any) -> None:
    *_rest, settings = site
    assert isinstance(settings, Settings)
    assert settings.max_request_bytes == 4096


def test_a_repeated_single_valued_query_parameter_is_refused(site: Any) -> None:
    client, _app, _engine, keys, *_ = site
    repeated = client.get("/accounts?selected=true&selected=false", headers=bearer(keys["kam"]))
    assert repeated.status_code == 422 and "selected" in repeated.json()["message"]
    once = client.get("/accounts?selected=true&limit=5", headers=bearer(keys["kam"]))
    assert once.status_code == 200


def test_the_audit_trail_is_written_at_shutdown(site: Any) -> None:
    _client, _app, engine, keys, ext, settings = site
    app = create_app(settings)
    app.state.auth.audit._delay_s = 60.0  # the background writer would not run in time
    with TestClient(app) as client:
        assert client.get(f"/accounts/{ext[0]}/scenarios",
                          headers=bearer(keys["kam"])).status_code == 200
        assert app.state.auth.audit.pending == 1
    assert app.state.auth.audit.pending == 0
    latest = list_access(engine, object_type="account", limit=1)[0]
    assert latest.details["route"] == "account_scenarios" and latest.username == "s-kam"
