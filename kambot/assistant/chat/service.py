"""The conversation use case: sessions, turns, history.

A turn reads the user's message, settles the language (asked for, detected, or the
session's), handles a pending confirmation or an interview in progress, chooses a
tool (the configured model through tool calling, else the rule-based router), runs it
with the principal's permissions, stores the turn, and yields the events the API
streams: ``token`` (many), ``citation``, ``confirm`` (a stored change waits for the
user's yes), ``done`` or ``error``.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from kambot.assistant.chat import store
from kambot.assistant.chat.lang import detect_language, fold, is_no, is_yes
from kambot.assistant.chat.models import (
    ChatEvent,
    ChatSession,
    ChatSessionSummary,
    ChatSessionView,
    Citation,
    Lang,
    Mode,
    PendingAction,
)
from kambot.assistant.chat.router import CLARIFY, DocumentRef, Person, RouteContext, route
from kambot.assistant.chat.scope import AccountDirectory, owner_key
from kambot.assistant.chat.texts import t
from kambot.assistant.chat.tools import (
    KEEP,
    TOOLS,
    Refusal,
    ToolContext,
    ToolResult,
    clarify_result,
    run_tool,
    save_pending,
)
from kambot.config import Settings
from kambot.domain.identity import Principal
from kambot.errors import DataError, KambotError, LimitExceededError, ModelError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.assistant.chat.model_router import ToolCallingRouter
    from kambot.assistant.portfolio import PortfolioService
    from kambot.llm.base import Writer
    from kambot.retrieval.index import SearchIndex

MAX_MESSAGE_CHARS = 8000
TOKEN_WORDS = 4
_PAUSE = frozenset(fold(p) for p in (
    "pause", "stop", "pause the interview", "pause interview", "let's pause", "lets pause",
    "let's stop here", "stop here", "stop the interview", "later", "quit", "exit",
    "continue later", "on fait une pause", "faisons une pause", "pause l'entretien",
    "mettre en pause", "mets en pause", "arrêtons là", "arrêtons-nous là", "on arrête là",
    "on reprendra plus tard", "plus tard", "stop l'entretien", "suspendre l'entretien"))
_POLITE = re.compile(r"(?i)\b(please|s'il (?:te|vous) pla[iî]t|stp|svp|merci|thanks)\b")
_HELP = frozenset({"help", "aide", "?"})


class ChatReply(BaseModel):
    """The assistant's answer to one message (the JSON form of a turn)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    role: str = "assistant"
    content: str
    tool: str | None
    citations: list[Citation] = Field(default_factory=list)
    lang: Lang
    confirm: dict[str, str] | None = None
    mode: Mode = "chat"
    router: str = "rules"


@dataclass
class _Outcome:
    """A finished turn: what to show and what was stored."""

    message_id: int
    result: ToolResult
    lang: Lang
    mode: Mode
    router: str
    notes: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join([self.result.text, *self.notes])

    def events(self) -> Iterator[ChatEvent]:
        words = re.findall(r"\S+\s*", self.text)
        for start in range(0, len(words), TOKEN_WORDS):
            yield ChatEvent(event="token",
                            data={"text": "".join(words[start:start + TOKEN_WORDS])})
        for citation in self.result.citations:
            yield ChatEvent(event="citation", data=citation.model_dump())
        if self.result.pending is not None:
            yield ChatEvent(event="confirm", data={"action": self.result.pending.action,
                                                   "summary": self.result.pending.summary})
        yield ChatEvent(event="done", data={
            "message_id": self.message_id, "tool": self.result.tool, "lang": self.lang,
            "citations": [c.model_dump() for c in self.result.citations],
            "mode": self.mode, "router": self.router})

    def reply(self) -> ChatReply:
        pending = self.result.pending
        return ChatReply(id=self.message_id, content=self.text, tool=self.result.tool,
                         citations=self.result.citations, lang=self.lang,
                         confirm=({"action": pending.action, "summary": pending.summary}
                                  if pending else None),
                         mode=self.mode, router=self.router)


_NO_ROUTER: Any = object()


