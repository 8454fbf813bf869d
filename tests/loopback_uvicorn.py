"""Serve an ASGI app with uvicorn in a thread on a free 127.0.0.1 port (a test helper).

The loopback model servers of the tests (``tests/llm/openai_server.py``,
``tests/chat/chat_server.py``) run their scripted apps through it.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any, Self


class ThreadedServer:
    """Run an app with uvicorn in a daemon thread; :meth:`start` waits until it serves.

    Args:
        app: the ASGI app.
        name: what the server is, for the error raised when it does not start.
    """

    def __init__(self, app: Any, name: str) -> None:
        import uvicorn

        self.name = name
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        config = uvicorn.Config(app, log_level="warning", lifespan="off",
                                timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    @property
    def base_url(self) -> str:
        """Return the ``/v1`` URL to give an OpenAI-compatible client."""
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> Self:
        """Start serving and wait until the server accepts connections."""
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving."""
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.sock.close()
