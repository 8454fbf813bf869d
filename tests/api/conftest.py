"""One demo database per test module, served through the real FastAPI app."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from kambot.assistant.portfolio import load_demo
from kambot.config import Settings


@pytest.fixture(scope="module")
def demo_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    data = tmp_path_factory.mktemp("api") / "data"
    settings = Settings(data_dir=Path(data), _env_file=None)  # type: ignore[call-arg]
    load_demo(settings)
    return settings


@pytest.fixture(scope="module")
def client(demo_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(demo_settings)) as test_client:
        yield test_client
