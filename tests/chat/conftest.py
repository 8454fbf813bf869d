"""Fixtures of the chat tests: the demo with planted notes, a small index, a model server.

The demo is loaded once per test session into a template folder (with an injected note
on Quenolac and a plain note on Corivar); each test module works on its own copy. The
search index holds the methodology and the notes of those two accounts only, which
builds in a second or two instead of the whole demo's twenty.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from chat_server import ChatModelServer, ServerState
from chat_support import (
    CORIVAR,
    INJECTED_NOTE,
    INJECTED_NOTE_ID,
    QUENOLAC,
    SAFE_NOTE,
    SAFE_NOTE_ID,
    Demo,
    build_small_index,
    checkpoint,
    copy_data,
    make_settings,
    plant_note,
)

from kambot.assistant.chat import ChatService
from kambot.assistant.portfolio import PortfolioService, load_demo, open_store


@pytest.fixture(scope="session")
def chat_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Load the demo and plant the notes once; return its data folder (never used as is)."""
    data = tmp_path_factory.mktemp("chat-template") / "data"
    settings = make_settings(data)
    load_demo(settings)
    engine = open_store(settings)
    try:
        plant_note(engine, QUENOLAC[0], INJECTED_NOTE_ID, INJECTED_NOTE)
        plant_note(engine, CORIVAR[0], SAFE_NOTE_ID, SAFE_NOTE)
    finally:
        engine.dispose()
    checkpoint(data)
    return data


@pytest.fixture(scope="session")
def chat_index(chat_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Return a search index over the methodology and the two planted accounts' notes."""
    source = copy_data(chat_template, tmp_path_factory.mktemp("chat-index-source") / "data")
    engine = open_store(make_settings(source))
    try:
        target = make_settings(tmp_path_factory.mktemp("chat-index") / "data")
        return build_small_index(target, engine, {QUENOLAC[0], CORIVAR[0]})
    finally:
        engine.dispose()


def open_demo(template: Path, target: Path, **overrides: Any) -> Demo:
    """Copy the template to ``target`` and open it."""
    data = copy_data(template, target)
    settings = make_settings(data, **overrides)
    engine = open_store(settings)
    return Demo(settings, engine, PortfolioService(settings, engine))


@pytest.fixture(scope="module")
def demo(chat_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """Return this module's own copy of the demo (shared by its tests)."""
    opened = open_demo(chat_template, tmp_path_factory.mktemp("chat-demo") / "data")
    yield opened
    opened.engine.dispose()


@pytest.fixture(scope="module")
def chat(demo: Demo, chat_index: Any) -> ChatService:
    """Return an offline chat service over this module's demo."""
    return ChatService(demo.settings, demo.engine, service=demo.service,
                       index=lambda: chat_index)


@pytest.fixture(scope="session")
def _model_server() -> Iterator[ChatModelServer]:
    server = ChatModelServer().start()
    yield server
    server.stop()


@pytest.fixture
def model_server(_model_server: ChatModelServer) -> Iterator[ChatModelServer]:
    """Return the loopback model server with empty queues."""
    _model_server.state.reset()
    yield _model_server
    _model_server.state.reset()


@pytest.fixture
def server_state(model_server: ChatModelServer) -> ServerState:
    """Return the queues and request log of the loopback model server."""
    return model_server.state
