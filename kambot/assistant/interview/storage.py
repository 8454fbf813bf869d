"""Read and write interviews and their transcripts in the database.

Each answer is one write transaction: the answer, the interviewer's next line, the new
state and, at the end, the record. ``version`` is checked on the way in (optimistic
locking), so two clients answering the same question at once cannot both win; the
loser gets a :class:`~kambot.errors.DataError` and can reload the interview.
SQLAlchemy is imported inside the functions, so importing the use case stays light.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from kambot.errors import DataError, NotFoundError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


@dataclass(frozen=True)
class StoredTurn:
    """One line of a stored transcript."""

    position: int
    speaker: str
    kind: str
    theme: str | None
    question_id: str | None
    text: str
    generated: bool = False
    flags: tuple[str, ...] = ()
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class StoredInterview:
    """An interview row and its transcript."""

    id: int
    owner: str
    executive: str
    executive_key: str | None
    lang: str
    status: str
    guide_version: str
    state: dict[str, Any]
    record: dict[str, Any] | None
    version: int
    created_at: datetime
    updated_at: datetime
    turns: tuple[StoredTurn, ...] = ()

    @property
    def next_position(self) -> int:
        """Return the position the next transcript line gets."""
        return self.turns[-1].position + 1 if self.turns else 0


def now() -> datetime:
    """Return the current time, timezone-aware (UTC)."""
    return datetime.now(UTC)


def _aware(value: datetime) -> datetime:
    # SQLite gives naive datetimes back; they were written in UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _turn_values(interview_id: int, turn: StoredTurn) -> dict[str, Any]:
    return {"interview_id": interview_id, "position": turn.position, "speaker": turn.speaker,
            "kind": turn.kind, "theme": turn.theme, "question_id": turn.question_id,
            "text": turn.text, "generated": turn.generated, "flags": list(turn.flags),
            "created_at": turn.created_at}


def create_interview(
    engine: Engine,
    *,
    owner: str,
    executive: str,
    executive_key: str | None,
    lang: str,
    guide_version: str,
    state: dict[str, Any],
    first: StoredTurn,
) -> int:
    """Store a new interview with its first question; return its id."""
    import sqlalchemy as sa

    from kambot.store.db import transaction
    from kambot.store.interview_schema import interview_turns, interviews

    at = now()
    with transaction(engine, write=True) as conn:
        new_id = conn.execute(sa.insert(interviews).values(
            owner=owner, executive=executive, executive_key=executive_key, lang=lang,
            status="active", guide_version=guide_version, state=state, record=None,
            version=0, created_at=at, updated_at=at).returning(interviews.c.id)).scalar_one()
        conn.execute(sa.insert(interview_turns).values(_turn_values(int(new_id), first)))
    return int(new_id)


def load_interview(engine: Engine, interview_id: int) -> StoredInterview:
    """Return an interview and its transcript.

    Raises:
        NotFoundError: no interview has this id.
    """
    import sqlalchemy as sa

    from kambot.store.db import transaction
    from kambot.store.interview_schema import interview_turns, interviews

    with transaction(engine) as conn:
        row = conn.execute(sa.select(interviews).where(interviews.c.id == interview_id)).first()
        if row is None:
            raise NotFoundError(f"no interview {interview_id}",
                                hint="list the interviews you can see with GET /interviews")
        turns = conn.execute(sa.select(interview_turns)
                             .where(interview_turns.c.interview_id == interview_id)
                             .order_by(interview_turns.c.position)).all()
    return StoredInterview(
        id=row.id, owner=row.owner, executive=row.executive, executive_key=row.executive_key,
        lang=row.lang, status=row.status, guide_version=row.guide_version,
        state=dict(row.state or {}), record=dict(row.record) if row.record else None,
        version=row.version, created_at=_aware(row.created_at),
        updated_at=_aware(row.updated_at),
        turns=tuple(StoredTurn(position=t.position, speaker=t.speaker, kind=t.kind,
                               theme=t.theme, question_id=t.question_id, text=t.text,
                               generated=bool(t.generated), flags=tuple(t.flags or ()),
                               created_at=_aware(t.created_at)) for t in turns),
    )


def save_step(
    engine: Engine,
    interview: StoredInterview,
    *,
    turns: Sequence[StoredTurn] = (),
    state: dict[str, Any] | None = None,
    status: str | None = None,
    record: dict[str, Any] | None = None,
) -> None:
    """Append transcript lines and update the interview, if nobody changed it meanwhile.

    Raises:
        DataError: the interview changed since it was read (a concurrent answer).
    """
    import sqlalchemy as sa

    from kambot.store.db import transaction
    from kambot.store.interview_schema import interview_turns, interviews

    values: dict[str, Any] = {"version": interview.version + 1, "updated_at": now()}
    if state is not None:
        values["state"] = state
    if status is not None:
        values["status"] = status
    if record is not None:
        values["record"] = record
    with transaction(engine, write=True) as conn:
        updated = conn.execute(sa.update(interviews)
                               .where(interviews.c.id == interview.id,
                                      interviews.c.version == interview.version)
                               .values(**values)).rowcount
        if updated != 1:
            raise DataError(f"interview {interview.id} changed while this answer was processed",
                            hint="reload the interview and answer its current question")
        if turns:
            conn.execute(sa.insert(interview_turns),
                         [_turn_values(interview.id, t) for t in turns])


def list_rows(engine: Engine, *, visible_to: str | None = None,
              status: str | None = None) -> list[StoredInterview]:
    """Return interviews without transcripts, newest first.

    Args:
        engine: the engine.
        visible_to: only interviews this user owns or is the executive of.
        status: only interviews with this status.
    """
    import sqlalchemy as sa

    from kambot.store.db import transaction
    from kambot.store.interview_schema import interviews

    stmt = sa.select(interviews).order_by(interviews.c.updated_at.desc(), interviews.c.id.desc())
    if visible_to is not None:
        stmt = stmt.where(sa.or_(interviews.c.owner == visible_to,
                                 interviews.c.executive_key == visible_to))
    if status is not None:
        stmt = stmt.where(interviews.c.status == status)
    with transaction(engine) as conn:
        rows = conn.execute(stmt).all()
    return [StoredInterview(
        id=r.id, owner=r.owner, executive=r.executive, executive_key=r.executive_key,
        lang=r.lang, status=r.status, guide_version=r.guide_version, state=dict(r.state or {}),
        record=dict(r.record) if r.record else None, version=r.version,
        created_at=_aware(r.created_at), updated_at=_aware(r.updated_at)) for r in rows]
