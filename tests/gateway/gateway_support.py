"""Helpers of the gateway tests: the shared environment and a loopback uvicorn."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kambot.config import Settings

OWN, OTHER = "C10102", "C10113"


@dataclass(frozen=True)
class GatewayEnv:
    """The shared data directory, its settings and an API key per role."""

    data: Path
    settings: Settings
    keys: dict[str, str]
    own: str = OWN
    other: str = OTHER


def gateway_settings(data: Path) -> Settings:
    """Return the settings of a data directory (no rate limit in the way)."""
    return Settings(data_dir=data, _env_file=None,  # type: ignore[call-arg]
                    session_cookie_secure=False, rate_limit_per_minute=100_000)


def free_port() -> int:
    """Return a free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_uvicorn(app: Any) -> Iterator[str]:
    """Serve an ASGI app on loopback in a thread; yield its base URL, then stop it."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
