"""The conversation: chat sessions, tools over the use cases, routing, citations.

Public interface (used by the API, the CLI, the OpenAI-compatible endpoint and the MCP
server):

- :class:`ChatService` (``create_session``, ``list_sessions``, ``history``, ``turn``
  yielding :class:`ChatEvent`, ``reply`` returning :class:`ChatReply`);
- :func:`open_source` (the text behind a citation id, within the principal's scope);
- the models :class:`ChatSession`, :class:`ChatSessionSummary`,
  :class:`ChatSessionView`, :class:`ChatMessage`, :class:`Citation`,
  :class:`ChatEvent`, :class:`PendingAction`, :class:`SourceView`;
- :func:`detect_language`, :func:`route` (the rule-based router) and :data:`TOOLS`.

Nothing heavy is imported here: SQLAlchemy, LangChain and the search index load when
first used.
"""

from kambot.assistant.chat.lang import detect_language, requested_language
from kambot.assistant.chat.models import (
    ChatEvent,
    ChatMessage,
    ChatSession,
    ChatSessionSummary,
    ChatSessionView,
    Citation,
    PendingAction,
)
from kambot.assistant.chat.router import Route, RouteContext, route
from kambot.assistant.chat.service import ChatReply, ChatService
from kambot.assistant.chat.sources import SourceView, open_source
from kambot.assistant.chat.tools import TOOLS, ToolSpec, tools_for

__all__ = [
    "TOOLS",
    "ChatEvent",
    "ChatMessage",
    "ChatReply",
    "ChatService",
    "ChatSession",
    "ChatSessionSummary",
    "ChatSessionView",
    "Citation",
    "PendingAction",
    "Route",
    "RouteContext",
    "SourceView",
    "ToolSpec",
    "detect_language",
    "open_source",
    "requested_language",
    "route",
    "tools_for",
]
