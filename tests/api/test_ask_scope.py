"""A note of one account never reaches a caller scoped to another account (through the API)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kambot.assistant.portfolio import open_store
from kambot.store.importers import import_file

from .conftest import api_settings, bearer, copy_demo, make_user

TOKEN = "zorblaxquintet"
OWNER, OTHER = "C10102", "C10113"


@pytest.fixture(scope="module")
def scoped_app(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    root = tmp_path_factory.mktemp("scope")
    settings = api_settings(copy_demo(demo_template, root / "data"))
    note = root / "activities.csv"
    note.write_text(
        "external_id,account_external_id,kind,occurred_on,subject,text\n"
        f"SECRET-1,{OWNER},note,2026-10-20,Pricing,"
        f"Confidential: the {TOKEN} rebate agreed with procurement stays between us.\n",
        encoding="utf-8",
    )
    engine = open_store(settings)
    import_file(engine, settings, note)
    keys = {"admin": make_user(engine, "ask-admin", "admin"),
            "owner": make_user(engine, "ask-owner-kam", "kam", [OWNER]),
            "other": make_user(engine, "ask-other-kam", "kam", [OTHER]),
            "hr": make_user(engine, "ask-hr", "hr")}
    engine.dispose()
    return create_app(settings), keys


@pytest.fixture(scope="module")
def scoped_client(scoped_app: Any) -> TestClient:
    app, keys = scoped_app
    return TestClient(app, headers=bearer(keys["admin"]))


def _as(scoped_app: Any, who: str) -> TestClient:
    app, keys = scoped_app
    return TestClient(app, headers=bearer(keys[who]))


def _ask(client: TestClient, account: str | None) -> str:
    body = {"question": f"What was agreed about the {TOKEN} rebate with procurement?"}
    if account:
        body["account"] = account
    response = client.post("/ask", json=body)
    assert response.status_code == 200, response.text
    return json.dumps(response.json()).lower()


def test_the_owner_account_scope_finds_its_note(scoped_client: TestClient) -> None:
    assert TOKEN in _ask(scoped_client, OWNER)


@pytest.mark.parametrize("account", [OTHER, None])
def test_another_scope_never_sees_the_note(scoped_client: TestClient, account: str | None) -> None:
    assert TOKEN not in _ask(scoped_client, account)


def test_unknown_account_scope_is_404(scoped_client: TestClient) -> None:
    response = scoped_client.post("/ask", json={"question": "anything", "account": "nope"})
    assert response.status_code == 404


def test_a_kam_finds_the_note_of_their_own_account(scoped_app: Any) -> None:
    assert TOKEN in _ask(_as(scoped_app, "owner"), OWNER)


@pytest.mark.parametrize("who", ["other", "hr"])
def test_an_account_outside_the_scope_is_404_like_an_unknown_one(scoped_app: Any,
                                                                who: str) -> None:
    client = _as(scoped_app, who)
    outside = client.post("/ask", json={"question": f"the {TOKEN} rebate", "account": OWNER})
    unknown = client.post("/ask", json={"question": f"the {TOKEN} rebate",
                                        "account": "C99999"})
    assert outside.status_code == unknown.status_code == 404
    assert TOKEN not in outside.text.lower()
    assert outside.json()["message"] == unknown.json()["message"].replace("C99999", OWNER)


@pytest.mark.parametrize("who", ["other", "hr"])
def test_methodology_questions_never_reach_a_note(scoped_app: Any, who: str) -> None:
    assert TOKEN not in _ask(_as(scoped_app, who), None)
