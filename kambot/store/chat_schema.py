"""Tables of the conversations: chat sessions and their messages.

- ``chat_sessions``: one row per conversation. ``owner`` identifies the user it belongs
  to (``user:<id>`` for a stored user, ``name:<username>`` for a principal without a
  user id, such as the local CLI operator); every read filters on it, so that a user
  never reaches another's session. ``mode`` is ``chat`` or ``interview`` (then
  ``interview_id`` is the interview being conducted). ``pending`` holds the stored
  change awaiting the user's confirmation (an unsaved draft or revision) as JSON;
  ``context`` what the conversation is about (last account, current document,
  language lock).
- ``chat_messages``: the history, one row per user or assistant message, in ``id``
  order. The index on ``(session_id, id)`` makes loading a whole session one range
  scan.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kambot.store.schema import Base, JsonDict


class ChatSessionRow(Base):
    """One conversation of one user."""

    __tablename__ = "chat_sessions"
    __table_args__ = (sa.Index("ix_chat_sessions_owner_updated", "owner", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(sa.String(200))
    username: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str | None] = mapped_column(sa.String(200))
    lang: Mapped[str] = mapped_column(sa.String(2))
    mode: Mapped[str] = mapped_column(sa.String(20), server_default="chat")
    interview_id: Mapped[int | None]
    pending: Mapped[JsonDict | None]
    context: Mapped[JsonDict] = mapped_column(server_default="{}")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ChatMessageRow(Base):
    """One message of a conversation."""

    __tablename__ = "chat_messages"
    __table_args__ = (sa.Index("ix_chat_messages_session_id_id", "session_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("chat_sessions.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(sa.String(16))
    content: Mapped[str] = mapped_column(sa.Text())
    tool: Mapped[str | None] = mapped_column(sa.String(60))
    citations: Mapped[list[JsonDict]] = mapped_column(sa.JSON(), server_default="[]")
    lang: Mapped[str] = mapped_column(sa.String(2))
    created_at: Mapped[datetime]


chat_sessions = cast(sa.Table, ChatSessionRow.__table__)
chat_messages = cast(sa.Table, ChatMessageRow.__table__)
