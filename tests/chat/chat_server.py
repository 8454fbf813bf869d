"""A scripted OpenAI-compatible server on 127.0.0.1 that answers with tool calls.

Requests offering ``tools`` (the chat's tool-calling router) are answered from the
``tool_calls`` queue: a :class:`ToolCall` becomes ``message.tool_calls`` naming that
tool, a :class:`Say` becomes plain text, an int an HTTP error. Other requests
(structured output of the document writer) are answered from the ``contents`` queue,
the content carrying the JSON object. Every request body is recorded.
"""

from __future__ import annotations

import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from loopback_uvicorn import ThreadedServer


@dataclass
class ToolCall:
    """The model calls ``name`` with ``args``."""

    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass
class Say:
    """The model answers with text and calls no tool."""

    text: str


@dataclass
class ServerState:
    """Queues of answers and the log of requests."""

    tool_calls: deque[ToolCall | Say | int] = field(default_factory=deque)
    contents: deque[str | int] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def reset(self) -> None:
        """Forget every answer and request."""
        self.tool_calls.clear()
        self.contents.clear()
        self.requests.clear()

    def routing_requests(self) -> list[dict[str, Any]]:
        """Return the requests that offered tools."""
        return [r for r in self.requests if r.get("tools")]


def _completion(model: str, message: dict[str, Any], finish: str) -> dict[str, Any]:
    return {"id": "chatcmpl-chat", "object": "chat.completion", "created": int(time.time()),
            "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish,
                         "logprobs": None}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}}


def _error(status: int) -> JSONResponse:
    return JSONResponse({"error": {"message": f"scripted error {status}",
                                   "type": "server_error", "code": None}}, status_code=status)


def create_app(state: ServerState) -> FastAPI:
    """Return the app answering from ``state``."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        body = await request.json()
        state.requests.append(body)
        model = body.get("model", "test-model")
        if body.get("tools"):
            if not state.tool_calls:
                return _error(500)
            reply = state.tool_calls.popleft()
            if isinstance(reply, int):
                return _error(reply)
            if isinstance(reply, Say):
                return _completion(model, {"role": "assistant", "content": reply.text}, "stop")
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": f"call_{len(state.requests)}", "type": "function",
                 "function": {"name": reply.name, "arguments": json.dumps(reply.args)}}]}
            return _completion(model, message, "tool_calls")
        if not state.contents:
            return _error(500)
        content = state.contents.popleft()
        if isinstance(content, int):
            return _error(content)
        return _completion(model, {"role": "assistant", "content": content}, "stop")

    return app


class ChatModelServer(ThreadedServer):
    """Run the scripted app with uvicorn in a thread on a free 127.0.0.1 port."""

    def __init__(self) -> None:
        """Prepare the server (call :meth:`start`)."""
        self.state = ServerState()
        super().__init__(create_app(self.state), "the loopback chat model server")
