"""Initial schema: programme, people, accounts and their data, imports, audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_SNAPSHOT_SOURCES = (
    "people",
    "accounts",
    "contacts",
    "opportunities",
    "invoice_lines",
    "account_revenue",
    "activities",
    "initiatives",
)


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _timestamp(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)


def _account_id() -> sa.Column[int]:
    return sa.Column("account_id", sa.Integer(), nullable=False)


def _account_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["account_id"],
        ["accounts.id"],
        name=op.f(f"fk_{table}_account_id_accounts"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    """Create every table of kambot 0.1."""
    op.create_table(
        "programme",
        _id(),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("company", sa.String(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("capacity", sa.JSON(), server_default="{}", nullable=False),
        sa.Column("settings", sa.JSON(), server_default="{}", nullable=False),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_programme")),
    )
    op.create_table(
        "objectives",
        _id(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("cause", sa.String(), nullable=False),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("measure", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objectives")),
    )
    op.create_table(
        "strategic_segments",
        _id(),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("industries", sa.JSON(), nullable=False),
        sa.Column("value_proposition_fit", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_strategic_segments")),
        sa.UniqueConstraint("key", name=op.f("uq_strategic_segments_key")),
    )
    op.create_table(
        "criteria",
        _id(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("label", sa.String(), nullable=True),
        sa.Column("axis", sa.String(), nullable=False),
        sa.Column("weight", sa.Double(), nullable=False),
        sa.Column("normalisation", sa.String(), nullable=False),
        sa.Column("scale_lo", sa.Double(), nullable=True),
        sa.Column("scale_hi", sa.Double(), nullable=True),
        sa.Column("higher_is_better", sa.Boolean(), nullable=False),
        sa.Column("missing", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criteria")),
    )
    op.create_table(
        "tier_rules",
        _id(),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(), nullable=False),
        sa.Column("scope", sa.String(), nullable=True),
        sa.Column("key_account", sa.Boolean(), nullable=True),
        sa.Column("quadrants", sa.JSON(), nullable=True),
        sa.Column("min_revenue_ttm", sa.Double(), nullable=True),
        sa.Column("min_potential", sa.Double(), nullable=True),
        sa.Column("label", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_rules")),
    )
    op.create_table(
        "people",
        _id(),
        sa.Column("key", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("industries", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("max_accounts", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("key", name=op.f("uq_people_key")),
    )
    op.create_table(
        "accounts",
        _id(),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("industry", sa.String(), nullable=True),
        sa.Column("segment", sa.String(), nullable=True),
        sa.Column("country", sa.String(), nullable=True),
        sa.Column("business_unit", sa.String(), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column("annual_revenue", sa.Double(), nullable=True),
        sa.Column("margin_pct", sa.Double(), nullable=True),
        sa.Column("potential", sa.Double(), nullable=True),
        sa.Column("potential_source", sa.String(), server_default="unknown", nullable=False),
        sa.Column("potential_method", sa.Text(), nullable=True),
        sa.Column("products", sa.JSON(), server_default="[]", nullable=False),
        sa.Column("relationship_stage", sa.Integer(), nullable=True),
        sa.Column("satisfaction", sa.Double(), nullable=True),
        sa.Column("owner_kam_id", sa.Integer(), nullable=True),
        sa.Column("sponsor_id", sa.Integer(), nullable=True),
        sa.Column("is_key_account", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("selected_on", sa.Date(), nullable=True),
        sa.Column("plan_validated_on", sa.Date(), nullable=True),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["owner_kam_id"],
            ["people.id"],
            name=op.f("fk_accounts_owner_kam_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["accounts.id"],
            name=op.f("fk_accounts_parent_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["sponsor_id"],
            ["people.id"],
            name=op.f("fk_accounts_sponsor_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("external_id", name=op.f("uq_accounts_external_id")),
    )
    op.create_index(op.f("ix_accounts_owner_kam_id"), "accounts", ["owner_kam_id"])
    op.create_index(op.f("ix_accounts_parent_id"), "accounts", ["parent_id"])
    op.create_index(op.f("ix_accounts_sponsor_id"), "accounts", ["sponsor_id"])

    op.create_table(
        "contacts",
        _id(),
        sa.Column("external_id", sa.String(), nullable=False),
        _account_id(),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=True),
        sa.Column("role", sa.String(), server_default="other", nullable=False),
        sa.Column("level", sa.String(), server_default="staff", nullable=False),
        sa.Column("email", sa.String(), nullable=True),
        sa.Column("last_contact", sa.Date(), nullable=True),
        _account_fk("contacts"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("external_id", name=op.f("uq_contacts_external_id")),
    )
    op.create_index(op.f("ix_contacts_account_id"), "contacts", ["account_id"])

    op.create_table(
        "opportunities",
        _id(),
        sa.Column("external_id", sa.String(), nullable=False),
        _account_id(),
        sa.Column("name", sa.String(), nullable=True),
        sa.Column("product", sa.String(), nullable=True),
        sa.Column("stage", sa.String(), server_default="open", nullable=False),
        sa.Column("crm_stage", sa.String(), nullable=True),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("probability", sa.Double(), nullable=True),
        sa.Column("created_on", sa.Date(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("owner", sa.String(), nullable=True),
        _account_fk("opportunities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opportunities")),
        sa.UniqueConstraint("external_id", name=op.f("uq_opportunities_external_id")),
    )
    op.create_index("ix_opportunities_account_id_stage", "opportunities", ["account_id", "stage"])

    op.create_table(
        "invoice_lines",
        _id(),
        sa.Column("external_id", sa.String(), nullable=False),
        sa.Column("invoice", sa.String(), nullable=False),
        _account_id(),
        sa.Column("invoiced_on", sa.Date(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("product", sa.String(), nullable=True),
        sa.Column("quantity", sa.Double(), server_default="0", nullable=False),
        sa.Column("amount", sa.Double(), nullable=False),
        sa.Column("cancelled", sa.Boolean(), server_default=sa.false(), nullable=False),
        _account_fk("invoice_lines"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
        sa.UniqueConstraint("external_id", name=op.f("uq_invoice_lines_external_id")),
    )
    op.create_index("ix_invoice_lines_account_id_month", "invoice_lines", ["account_id", "month"])

    op.create_table(
        "account_revenue",
        _account_id(),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Double(), nullable=False),
        _account_fk("account_revenue"),
        sa.PrimaryKeyConstraint("account_id", "month", name=op.f("pk_account_revenue")),
    )

    op.create_table(
        "activities",
        _id(),
        sa.Column("external_id", sa.String(), nullable=False),
        _account_id(),
        sa.Column("kind", sa.String(), server_default="note", nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("resolved_on", sa.Date(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("author", sa.String(), nullable=True),
        sa.Column("flagged_injection", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("flags", sa.Text(), nullable=True),
        _account_fk("activities"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint("external_id", name=op.f("uq_activities_external_id")),
    )
    op.create_index(
        "ix_activities_account_id_occurred_on", "activities", ["account_id", "occurred_on"]
    )

    op.create_table(
        "initiatives",
        _id(),
        sa.Column("external_id", sa.String(), nullable=False),
        _account_id(),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("status", sa.String(), server_default="proposed", nullable=False),
        sa.Column("expected_value", sa.Double(), nullable=True),
        sa.Column("profit_centre", sa.String(), nullable=True),
        sa.Column("resources_requested", sa.Double(), nullable=True),
        sa.Column("resources_committed", sa.Double(), nullable=True),
        sa.Column("decided_on", sa.Date(), nullable=True),
        _account_fk("initiatives"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiatives")),
        sa.UniqueConstraint("external_id", name=op.f("uq_initiatives_external_id")),
    )
    op.create_index(op.f("ix_initiatives_account_id"), "initiatives", ["account_id"])

    op.create_table(
        "import_runs",
        _id(),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_name", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("rows_accepted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_rejected", sa.Integer(), server_default="0", nullable=False),
        sa.Column("dry_run", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("report", sa.JSON(), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    op.create_index(op.f("ix_import_runs_sha256"), "import_runs", ["sha256"])

    op.create_table(
        "audit_log",
        _id(),
        _timestamp("at"),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("object", sa.String(), nullable=False),
        sa.Column("details", sa.JSON(), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index(op.f("ix_audit_log_at"), "audit_log", ["at"])
    op.create_index(op.f("ix_audit_log_object"), "audit_log", ["object"])

    op.create_table(
        "portfolio_snapshot",
        _id(),
        sa.Column("format", sa.Integer(), nullable=False),
        _timestamp("built_at"),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portfolio_snapshot")),
    )
    if op.get_bind().dialect.name == "sqlite":
        # Any change to a source table drops the derived snapshot (same transaction).
        for table in _SNAPSHOT_SOURCES:
            for event in ("INSERT", "UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER trg_{table}_{event.lower()}_snapshot "
                    f"AFTER {event} ON {table} WHEN EXISTS (SELECT 1 FROM portfolio_snapshot) "
                    "BEGIN DELETE FROM portfolio_snapshot; END"
                )


def downgrade() -> None:
    """Drop every table (all data is lost)."""
    if op.get_bind().dialect.name == "sqlite":
        for table in _SNAPSHOT_SOURCES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_{event}_snapshot")
    for table in (
        "audit_log",
        "import_runs",
        "initiatives",
        "activities",
        "account_revenue",
        "invoice_lines",
        "opportunities",
        "contacts",
        "accounts",
        "people",
        "tier_rules",
        "criteria",
        "strategic_segments",
        "objectives",
        "programme",
        "portfolio_snapshot",
    ):
        op.drop_table(table)
