"""People assessment: candidates, append-only runs, human decisions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)

_APPEND_ONLY_SQLITE = (
    "CREATE TRIGGER IF NOT EXISTS assessment_runs_append_only BEFORE UPDATE ON "
    "assessment_runs BEGIN SELECT RAISE(ABORT, 'assessment_runs is append-only'); END"
)
_APPEND_ONLY_POSTGRESQL = (
    "CREATE OR REPLACE FUNCTION assessment_runs_append_only() RETURNS trigger AS $$ "
    "BEGIN RAISE EXCEPTION 'assessment_runs is append-only'; END; $$ LANGUAGE plpgsql; "
    "DROP TRIGGER IF EXISTS assessment_runs_append_only ON assessment_runs; "
    "CREATE TRIGGER assessment_runs_append_only BEFORE UPDATE ON assessment_runs "
    "FOR EACH ROW EXECUTE FUNCTION assessment_runs_append_only()"
)


def upgrade() -> None:
    """Create the three tables and the append-only trigger on runs."""
    op.create_table(
        "candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("external_ref", sa.String(), nullable=False),
        sa.Column("created_at", _TS, server_default=sa.func.now(), nullable=False),
        sa.Column("last_contact", _TS, nullable=True),
        sa.Column("erased", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("erased_at", _TS, nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_ref"),
    )
    op.create_index("ix_candidates_last_contact", "candidates", ["last_contact"])
    op.create_table(
        "assessment_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("input_sha256", sa.String(64), nullable=False),
        sa.Column("rubric_version", sa.String(), nullable=False),
        sa.Column("prompt_version", sa.String(), nullable=False),
        sa.Column("model", sa.String(), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("target", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidates.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assessment_runs_candidate_id", "assessment_runs", ["candidate_id"])
    op.create_index("ix_assessment_runs_created_at", "assessment_runs", ["created_at"])
    op.create_table(
        "assessment_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("reviewer", sa.String(), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("levels", sa.JSON(), server_default="{}", nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["assessment_runs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_assessment_decisions_run_id", "assessment_decisions", ["run_id"])
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute(_APPEND_ONLY_SQLITE)
    elif dialect == "postgresql":
        op.execute(_APPEND_ONLY_POSTGRESQL)


def downgrade() -> None:
    """Drop the assessment tables (and with them the trigger)."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS assessment_runs_append_only() CASCADE")
    op.drop_table("assessment_decisions")
    op.drop_table("assessment_runs")
    op.drop_table("candidates")
