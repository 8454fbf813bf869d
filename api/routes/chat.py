"""Chat sessions: create, list, read, and post messages (JSON or Server-Sent Events).

Every route runs for the authenticated principal and reaches only their own sessions;
another user's session answers 404 like an unknown one. The assistant's tools run with
the principal's permissions (see :mod:`kambot.assistant.chat.tools`).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from api.deps import PrincipalDep, get_service
from api.stored_answers import stored_answer
from kambot.assistant.chat.models import ChatSessionSummary, ChatSessionView, Lang, Mode
from kambot.assistant.chat.service import MAX_MESSAGE_CHARS, ChatReply

if TYPE_CHECKING:
    from collections.abc import Iterator

    from fastapi import FastAPI

    from kambot.assistant.chat.models import ChatEvent
    from kambot.assistant.chat.service import ChatService
    from kambot.retrieval.index import SearchIndex

router = APIRouter(prefix="/chat", tags=["chat"])
SessionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="a chat session's id")]
_lock = threading.Lock()
_index_lock = threading.Lock()


class SessionCreate(BaseModel):
    """A new conversation."""

    model_config = ConfigDict(extra="forbid")

    lang: Lang | None = None


class SessionCreated(BaseModel):
    """The conversation just created."""

    id: int
    lang: Lang
    mode: Mode
    created_at: datetime


class MessageIn(BaseModel):
    """A user message."""

    model_config = ConfigDict(extra="forbid")

    content: str = Field(min_length=1, max_length=MAX_MESSAGE_CHARS)
    lang: Lang | None = Field(default=None, description="answer this message in this language")
    confirm: bool = Field(default=False, description="confirm the stored change the "
                          "assistant asked about (or apply a change without asking)")


def search_index(app: FastAPI) -> SearchIndex:
    """Return the app's search index, shared with POST /ask (opened on first use)."""
    with _index_lock:
        index: SearchIndex | None = getattr(app.state, "search_index", None)
        if index is None:
            from kambot.retrieval.index import open_index

            service = getattr(app.state, "service", None)
            engine = service.engine if service is not None else None
            index = open_index(app.state.settings, engine)
            app.state.search_index = index
        return index


def chat_service(request: Request) -> ChatService:
    """Return the app's chat service (one per app, sharing the portfolio service)."""
    app = request.app
    with _lock:
        chat: ChatService | None = getattr(app.state, "chat_service", None)
        if chat is None:
            from kambot.assistant.chat.service import ChatService

            service = get_service(request)
            chat = ChatService(app.state.settings, service.engine, service=service,
                               index=lambda: search_index(app))
            app.state.chat_service = chat
        return chat


@router.post("/sessions", response_model=SessionCreated, status_code=201)
def create_session(body: SessionCreate, request: Request, principal: PrincipalDep
                   ) -> SessionCreated:
    """Start a conversation (in `lang`, else the server's default language)."""
    session = chat_service(request).create_session(principal, body.lang)
    return SessionCreated(id=session.id, lang=session.lang, mode=session.mode,
                          created_at=session.created_at)


@stored_answer
@router.get("/sessions", response_model=list[ChatSessionSummary])
def list_sessions(request: Request, principal: PrincipalDep) -> list[ChatSessionSummary]:
    """List your own conversations, most recent first."""
    return chat_service(request).list_sessions(principal)


@stored_answer
@router.get("/sessions/{session_id}", response_model=ChatSessionView)
def get_session(session_id: SessionId, request: Request, principal: PrincipalDep) -> Response:
    """Return one of your conversations with every message (404 for anyone else's)."""
    # Written straight from the stored JSON: a 200-turn session holds hundreds of
    # messages and citations, and building then validating a model for each of them
    # costs more than the query.
    body = chat_service(request).history_json(principal, session_id)
    return Response(body, media_type="application/json")


SSE_BATCH = 64


def _sse_batches(events: Iterator[ChatEvent]) -> Iterator[str]:
    """Yield the events' SSE lines, several events per write.

    Events come as soon as the turn is computed; writing them one by one would cost a
    thread hop each (a drafted document is hundreds of token events).
    """
    batch: list[str] = []
    for event in events:
        batch.append(event.sse())
        if len(batch) >= SSE_BATCH or event.event in ("done", "error"):
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


_SSE_DOC: dict[int | str, dict[str, Any]] = {200: {
    "description": "The assistant's message (JSON), or with `Accept: text/event-stream` "
                   "Server-Sent Events: `token` {text} (many), `citation` Citation, "
                   "`confirm` {action, summary}, `done` {message_id, tool, lang, citations}, "
                   "`error` {error, message, hint}.",
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
}}


@router.post("/sessions/{session_id}/messages", response_model=ChatReply, responses=_SSE_DOC)
def post_message(session_id: SessionId, body: MessageIn, request: Request,
                 principal: PrincipalDep) -> Any:
    """Send a message; the answer comes as JSON, or streamed with Server-Sent Events."""
    chat = chat_service(request)
    if "text/event-stream" in request.headers.get("accept", ""):
        events = chat.turn(principal, session_id, body.content, lang=body.lang,
                           confirm=body.confirm)
        return StreamingResponse(_sse_batches(events), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache",
                                          "X-Accel-Buffering": "no"})
    return chat.reply(principal, session_id, body.content, lang=body.lang,
                      confirm=body.confirm)
