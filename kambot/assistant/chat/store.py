"""Read and write chat sessions and messages (tables of :mod:`kambot.store.chat_schema`).

Every read filters on the session's owner, so that a session of another user answers
exactly like a session that does not exist. A turn is written in one transaction
(the user's message, the assistant's answer and the session's new state).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from kambot.assistant.chat.models import (
    ChatMessage,
    ChatSession,
    ChatSessionSummary,
    ChatSessionView,
    Citation,
    Lang,
    PendingAction,
)
from kambot.errors import NotFoundError, StoreError

if TYPE_CHECKING:
    from pydantic import TypeAdapter
    from sqlalchemy.engine import Engine

TITLE_CHARS = 60


def _utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns: they were UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _not_found(session_id: int) -> NotFoundError:
    return NotFoundError(f"no chat session {session_id}",
                         hint="list your sessions, or create a new one")


def _tables() -> Any:
    from kambot.store import chat_schema

    return chat_schema


def _check(engine: Engine) -> None:
    import sqlalchemy as sa

    if not sa.inspect(engine).has_table("chat_sessions"):
        raise StoreError("the database has no chat tables yet",
                         hint="upgrade the database schema (kambot init runs the migrations)")


def _session(row: Any) -> ChatSession:
    return ChatSession(
        id=row.id, username=row.username, title=row.title, lang=row.lang, mode=row.mode,
        interview_id=row.interview_id,
        pending=PendingAction.model_validate(row.pending) if row.pending else None,
        context=dict(row.context or {}), created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at))


def create_session(engine: Engine, owner: str, username: str, lang: Lang) -> ChatSession:
    """Create an empty session for ``owner`` and return it.

    Raises:
        StoreError: the chat tables are missing.
    """
    import sqlalchemy as sa

    from kambot.store.db import transaction

    tables = _tables()
    now = datetime.now(UTC)
    try:
        with transaction(engine, write=True) as conn:
            result = conn.execute(sa.insert(tables.chat_sessions).values(
                owner=owner, username=username, title=None, lang=lang, mode="chat",
                interview_id=None, pending=None, context={}, created_at=now, updated_at=now))
            key = result.inserted_primary_key
            assert key is not None
            new_id = int(key[0])
    except sa.exc.OperationalError as exc:
        _check(engine)
        raise StoreError(f"could not create a chat session: {exc.orig}",
                         hint="retry; another process may be writing") from exc
    return ChatSession(id=new_id, username=username, lang=lang, created_at=now, updated_at=now)


def load_session(engine: Engine, owner: str, session_id: int) -> ChatSession:
    """Return one session of ``owner`` (without its messages).

    Raises:
        NotFoundError: no such session, or it belongs to someone else.
    """
    import sqlalchemy as sa

    s = _tables().chat_sessions
    with engine.connect() as conn:
        row = conn.execute(sa.select(s).where(s.c.id == session_id, s.c.owner == owner)).first()
    if row is None:
        raise _not_found(session_id)
    return _session(row)


def list_sessions(engine: Engine, owner: str, limit: int = 200) -> list[ChatSessionSummary]:
    """List ``owner``'s sessions, most recently used first."""
    import sqlalchemy as sa

    s = _tables().chat_sessions
    stmt = (sa.select(s.c.id, s.c.title, s.c.lang, s.c.updated_at).where(s.c.owner == owner)
            .order_by(s.c.updated_at.desc(), s.c.id.desc()).limit(limit))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [ChatSessionSummary(id=r.id, title=r.title, lang=r.lang,
                               updated_at=_utc(r.updated_at)) for r in rows]


@lru_cache(maxsize=1)
def _adapter() -> TypeAdapter[list[ChatMessage]]:
    from pydantic import TypeAdapter

    return TypeAdapter(list[ChatMessage])


def _messages(rows: Any) -> list[ChatMessage]:
    """Build messages from rows, validated in one call (pydantic-core, not a Python loop)."""
    return _adapter().validate_python([
        {"id": r.id, "role": r.role, "content": r.content, "tool": r.tool,
         "citations": r.citations or [], "lang": r.lang, "created_at": _utc(r.created_at)}
        for r in rows])


def session_view(engine: Engine, owner: str, session_id: int) -> ChatSessionView:
    """Return a session of ``owner`` with its whole history.

    Two queries: the session row (which checks the owner), then every message in one
    range scan of the ``(session_id, id)`` index.

    Raises:
        NotFoundError: no such session, or it belongs to someone else.
    """
    import sqlalchemy as sa

    tables = _tables()
    s, m = tables.chat_sessions, tables.chat_messages
    with engine.connect() as conn:
        head = conn.execute(sa.select(s).where(s.c.id == session_id, s.c.owner == owner)).first()
        if head is None:
            raise _not_found(session_id)
        rows = conn.execute(sa.select(m.c.id, m.c.role, m.c.content, m.c.tool, m.c.citations,
                                      m.c.lang, m.c.created_at)
                            .where(m.c.session_id == session_id).order_by(m.c.id)).all()
    session = _session(head)
    return ChatSessionView(
        id=session.id, title=session.title, lang=session.lang, mode=session.mode,
        interview_id=session.interview_id, pending=session.pending,
        created_at=session.created_at, updated_at=session.updated_at,
        messages=_messages(rows))


