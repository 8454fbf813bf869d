"""A scripted OpenAI-compatible server on 127.0.0.1, for tests of the real client path.

``/v1/chat/completions`` answers from a queue of :class:`Reply` objects and records
every request body. The format follows the request, as a real server would: a
``stream: true`` request gets server-sent events (``data: {chunk}`` lines ending with
``data: [DONE]``), a request with ``tools`` gets the content as a forced tool call's
arguments, any other request gets the content in ``message.content`` (which is how
``response_format: json_schema`` answers arrive). A reply can also be an HTTP error, a
delay (for timeouts) or a raw, broken body.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse
from loopback_uvicorn import ThreadedServer


@dataclass
class Reply:
    """One scripted answer."""

    content: str | None = None
    status: int = 200
    delay: float = 0.0
    raw_body: str | None = None
    chunk_size: int = 40


@dataclass
class ServerState:
    """The queue of replies and the log of requests, shared with the test."""

    replies: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    default: Reply | None = None

    def script(self, *replies: Reply) -> None:
        """Queue replies."""
        self.replies.extend(replies)

    def reset(self) -> None:
        """Forget every reply and request."""
        self.replies.clear()
        self.requests.clear()
        self.default = None


def _completion(model: str, message: dict[str, Any], finish: str) -> dict[str, Any]:
    return {
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": finish,
                     "logprobs": None}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


def _chunk(model: str, delta: dict[str, Any], finish: str | None) -> str:
    payload = {"id": "chatcmpl-test", "object": "chat.completion.chunk",
               "created": int(time.time()), "model": model,
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish,
                            "logprobs": None}]}
    return f"data: {json.dumps(payload)}\n\n"


def create_app(state: ServerState) -> Any:
    """Return the FastAPI app answering from ``state``."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def chat(request: Request) -> Any:
        body = await request.json()
        state.requests.append(body)
        reply = state.replies.popleft() if state.replies else state.default
        if reply is None:
            return JSONResponse({"error": {"message": "no scripted reply"}}, status_code=500)
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.raw_body is not None:
            return PlainTextResponse(reply.raw_body, status_code=reply.status,
                                     media_type="application/json")
        if reply.status != 200:
            return JSONResponse({"error": {"message": f"scripted error {reply.status}",
                                           "type": "server_error", "code": None}},
                                status_code=reply.status)
        model = body.get("model", "test-model")
        content = reply.content or ""
        if body.get("stream"):
            async def events() -> Any:
                yield _chunk(model, {"role": "assistant", "content": ""}, None)
                for i in range(0, len(content), reply.chunk_size):
                    yield _chunk(model, {"content": content[i:i + reply.chunk_size]}, None)
                yield _chunk(model, {}, "stop")
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")
        if body.get("tools"):
            name = body["tools"][0]["function"]["name"]
            message = {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_test", "type": "function",
                 "function": {"name": name, "arguments": content}}]}
            return _completion(model, message, "tool_calls")
        return _completion(model, {"role": "assistant", "content": content}, "stop")

    return app


class LoopbackServer(ThreadedServer):
    """Run the scripted app with uvicorn in a thread on a free 127.0.0.1 port."""

    def __init__(self) -> None:
        """Prepare the server (call :meth:`start`)."""
        self.state = ServerState()
        super().__init__(create_app(self.state), "the loopback OpenAI server")
