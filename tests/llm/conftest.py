"""Fixtures of the model-seam tests: a loopback OpenAI-compatible server, a demo request."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from llm_support import Request, demo_drafting_context, make_request
from openai_server import LoopbackServer, ServerState

from kambot.assistant.drafting.inputs import DraftingContext


@pytest.fixture(scope="session")
def _loopback() -> Iterator[LoopbackServer]:
    server = LoopbackServer().start()
    yield server
    server.stop()


@pytest.fixture
def openai_server(_loopback: LoopbackServer) -> Iterator[LoopbackServer]:
    """Return the running loopback server with an empty script and request log."""
    _loopback.state.reset()
    yield _loopback
    _loopback.state.reset()


@pytest.fixture
def server_state(openai_server: LoopbackServer) -> ServerState:
    """Return the script and request log of the loopback server."""
    return openai_server.state


@pytest.fixture(scope="session")
def demo_context(tmp_path_factory: pytest.TempPathFactory) -> DraftingContext:
    """Return a drafting context over the demo, with an injected note on C10175."""
    return demo_drafting_context(tmp_path_factory.mktemp("llm-data"))


@pytest.fixture
def ceb_request(demo_context: DraftingContext) -> Request:
    """Return the CEB request of the demo account C10175 in English."""
    return make_request(demo_context)