def _iso(value: datetime) -> str:
    # The form pydantic writes, so that both ways of reading a session agree.
    return _utc(value).isoformat().replace("+00:00", "Z")


def session_view_json(engine: Engine, owner: str, session_id: int) -> str:
    """Return :func:`session_view` as JSON text, without building a model per citation.

    The stored JSON of the citations and of the pending change is copied as written
    (kambot wrote it, validated), so that a long history costs a few string joins and
    leaves next to nothing for the garbage collector.

    Raises:
        NotFoundError: no such session, or it belongs to someone else.
    """
    import json

    import sqlalchemy as sa

    tables = _tables()
    s, m = tables.chat_sessions, tables.chat_messages
    dumps = json.dumps
    with engine.connect() as conn:
        head = conn.execute(
            sa.select(s.c.id, s.c.title, s.c.lang, s.c.mode, s.c.interview_id,
                      sa.cast(s.c.pending, sa.Text).label("pending"), s.c.created_at,
                      s.c.updated_at).where(s.c.id == session_id, s.c.owner == owner)).first()
        if head is None:
            raise _not_found(session_id)
        rows = conn.execute(sa.select(m.c.id, m.c.role, m.c.content, m.c.tool,
                                      sa.cast(m.c.citations, sa.Text).label("citations"),
                                      m.c.lang, m.c.created_at)
                            .where(m.c.session_id == session_id).order_by(m.c.id)).all()
    messages = ",".join(
        f'{{"id":{r.id},"role":{dumps(r.role)},"content":{dumps(r.content, ensure_ascii=False)},'
        f'"tool":{dumps(r.tool)},"citations":{r.citations or "[]"},"lang":{dumps(r.lang)},'
        f'"created_at":"{_iso(r.created_at)}"}}' for r in rows)
    pending = head.pending if head.pending not in (None, "null") else "null"
    return (f'{{"id":{head.id},"title":{dumps(head.title, ensure_ascii=False)},'
            f'"lang":{dumps(head.lang)},"mode":{dumps(head.mode)},'
            f'"interview_id":{dumps(head.interview_id)},"pending":{pending},'
            f'"created_at":"{_iso(head.created_at)}","updated_at":"{_iso(head.updated_at)}",'
            f'"messages":[{messages}]}}')


def recent_messages(engine: Engine, session_id: int, limit: int) -> list[ChatMessage]:
    """Return the last ``limit`` messages of a session, oldest first."""
    import sqlalchemy as sa

    m = _tables().chat_messages
    stmt = (sa.select(m).where(m.c.session_id == session_id).order_by(m.c.id.desc())
            .limit(limit))
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return _messages(reversed(rows))


@dataclass
class NewMessage:
    """A message to append."""

    role: str
    content: str
    lang: Lang
    tool: str | None = None
    citations: tuple[Citation, ...] = ()


@dataclass
class SessionChange:
    """The session's state after a turn (every field is written)."""

    title: str | None
    lang: Lang
    mode: str
    interview_id: int | None
    pending: PendingAction | None
    context: dict[str, Any]


def record_turn(engine: Engine, owner: str, session_id: int, messages: list[NewMessage],
                change: SessionChange) -> list[int]:
    """Append the turn's messages and update the session, in one transaction.

    Returns:
        The new messages' ids, in order.

    Raises:
        NotFoundError: the session is gone or belongs to someone else.
    """
    import sqlalchemy as sa

    from kambot.store.db import transaction

    tables = _tables()
    s, m = tables.chat_sessions, tables.chat_messages
    now = datetime.now(UTC)
    ids: list[int] = []
    with transaction(engine, write=True) as conn:
        updated = conn.execute(
            sa.update(s).where(s.c.id == session_id, s.c.owner == owner).values(
                title=change.title, lang=change.lang, mode=change.mode,
                interview_id=change.interview_id,
                pending=change.pending.model_dump(mode="json") if change.pending else None,
                context=change.context, updated_at=now))
        if updated.rowcount == 0:
            raise _not_found(session_id)
        if messages:
            rows = [{"session_id": session_id, "role": message.role,
                     "content": message.content, "tool": message.tool, "lang": message.lang,
                     "created_at": now,
                     "citations": [c.model_dump(mode="json") for c in message.citations]}
                    for message in messages]
            result = conn.execute(sa.insert(m).returning(m.c.id, sort_by_parameter_order=True),
                                  rows)
            ids = [int(r[0]) for r in result]
    return ids


def title_from(text: str) -> str:
    """Return a session title from its first message (one line, at most 60 characters)."""
    line = " ".join(text.split())
    if len(line) <= TITLE_CHARS:
        return line
    return line[: TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
