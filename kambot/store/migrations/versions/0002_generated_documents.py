"""Generated documents: versions of strategies, briefs, plans and review packs.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the generated_documents table."""
    op.create_table(
        "generated_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("doc_key", sa.String(400), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("account_external_id", sa.String(200), nullable=True),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("parent_version", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("writer", sa.String(200), nullable=False),
        sa.Column("fallback_used", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("guard_passed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("input_fingerprint", sa.String(64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("doc_key", "version"),
    )
    op.create_index("ix_generated_documents_doc_key", "generated_documents", ["doc_key"])
    op.create_index(
        "ix_generated_documents_kind_account", "generated_documents",
        ["kind", "account_external_id"],
    )


def downgrade() -> None:
    """Drop the generated_documents table."""
    op.drop_index("ix_generated_documents_kind_account", table_name="generated_documents")
    op.drop_index("ix_generated_documents_doc_key", table_name="generated_documents")
    op.drop_table("generated_documents")
