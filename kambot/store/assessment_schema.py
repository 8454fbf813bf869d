"""Tables of the people assessment: candidates, append-only runs, human decisions.

- ``candidates``: one row per person assessed, known by an external HR reference (never
  a name); ``last_contact`` drives the retention purge; an erased person keeps a
  tombstone row (``erased``) with the reference replaced, so that the erasure itself is
  on record without any personal data.
- ``assessment_runs``: one row per assessment, never updated (a trigger refuses UPDATE);
  rows go only when the person is erased or the retention period is over. They hold the
  input fingerprint, rubric and prompt versions, model, evidence (quotes), scores and
  flags as JSON. The CV text itself is not stored.
- ``assessment_decisions``: the reviewer's confirmation or override (with its reason);
  a new decision is a new row, the latest one counts.

The migration that creates these tables must also create the append-only trigger:
:data:`RUNS_APPEND_ONLY_SQLITE` / :data:`RUNS_APPEND_ONLY_POSTGRESQL`.
"""

from __future__ import annotations

from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kambot.store.schema import Base, JsonDict


class CandidateRow(Base):
    """A person assessed, by HR reference."""

    __tablename__ = "candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_ref: Mapped[str] = mapped_column(unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    last_contact: Mapped[datetime | None] = mapped_column(index=True)
    erased: Mapped[bool] = mapped_column(server_default=sa.false())
    erased_at: Mapped[datetime | None]


class AssessmentRunRow(Base):
    """One assessment run, append-only."""

    __tablename__ = "assessment_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(index=True)
    input_sha256: Mapped[str] = mapped_column(sa.String(64))
    rubric_version: Mapped[str]
    prompt_version: Mapped[str]
    model: Mapped[str]
    lang: Mapped[str] = mapped_column(sa.String(2))
    target: Mapped[JsonDict]
    evidence: Mapped[JsonDict]
    scores: Mapped[JsonDict]
    flags: Mapped[JsonDict]


class AssessmentDecisionRow(Base):
    """A human decision on a run: confirmed, or overridden with a reason."""

    __tablename__ = "assessment_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        sa.ForeignKey("assessment_runs.id", ondelete="CASCADE"), index=True
    )
    reviewer: Mapped[str]
    decision: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.Text())
    levels: Mapped[JsonDict] = mapped_column(server_default="{}")
    at: Mapped[datetime]


CANDIDATES = cast(sa.Table, CandidateRow.__table__)
ASSESSMENT_RUNS = cast(sa.Table, AssessmentRunRow.__table__)
ASSESSMENT_DECISIONS = cast(sa.Table, AssessmentDecisionRow.__table__)
ASSESSMENT_TABLES: tuple[sa.Table, ...] = (CANDIDATES, ASSESSMENT_RUNS, ASSESSMENT_DECISIONS)

RUNS_APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS assessment_runs_append_only BEFORE UPDATE ON "
    "assessment_runs BEGIN SELECT RAISE(ABORT, 'assessment_runs is append-only'); END"
)
RUNS_APPEND_ONLY_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION assessment_runs_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'assessment_runs is append-only'; END; $$ LANGUAGE plpgsql; "
    "DROP TRIGGER IF EXISTS assessment_runs_append_only ON assessment_runs; "
    "CREATE TRIGGER assessment_runs_append_only BEFORE UPDATE ON assessment_runs "
    "FOR EACH ROW EXECUTE FUNCTION assessment_runs_append_only()"
)

sa.event.listen(
    ASSESSMENT_RUNS,
    "after_create",
    sa.DDL(RUNS_APPEND_ONLY_SQLITE).execute_if(dialect="sqlite"),  # type: ignore[no-untyped-call]
)
sa.event.listen(
    ASSESSMENT_RUNS,
    "after_create",
    sa.DDL(RUNS_APPEND_ONLY_POSTGRESQL).execute_if(  # type: ignore[no-untyped-call]
        dialect="postgresql"),
)
