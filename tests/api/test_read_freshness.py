"""Hot reads are served from memory, yet never miss a change for long.

``GET /accounts/{ref}`` answers from the cached analysis and cached JSON while nothing
changed. These tests change the data behind the server's back (another connection, as
another process would) and through the process itself, and check what the next reads
see.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kambot.assistant.portfolio import PortfolioService, open_store
from kambot.config import Settings
from kambot.store.db import transaction
from kambot.store.writer import upsert_rows

from .conftest import api_settings, bearer, copy_demo, make_user

TRUST_S = 0.05


@pytest.fixture(scope="module")
def fresh_settings(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = copy_demo(demo_template, tmp_path_factory.mktemp("fresh") / "data")
    settings: Settings = api_settings(data, data_change_poll_s=TRUST_S)
    return settings


@pytest.fixture(scope="module")
def served(fresh_settings: Settings) -> Iterator[tuple[TestClient, str]]:
    engine = open_store(fresh_settings)
    ref = PortfolioService(fresh_settings, engine).analysis().portfolio.accounts.external_ids[0]
    key = make_user(engine, "fresh-lead", "lead")
    engine.dispose()
    with TestClient(create_app(fresh_settings), headers=bearer(key)) as client:
        yield client, ref


def _rename_from_outside(settings: Settings, ref: str, name: str) -> None:
    """Rename an account and record an import run, on a connection kambot does not own."""
    with sqlite3.connect(settings.data_dir / "kambot.db") as db:
        db.execute("UPDATE accounts SET name = ? WHERE external_id = ?", (name, ref))
        now = datetime.now(UTC).replace(tzinfo=None).isoformat(" ")
        db.execute("INSERT INTO import_runs (started_at, finished_at, source_name, sha256, "
                   "kind, rows_accepted, rows_rejected, dry_run, report) "
                   "VALUES (?, ?, 'outside', ?, 'accounts', 1, 0, 0, '{}')",
                   (now, now, "0" * 64))


def _name(client: TestClient, ref: str) -> str:
    response = client.get(f"/accounts/{ref}")
    assert response.status_code == 200, response.text
    return str(response.json()["kpis"]["name"])


def test_repeated_reads_give_the_same_answer(served: tuple[TestClient, str]) -> None:
    client, ref = served
    first = client.get(f"/accounts/{ref}")
    assert first.headers["content-type"] == "application/json"
    assert first.headers["cache-control"] == "no-store"
    assert client.get(f"/accounts/{ref}").content == first.content


def test_another_process_change_shows_within_the_trust_window(
        served: tuple[TestClient, str], fresh_settings: Settings) -> None:
    client, ref = served
    _name(client, ref)  # cached
    _rename_from_outside(fresh_settings, ref, "Renamed Outside")
    time.sleep(TRUST_S * 3)
    assert _name(client, ref) == "Renamed Outside"


def test_a_change_made_by_this_process_shows_at_once(
        served: tuple[TestClient, str], fresh_settings: Settings) -> None:
    client, ref = served
    _name(client, ref)
    engine = open_store(fresh_settings)
    try:
        with transaction(engine, write=True) as conn:
            upsert_rows(conn, "accounts", [{"external_id": ref, "name": "Renamed Inside"}])
            conn.exec_driver_sql(
                "INSERT INTO import_runs (started_at, finished_at, source_name, sha256, kind, "
                "rows_accepted, rows_rejected, dry_run, report) VALUES (CURRENT_TIMESTAMP, "
                "CURRENT_TIMESTAMP, 'inside', '" + "1" * 64 + "', 'accounts', 1, 0, 0, '{}')")
    finally:
        engine.dispose()
    assert _name(client, ref) == "Renamed Inside"  # no wait: the commit bumped the generation


def test_scope_is_still_checked_on_the_fast_path(
        served: tuple[TestClient, str], fresh_settings: Settings) -> None:
    client, ref = served
    engine = open_store(fresh_settings)
    try:
        accounts = PortfolioService(fresh_settings, engine).analysis().portfolio.accounts
        other = accounts.external_ids[1]
        kam = make_user(engine, "fresh-kam", "kam", accounts=[other])
        hr = make_user(engine, "fresh-hr", "hr")
    finally:
        engine.dispose()
    _name(client, ref)  # the lead has cached the answer
    assert client.get(f"/accounts/{ref}", headers=bearer(kam)).status_code == 404
    assert client.get(f"/accounts/{other}", headers=bearer(kam)).status_code == 200
    assert client.get(f"/accounts/{ref}", headers=bearer(hr)).status_code == 403
    assert client.get(f"/accounts/{ref}/scenarios", headers=bearer(kam)).status_code == 404


def test_cached_account_lists_keep_to_each_scope_and_follow_changes(
        served: tuple[TestClient, str], fresh_settings: Settings) -> None:
    client, _ref = served
    engine = open_store(fresh_settings)
    try:
        accounts = PortfolioService(fresh_settings, engine).analysis().portfolio.accounts
        mine = accounts.external_ids[2]
        kam = make_user(engine, "list-kam", "kam", accounts=[mine])
    finally:
        engine.dispose()
    everything = client.get("/accounts", params={"limit": 500}).json()
    assert everything["total"] == len(accounts)
    for _ in range(2):  # the second answer comes from the cache
        page = client.get("/accounts", params={"limit": 500}, headers=bearer(kam)).json()
        assert [item["external_id"] for item in page["items"]] == [mine]
    _rename_from_outside(fresh_settings, mine, "Listed Anew")
    time.sleep(TRUST_S * 3)
    page = client.get("/accounts", headers=bearer(kam)).json()
    assert page["items"][0]["name"] == "Listed Anew"


def test_portfolio_answers_are_kept_until_the_data_changes(
        served: tuple[TestClient, str], fresh_settings: Settings) -> None:
    client, ref = served

    def names() -> dict[str, str]:
        response = client.get("/tiers", params={"accounts": "true"})
        assert response.status_code == 200, response.text
        return {a["external_id"]: a["name"] for a in response.json()["accounts"]}

    first = client.get("/tiers", params={"accounts": "true"})
    assert client.get("/tiers", params={"accounts": "true"}).content == first.content
    assert client.get("/segmentation").content == client.get("/segmentation").content
    _rename_from_outside(fresh_settings, ref, "Renamed For Tiers")
    time.sleep(TRUST_S * 3)
    assert names()[ref] == "Renamed For Tiers"


def test_a_memo_is_computed_again_only_after_a_commit(
        served: tuple[TestClient, str], fresh_settings: Settings) -> None:
    _client, ref = served
    engine = open_store(fresh_settings)
    service = PortfolioService(fresh_settings, engine)
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        return len(calls)

    try:
        assert [service.memo("k", compute) for _ in range(3)] == [1, 1, 1]
        assert service.memo("other", compute) == 2  # keys are apart
        with sqlite3.connect(fresh_settings.data_dir / "kambot.db") as db:  # another connection
            db.execute("UPDATE accounts SET name = 'Memo One' WHERE external_id = ?", (ref,))
        assert service.memo("k", compute) == 3
        assert service.memo("k", compute) == 3
        with transaction(engine, write=True) as conn:  # and so does this process
            conn.exec_driver_sql("UPDATE accounts SET name = 'Memo Two' WHERE external_id = ?",
                                 (ref,))
        assert service.memo("k", compute) == 4
    finally:
        service.close()
        engine.dispose()


def test_a_saved_document_is_listed_at_once(served: tuple[TestClient, str]) -> None:
    client, ref = served
    before = {d["id"] for d in client.get("/documents").json()}
    assert {d["id"] for d in client.get("/documents").json()} == before  # from memory
    made = client.post("/documents", json={"kind": "account_strategy", "account": ref})
    assert made.status_code == 200, made.text[:300]
    after = {d["id"] for d in client.get("/documents").json()}
    assert after - before  # the new version is listed at once


def test_the_trusted_token_is_kept_briefly_and_moves_with_any_commit(
        served: tuple[TestClient, str], fresh_settings: Settings) -> None:
    client, ref = served
    # The app's queued audit rows, written now: for this second service they are another
    # connection's commit (the app writes them unseen by its own token only).
    client.app.state.auth.audit.flush()  # type: ignore[attr-defined]
    engine = open_store(fresh_settings)
    service = PortfolioService(fresh_settings, engine)
    try:
        first = service.trusted_token()
        assert service.trusted_token() is first  # within the window: from memory
        time.sleep(TRUST_S * 2)
        assert service.trusted_token() is first  # read again, same value, same object
        with transaction(engine, write=True) as conn:  # this process: seen at once
            conn.exec_driver_sql("UPDATE accounts SET name = 'Token One' WHERE external_id = ?",
                                 (ref,))
        second = service.trusted_token()
        assert second != first
        with sqlite3.connect(fresh_settings.data_dir / "kambot.db") as db:  # another one
            db.execute("UPDATE accounts SET name = 'Token Two' WHERE external_id = ?", (ref,))
        time.sleep(TRUST_S * 2)
        assert service.trusted_token() != second
    finally:
        service.close()
        engine.dispose()