class ChatService:
    """Conversations over one database, run with each user's permissions."""

    def __init__(self, settings: Settings, engine: Engine, writer: Writer | None = None, *,
                 service: PortfolioService | None = None,
                 index: Callable[[], SearchIndex] | None = None,
                 router: ToolCallingRouter | None = None) -> None:
        """Serve conversations on ``engine``.

        Args:
            settings: the settings (language, model, knowledge folder, history length).
            engine: the database (migrated).
            writer: the document writer; from the settings when None.
            service: the portfolio service to share (one is made on ``engine`` if None).
            index: returns the search index to share (opened on first use if None).
            router: a tool-calling model router; from the settings when None (only when
                ``llm_provider`` is ``openai``).
        """
        from kambot.assistant.portfolio import PortfolioService

        self.settings = settings
        self.engine = engine
        self.writer = writer
        self.service = service if service is not None else PortfolioService(settings, engine)
        self._index_provider = index
        self._index: SearchIndex | None = None
        self._router: Any = router if router is not None else _NO_ROUTER
        self._interviews: Any = None
        self._lock = threading.Lock()

    # -- shared collaborators ----------------------------------------------------------

    def search_index(self) -> SearchIndex:
        """Return the search index (opened, and rebuilt when stale, on first use)."""
        if self._index_provider is not None:
            return self._index_provider()
        with self._lock:
            if self._index is None:
                from kambot.retrieval.index import open_index

                self._index = open_index(self.settings, self.engine)
            return self._index

    def model_router(self) -> ToolCallingRouter | None:
        """Return the tool-calling router when a model is configured, else None."""
        with self._lock:
            if self._router is _NO_ROUTER:
                if self.settings.llm_provider == "openai":
                    from kambot.assistant.chat.model_router import ToolCallingRouter

                    self._router = ToolCallingRouter.from_settings(self.settings)
                else:
                    self._router = None
            router: ToolCallingRouter | None = self._router
            return router

    def _interview_service(self) -> Any:
        with self._lock:
            if self._interviews is None:
                from kambot.assistant.interview import InterviewService

                self._interviews = InterviewService(self.settings, self.engine, self.writer)
            return self._interviews

    # -- sessions ------------------------------------------------------------------------

    def create_session(self, principal: Principal, lang: Lang | None = None) -> ChatSession:
        """Start a conversation for ``principal`` (in ``lang``, else the settings')."""
        return store.create_session(self.engine, owner_key(principal), principal.username,
                                    lang or self.settings.lang)

    def list_sessions(self, principal: Principal) -> list[ChatSessionSummary]:
        """List the principal's own conversations, most recent first."""
        return store.list_sessions(self.engine, owner_key(principal))

    def history(self, principal: Principal, session_id: int) -> ChatSessionView:
        """Return one of the principal's conversations with every message.

        Raises:
            NotFoundError: unknown session, or another user's (same answer).
        """
        return store.session_view(self.engine, owner_key(principal), session_id)

    def history_json(self, principal: Principal, session_id: int) -> str:
        """Return :meth:`history` as JSON text, built without a model per message.

        Raises:
            NotFoundError: unknown session, or another user's (same answer).
        """
        return store.session_view_json(self.engine, owner_key(principal), session_id)

    # -- turns ---------------------------------------------------------------------------

    def _check(self, principal: Principal, session_id: int, text: str) -> ChatSession:
        if not text or not text.strip():
            raise DataError("the message is empty", hint="write something")
        if len(text) > MAX_MESSAGE_CHARS:
            raise LimitExceededError(
                f"the message has {len(text)} characters, more than {MAX_MESSAGE_CHARS}",
                hint="split it into shorter messages")
        return store.load_session(self.engine, owner_key(principal), session_id)

    def turn(self, principal: Principal, session_id: int, text: str, *,
             lang: Lang | None = None, confirm: bool = False) -> Iterator[ChatEvent]:
        """Answer one message; return the events to stream.

        The session and the message are checked at once (before the first event);
        failures of the use cases later become an ``error`` event.

        Raises:
            NotFoundError: unknown session, or another user's.
            DataError: empty message. LimitExceededError: message too long.
        """
        session = self._check(principal, session_id, text)
        return self._stream(principal, session, text, lang, confirm)

    def _stream(self, principal: Principal, session: ChatSession, text: str,
                lang: Lang | None, confirm: bool) -> Iterator[ChatEvent]:
        try:
            outcome = self._execute(principal, session, text, lang, confirm)
        except KambotError as exc:
            yield ChatEvent(event="error", data={"error": exc.code, "message": exc.message,
                                                 "hint": exc.hint})
            return
        yield from outcome.events()

    def reply(self, principal: Principal, session_id: int, text: str, *,
              lang: Lang | None = None, confirm: bool = False) -> ChatReply:
        """Answer one message and return the whole answer (no streaming).

        Raises:
            NotFoundError: unknown session, or another user's.
            KambotError: any failure of the use case.
        """
        session = self._check(principal, session_id, text)
        return self._execute(principal, session, text, lang, confirm).reply()

    # -- the turn itself -------------------------------------------------------------------

    def _turn_language(self, session: ChatSession, text: str, lang: Lang | None
                       ) -> tuple[Lang, Lang]:
        """Return (this answer's language, the session's language afterwards)."""
        if lang is not None:
            return lang, session.lang
        if session.context.get("lang_locked"):
            return session.lang, session.lang
        detected = detect_language(text)
        if detected is None:
            return session.lang, session.lang
        return detected, detected

    def _directory(self, ctx: ToolContext) -> AccountDirectory:
        try:
            return ctx.directory()
        except DataError:
            return AccountDirectory([])

    def _people(self, ctx: ToolContext) -> list[Person]:
        try:
            programme = ctx.analysis().programme
        except DataError:
            return []
        return [Person(p.key, p.name) for p in programme.people if p.role == "executive"]

    def _execute(self, principal: Principal, session: ChatSession, text: str,
                 lang: Lang | None, confirm: bool) -> _Outcome:
        answer_lang, session_lang = self._turn_language(session, text, lang)
        ctx = ToolContext(
            settings=self.settings, engine=self.engine, service=self.service,
            principal=principal, lang=answer_lang, context=dict(session.context),
            pending=session.pending, confirmed=confirm, writer=self.writer,
            index=self.search_index, interview_id=session.interview_id,
            interviews=self._interview_service)
        notes: list[str] = []
        router_name = "rules"
        try:
            result, router_name, route_lang = self._decide(ctx, session, text, notes)
        except KambotError as exc:
            self._record(principal, session, text, ToolResult(
                text=t("error_tool", answer_lang, message=exc.message), tool="error"),
                answer_lang, session_lang)
            raise
        if route_lang is not None:
            answer_lang = route_lang
        if result.session_lang is not None:
            answer_lang = session_lang = result.session_lang
        message_id, mode = self._record(principal, session, text, result, answer_lang,
                                        session_lang, notes)
        return _Outcome(message_id=message_id, result=result, lang=answer_lang, mode=mode,
                        router=router_name, notes=notes)

    def _decide(self, ctx: ToolContext, session: ChatSession, text: str, notes: list[str]
                ) -> tuple[ToolResult, str, Lang | None]:
        """Return the turn's result, who chose the tool, and a language asked for."""
        pending = session.pending
        if pending is not None and (ctx.confirmed or is_yes(text)):
            return self._confirm(ctx, pending), "confirmation", None
        if pending is not None and is_no(text):
            return ToolResult(text=t("dropped", ctx.lang), tool="cancel",
                              clear_pending=True), "confirmation", None
        if pending is None and (is_yes(text) or is_no(text)):
            return ToolResult(text=t("clarify_nothing_pending", ctx.lang),
                              tool=CLARIFY), "confirmation", None
        if session.mode == "interview" and session.interview_id is not None:
            return self._interview_turn(ctx, text), "interview", None
        router = self.model_router()
        if router is not None:
            choice = self._model_choice(router, ctx, session, text, notes)
            if choice is not None:
                return run_tool(ctx, choice[0], choice[1]), "model", None
        decision = route(text, self._route_context(ctx, session))
        route_lang = decision.lang
        if route_lang is not None:
            ctx.lang = route_lang
        if decision.tool == CLARIFY:
            return clarify_result(ctx, decision.reason, decision.options,
                                  decision.args.get("account")), "rules", route_lang
        return run_tool(ctx, decision.tool, decision.args), "rules", route_lang

    def _confirm(self, ctx: ToolContext, pending: PendingAction) -> ToolResult:
        try:
            return save_pending(ctx, pending)
        except Refusal as refusal:
            refusal.result.clear_pending = True
            return refusal.result

    def _interview_turn(self, ctx: ToolContext, text: str) -> ToolResult:
        short = fold(_POLITE.sub(" ", text)).strip(" .!?…")
        short = re.sub(r"\s+", " ", short)
        if short in _PAUSE:
            return run_tool(ctx, "interview_pause", {})
        if short in _HELP:
            return run_tool(ctx, "help", {})
        return run_tool(ctx, "interview_answer", {"text": text})

    def _model_choice(self, router: ToolCallingRouter, ctx: ToolContext,
                      session: ChatSession, text: str, notes: list[str]
                      ) -> tuple[str, dict[str, Any]] | None:
        history = store.recent_messages(self.engine, session.id,
                                        2 * self.settings.chat_history_turns)
        try:
            choice = router.choose(ctx.principal, text, history, ctx.lang,
                                   self._context_summary(ctx, session))
        except ModelError:
            notes.append(t("model_fallback", ctx.lang))
            return None
        if choice is None or choice.tool not in TOOLS:
            return None
        return choice.tool, choice.args

    def _context_summary(self, ctx: ToolContext, session: ChatSession) -> str:
        parts: list[str] = []
        account = ctx.context.get("account")
        if account:
            entry = self._directory(ctx).get(str(account))
            if entry is not None:
                parts.append(f"account {entry.label()}")
        key = ctx.context.get("document_key")
        if key:
            parts.append(f"document {key}")
        if session.pending is not None:
            parts.append("an unsaved draft waits for the user's confirmation")
        return "; ".join(parts) or "nothing yet"

    def _route_context(self, ctx: ToolContext, session: ChatSession) -> RouteContext:
        document: DocumentRef | None = None
        key: str | None = None
        if session.pending is not None and session.pending.action == "save_document":
            payload = session.pending.payload.get("document", {})
            document = DocumentRef(kind=payload.get("kind"),
                                   account=payload.get("account_external_id"))
        elif ctx.context.get("document_key"):
            key = str(ctx.context["document_key"])
            kind, _, rest = key.partition("/")
            account = rest.split("/", 1)[0]
            if kind in TOOLS_KINDS:
                document = DocumentRef(kind=kind,  # type: ignore[arg-type]
                                       account=None if account == "programme" else account)
        last_tool = ctx.context.get("last_tool")
        return RouteContext(directory=self._directory(ctx), people=self._people(ctx),
                            account=ctx.context.get("account"), document=document,
                            last_tool=str(last_tool) if last_tool else None)

    def _record(self, principal: Principal, session: ChatSession, text: str,
                result: ToolResult, lang: Lang, session_lang: Lang,
                notes: list[str] | None = None) -> tuple[int, Mode]:
        context = dict(session.context)
        for key, value in result.context.items():
            if value is None:
                context.pop(key, None)
            else:
                context[key] = value
        if result.lock_lang:
            context["lang_locked"] = True
        if result.tool and result.tool not in (CLARIFY, "help", "denied", "error"):
            context["last_tool"] = result.tool
        pending = session.pending
        if result.pending is not None:
            pending = result.pending
        elif result.clear_pending:
            pending = None
        mode: Mode = session.mode if result.mode is KEEP else result.mode
        interview_id = session.interview_id if result.interview_id is KEEP \
            else result.interview_id
        untrusted = result.tool in ("interview_answer", "give_feedback")
        body = "\n\n".join([result.text, *(notes or [])])
        messages = [
            store.NewMessage(role="user", content=text, lang=lang,
                             tool=result.tool if untrusted else None),
            store.NewMessage(role="assistant", content=body, lang=lang, tool=result.tool,
                             citations=tuple(result.citations)),
        ]
        change = store.SessionChange(
            title=session.title or store.title_from(text), lang=session_lang, mode=mode,
            interview_id=interview_id, pending=pending, context=context)
        ids = store.record_turn(self.engine, owner_key(principal), session.id, messages,
                                change)
        return ids[-1], mode


TOOLS_KINDS = frozenset({"account_strategy", "executive_summary", "ceb", "sponsorship_plan",
                         "programme_review"})

