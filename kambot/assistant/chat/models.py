"""What the conversation use cases return: sessions, messages, citations, events.

These are the shapes the API, the CLI, the OpenAI-compatible endpoint and the MCP
server show; the tables behind them are in :mod:`kambot.store.chat_schema`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Lang = Literal["fr", "en"]
Mode = Literal["chat", "interview"]
CitationKind = Literal["methodology", "fact", "document", "note"]
EventName = Literal["token", "citation", "confirm", "done", "error"]
Role = Literal["user", "assistant"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Citation(_Model):
    """A source an answer rests on; ``GET /sources?id=`` opens it.

    Attributes:
        id: a methodology chunk id (``en/segmentation#less-is-more``), an account
            passage (``account-82/activity-1#text`` or ``note:ACT-1``), a fact id
            (``acct:C10175/kpi:share_of_wallet``) or a document section
            (``doc:12#initiatives``).
        kind: methodology, fact, document or note (notes are untrusted text).
        label: a short title to show.
        snippet: the beginning of the text.
    """

    id: str
    kind: CitationKind
    label: str
    snippet: str = ""


class PendingAction(_Model):
    """A stored change the assistant prepared and waits for the user to confirm.

    Attributes:
        action: what will happen (``save_document``).
        summary: one sentence saying what will be stored.
        tool: the tool that prepared it.
        payload: what the action needs (the unsaved document as JSON).
    """

    action: Literal["save_document"]
    summary: str
    tool: str
    payload: dict[str, Any] = Field(default_factory=dict)


class ChatSession(_Model):
    """A conversation (without its messages)."""

    id: int
    username: str
    title: str | None = None
    lang: Lang
    mode: Mode = "chat"
    interview_id: int | None = None
    pending: PendingAction | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime
    updated_at: datetime


class ChatSessionSummary(_Model):
    """A conversation as listings show it."""

    id: int
    title: str | None
    lang: Lang
    updated_at: datetime


class ChatMessage(_Model):
    """One message of a conversation."""

    id: int
    role: Role
    content: str
    tool: str | None = None
    citations: list[Citation] = Field(default_factory=list)
    lang: Lang
    created_at: datetime


class ChatSessionView(_Model):
    """A conversation with its whole history."""

    id: int
    title: str | None
    lang: Lang
    mode: Mode
    interview_id: int | None = None
    pending: PendingAction | None = None
    created_at: datetime
    updated_at: datetime
    messages: list[ChatMessage]


class ChatEvent(_Model):
    """One event of a chat turn, as Server-Sent Events carry it.

    ``token``: ``{"text"}`` (many); ``citation``: a :class:`Citation`; ``confirm``:
    ``{"action", "summary"}``; ``done``: ``{"message_id", "tool", "lang",
    "citations", "mode", "router"}``; ``error``: ``{"error", "message", "hint"}``.
    """

    event: EventName
    data: dict[str, Any]

    def sse(self) -> str:
        """Return the event as Server-Sent Events lines (``event:``, ``data:``, blank)."""
        return f"event: {self.event}\ndata: {json.dumps(self.data, ensure_ascii=False)}\n\n"
