"""A note of one account never reaches a caller scoped to another account (through the API)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kambot.assistant.portfolio import load_demo, open_store
from kambot.config import Settings
from kambot.store.importers import import_file

TOKEN = "zorblaxquintet"
OWNER, OTHER = "C10102", "C10113"


@pytest.fixture(scope="module")
def scoped_client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    root = tmp_path_factory.mktemp("scope")
    settings = Settings(data_dir=root / "data", _env_file=None)  # type: ignore[call-arg]
    load_demo(settings)
    note = root / "activities.csv"
    note.write_text(
        "external_id,account_external_id,kind,occurred_on,subject,text\n"
        f"SECRET-1,{OWNER},note,2026-10-20,Pricing,"
        f"Confidential: the {TOKEN} rebate agreed with procurement stays between us.\n",
        encoding="utf-8",
    )
    import_file(open_store(settings), settings, note)
    return TestClient(create_app(settings))


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
