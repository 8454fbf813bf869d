"""Tables of executive interviews and of the feedback collected after launch.

- ``interviews``: one row per executive interview. ``owner`` is the user who started it
  (an executive interviewing themselves, or a programme lead taking notes);
  ``executive`` is who is interviewed, ``executive_key`` their person key when the
  programme knows them. ``state`` holds where the interview stands (theme, question,
  probes used, the pending question) as JSON; ``record`` the structured record once
  the interview is done. ``version`` grows with every answer, so that two concurrent
  answers to the same question cannot both be taken.
- ``interview_turns``: the transcript, one row per question, probe, answer or closing
  word, numbered by ``position`` within the interview. Answers are untrusted text,
  stored as written (hidden characters removed); ``flags`` lists the injection markers
  found in them.
- ``feedback``: what users say about the programme after launch, with the theme rules
  gave it. ``text`` is untrusted.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kambot.store.schema import Base, JsonDict


class InterviewRow(Base):
    """One executive interview."""

    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner: Mapped[str] = mapped_column(sa.String(200), index=True)
    executive: Mapped[str] = mapped_column(sa.String(200))
    executive_key: Mapped[str | None] = mapped_column(sa.String(200), index=True)
    lang: Mapped[str] = mapped_column(sa.String(2))
    status: Mapped[str] = mapped_column(sa.String(16))
    guide_version: Mapped[str] = mapped_column(sa.String(40))
    state: Mapped[JsonDict] = mapped_column(server_default="{}")
    record: Mapped[JsonDict | None]
    version: Mapped[int] = mapped_column(server_default="0")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class InterviewTurnRow(Base):
    """One line of an interview's transcript."""

    __tablename__ = "interview_turns"
    __table_args__ = (sa.UniqueConstraint("interview_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        sa.ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    speaker: Mapped[str] = mapped_column(sa.String(16))
    kind: Mapped[str] = mapped_column(sa.String(16))
    theme: Mapped[str | None] = mapped_column(sa.String(60))
    question_id: Mapped[str | None] = mapped_column(sa.String(60))
    text: Mapped[str] = mapped_column(sa.Text())
    generated: Mapped[bool] = mapped_column(server_default=sa.false())
    flags: Mapped[list[str]] = mapped_column(server_default="[]")
    created_at: Mapped[datetime]


class FeedbackRow(Base):
    """A piece of feedback or a concern about the programme."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    author: Mapped[str] = mapped_column(sa.String(200))
    role: Mapped[str] = mapped_column(sa.String(16))
    text: Mapped[str] = mapped_column(sa.Text())
    lang: Mapped[str] = mapped_column(sa.String(2))
    theme: Mapped[str] = mapped_column(sa.String(60), index=True)
    scores: Mapped[JsonDict] = mapped_column(server_default="{}")
    flags: Mapped[list[str]] = mapped_column(server_default="[]")
    created_at: Mapped[datetime] = mapped_column(index=True)


interviews = cast(sa.Table, InterviewRow.__table__)
interview_turns = cast(sa.Table, InterviewTurnRow.__table__)
feedback = cast(sa.Table, FeedbackRow.__table__)
INTERVIEW_TABLES: tuple[sa.Table, ...] = (interviews, interview_turns, feedback)
