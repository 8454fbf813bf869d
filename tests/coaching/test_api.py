"""GET /programme/path and /programme/next-step, per role."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from interview_support import HELENE, HR, KAM, LEAD, build_store

from api.app import create_app
from api.deps import get_principal
from kambot.config import Settings
from kambot.domain.identity import Principal


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    build_store(settings).dispose()
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def as_(client: TestClient, who: Principal) -> TestClient:
    client.app.dependency_overrides[get_principal] = lambda: who  # type: ignore[attr-defined]
    return client


def test_path_and_next_step(client: TestClient) -> None:
    for who in (LEAD, HELENE):
        c = as_(client, who)
        path = c.get("/programme/path", params={"lang": "en"}).json()
        assert [p["id"] for p in path][:3] == ["programme_defined", "strategic_cause",
                                               "alignment_interviews"]
        assert {"id", "title", "done", "evidence"} <= set(path[0])
        assert path[0]["done"] and not path[2]["done"]
        advice = c.get("/programme/next-step", params={"lang": "fr"}).json()
        assert advice["checkpoint"] == "alignment_interviews"
        assert advice["title"] == "Interviewer chaque membre du comité de direction"
        assert advice["why"] and advice["how"]
        cites = advice["citations"]
        assert cites and all(x["kind"] == "methodology" and x["id"].startswith("fr/")
                             and x["label"] and x["snippet"] for x in cites)


def test_kam_and_hr_get_403(client: TestClient) -> None:
    for who in (KAM, HR):
        c = as_(client, who)
        assert c.get("/programme/path").status_code == 403
        r = c.get("/programme/next-step")
        assert r.status_code == 403 and r.json()["error"] == "permission_denied"
