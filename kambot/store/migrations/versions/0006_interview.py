"""Executive interviews, their transcripts, and feedback collected after launch.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the interviews, interview_turns and feedback tables."""
    op.create_table(
        "interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("executive", sa.String(200), nullable=False),
        sa.Column("executive_key", sa.String(200), nullable=True),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("guide_version", sa.String(40), nullable=False),
        sa.Column("state", sa.JSON(), server_default="{}", nullable=False),
        sa.Column("record", sa.JSON(), nullable=True),
        sa.Column("version", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_interviews_owner", "interviews", ["owner"])
    op.create_index("ix_interviews_executive_key", "interviews", ["executive_key"])
    op.create_table(
        "interview_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("theme", sa.String(60), nullable=True),
        sa.Column("question_id", sa.String(60), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("generated", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("flags", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(["interview_id"], ["interviews.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("interview_id", "position"),
    )
    op.create_index("ix_interview_turns_interview_id", "interview_turns", ["interview_id"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(2), nullable=False),
        sa.Column("theme", sa.String(60), nullable=False),
        sa.Column("scores", sa.JSON(), server_default="{}", nullable=False),
        sa.Column("flags", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_feedback_theme", "feedback", ["theme"])
    op.create_index("ix_feedback_created_at", "feedback", ["created_at"])


def downgrade() -> None:
    """Drop the interview and feedback tables."""
    op.drop_index("ix_feedback_created_at", table_name="feedback")
    op.drop_index("ix_feedback_theme", table_name="feedback")
    op.drop_table("feedback")
    op.drop_index("ix_interview_turns_interview_id", table_name="interview_turns")
    op.drop_table("interview_turns")
    op.drop_index("ix_interviews_executive_key", table_name="interviews")
    op.drop_index("ix_interviews_owner", table_name="interviews")
    op.drop_table("interviews")
