"""Database schema: SQLAlchemy 2 declarative tables, portable to SQLite and PostgreSQL.

Conventions:
- Enumerations are stored as their string values (``StrEnum.value``), never as database
  enums, so that adding a value needs no migration.
- Money and other measures are ``Double`` (8-byte floats on both databases).
- Dates are ``Date``; ``invoice_lines.month`` repeats ``invoiced_on`` as
  ``year * 12 + month - 1`` so that the revenue roll-up is plain, portable SQL.
- Every foreign key used in reads has an index; constraint names follow
  :data:`NAMING_CONVENTION` so that Alembic can alter them (SQLite batch mode included).

Changing anything here needs a new migration in ``kambot/store/migrations/versions``;
``tests/store/test_migrations.py`` fails when the two disagree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

JsonDict = dict[str, Any]


class Base(DeclarativeBase):
    """Declarative base holding the shared metadata."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {  # noqa: RUF012 - SQLAlchemy reads this class attribute
        float: sa.Double(),
        str: sa.String(),
        JsonDict: sa.JSON(),
        list[str]: sa.JSON(),
        date: sa.Date(),
        datetime: sa.DateTime(timezone=True),
    }


def _account_fk() -> sa.ForeignKey:
    return sa.ForeignKey("accounts.id", ondelete="CASCADE")


def _person_fk() -> sa.ForeignKey:
    return sa.ForeignKey("people.id", ondelete="SET NULL")


# --- programme -----------------------------------------------------------------------


class ProgrammeRow(Base):
    """The programme definition: a single row (id 1).

    ``capacity`` holds :class:`kambot.domain.programme.Capacity` as JSON; ``settings``
    holds the programme's scalar targets (growth, share-of-wallet, escalation days...)
    so that a new scalar field needs no migration.
    """

    __tablename__ = "programme"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    company: Mapped[str | None]
    currency: Mapped[str] = mapped_column(sa.String(3))
    capacity: Mapped[JsonDict] = mapped_column(server_default="{}")
    settings: Mapped[JsonDict] = mapped_column(server_default="{}")
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())


class ObjectiveRow(Base):
    """A strategic objective of the programme."""

    __tablename__ = "objectives"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int]
    cause: Mapped[str]
    statement: Mapped[str] = mapped_column(sa.Text())
    measure: Mapped[str | None] = mapped_column(sa.Text())


class SegmentRow(Base):
    """A strategic segment (industries where the value proposition fits)."""

    __tablename__ = "strategic_segments"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(unique=True)
    position: Mapped[int]
    name: Mapped[str]
    industries: Mapped[list[str]]
    value_proposition_fit: Mapped[float]


class CriterionRow(Base):
    """A weighted criterion of the attractiveness x strength matrix."""

    __tablename__ = "criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int]
    key: Mapped[str]
    label: Mapped[str | None]
    axis: Mapped[str]
    weight: Mapped[float]
    normalisation: Mapped[str]
    scale_lo: Mapped[float | None]
    scale_hi: Mapped[float | None]
    higher_is_better: Mapped[bool]
    missing: Mapped[str]


class TierRuleRow(Base):
    """A service-tier rule; ``position`` is the order in which rules are tried."""

    __tablename__ = "tier_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int]
    tier: Mapped[str]
    scope: Mapped[str | None]
    key_account: Mapped[bool | None]
    quadrants: Mapped[list[str] | None]
    min_revenue_ttm: Mapped[float | None]
    min_potential: Mapped[float | None]
    label: Mapped[str | None]


class PersonRow(Base):
    """A KAM, an executive or another member of our company, keyed by ``key``."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    role: Mapped[str]
    title: Mapped[str | None]
    industries: Mapped[list[str]] = mapped_column(server_default="[]")
    max_accounts: Mapped[int | None]
    email: Mapped[str | None]


# --- accounts and their data ---------------------------------------------------------


class AccountRow(Base):
    """A customer account."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(unique=True)
    name: Mapped[str]
    parent_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    industry: Mapped[str | None]
    segment: Mapped[str | None]
    country: Mapped[str | None]
    business_unit: Mapped[str | None]
    employees: Mapped[int | None]
    annual_revenue: Mapped[float | None]
    margin_pct: Mapped[float | None]
    potential: Mapped[float | None]
    potential_source: Mapped[str] = mapped_column(server_default="unknown")
    potential_method: Mapped[str | None] = mapped_column(sa.Text())
    products: Mapped[list[str]] = mapped_column(server_default="[]")
    relationship_stage: Mapped[int | None]
    satisfaction: Mapped[float | None]
    owner_kam_id: Mapped[int | None] = mapped_column(_person_fk(), index=True)
    sponsor_id: Mapped[int | None] = mapped_column(_person_fk(), index=True)
    is_key_account: Mapped[bool] = mapped_column(server_default=sa.false())
    selected_on: Mapped[date | None]
    plan_validated_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())


class ContactRow(Base):
    """A person at a customer account."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(unique=True)
    account_id: Mapped[int] = mapped_column(_account_fk(), index=True)
    name: Mapped[str]
    title: Mapped[str | None]
    role: Mapped[str] = mapped_column(server_default="other")
    level: Mapped[str] = mapped_column(server_default="staff")
    email: Mapped[str | None]
    last_contact: Mapped[date | None]


class OpportunityRow(Base):
    """A sales opportunity."""

    __tablename__ = "opportunities"
    __table_args__ = (sa.Index("ix_opportunities_account_id_stage", "account_id", "stage"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(unique=True)
    account_id: Mapped[int] = mapped_column(_account_fk())
    name: Mapped[str | None]
    product: Mapped[str | None]
    stage: Mapped[str] = mapped_column(server_default="open")
    crm_stage: Mapped[str | None]
    value: Mapped[float | None]
    probability: Mapped[float | None]
    created_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    owner: Mapped[str | None]


class InvoiceLineRow(Base):
    """One invoice line. A cancellation is a line of its own with a negative amount."""

    __tablename__ = "invoice_lines"
    __table_args__ = (sa.Index("ix_invoice_lines_account_id_month", "account_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(unique=True)
    invoice: Mapped[str]
    account_id: Mapped[int] = mapped_column(_account_fk())
    invoiced_on: Mapped[date]
    month: Mapped[int]
    product: Mapped[str | None]
    quantity: Mapped[float] = mapped_column(server_default="0")
    amount: Mapped[float]
    cancelled: Mapped[bool] = mapped_column(server_default=sa.false())


class AccountRevenueRow(Base):
    """Revenue per account and month: the roll-up of ``invoice_lines``, never edited."""

    __tablename__ = "account_revenue"

    account_id: Mapped[int] = mapped_column(_account_fk(), primary_key=True)
    month: Mapped[int] = mapped_column(primary_key=True)
    amount: Mapped[float]


class ActivityRow(Base):
    """A meeting, call, note or escalation. ``text`` is untrusted free text."""

    __tablename__ = "activities"
    __table_args__ = (
        sa.Index("ix_activities_account_id_occurred_on", "account_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(unique=True)
    account_id: Mapped[int] = mapped_column(_account_fk())
    kind: Mapped[str] = mapped_column(server_default="note")
    occurred_on: Mapped[date]
    resolved_on: Mapped[date | None]
    subject: Mapped[str | None] = mapped_column(sa.Text())
    text: Mapped[str | None] = mapped_column(sa.Text())
    author: Mapped[str | None]
    flagged_injection: Mapped[bool] = mapped_column(server_default=sa.false())
    flags: Mapped[str | None] = mapped_column(sa.Text())


class InitiativeRow(Base):
    """A strategic initiative proposed for an account."""

    __tablename__ = "initiatives"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(unique=True)
    account_id: Mapped[int] = mapped_column(_account_fk(), index=True)
    title: Mapped[str] = mapped_column(sa.Text())
    status: Mapped[str] = mapped_column(server_default="proposed")
    expected_value: Mapped[float | None]
    profit_centre: Mapped[str | None]
    resources_requested: Mapped[float | None]
    resources_committed: Mapped[float | None]
    decided_on: Mapped[date | None]


# --- bookkeeping ---------------------------------------------------------------------


class ImportRunRow(Base):
    """One import attempt (dry runs included) and its report."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    source_name: Mapped[str]
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    kind: Mapped[str]
    rows_accepted: Mapped[int] = mapped_column(server_default="0")
    rows_rejected: Mapped[int] = mapped_column(server_default="0")
    dry_run: Mapped[bool] = mapped_column(server_default=sa.false())
    report: Mapped[JsonDict] = mapped_column(server_default="{}")


class AuditRow(Base):
    """An append-only audit entry: who did what to which object."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(server_default=sa.func.now(), index=True)
    actor: Mapped[str]
    action: Mapped[str]
    object: Mapped[str] = mapped_column(index=True)
    details: Mapped[JsonDict] = mapped_column(server_default="{}")


class PortfolioSnapshotRow(Base):
    """A derived cache of the portfolio frames (see ``kambot.store.portfolio``).

    On SQLite, triggers on every table in :data:`SNAPSHOT_SOURCES` empty this table in
    the same transaction as any change, so a stored snapshot always matches the data.
    """

    __tablename__ = "portfolio_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    format: Mapped[int]
    built_at: Mapped[datetime] = mapped_column(server_default=sa.func.now())
    payload: Mapped[bytes] = mapped_column(sa.LargeBinary())


#: Tables the portfolio frames are built from; a change to any of them drops the snapshot.
SNAPSHOT_SOURCES: tuple[str, ...] = (
    "people",
    "accounts",
    "contacts",
    "opportunities",
    "invoice_lines",
    "account_revenue",
    "activities",
    "initiatives",
)


def sqlite_snapshot_triggers(tables: tuple[str, ...] = SNAPSHOT_SOURCES) -> list[str]:
    """Return the SQLite DDL of the triggers that drop the portfolio snapshot.

    The ``WHEN EXISTS`` guard makes a trigger nearly free while no snapshot is stored
    (row-level triggers run once per written row during imports).
    """
    return [
        f"CREATE TRIGGER IF NOT EXISTS trg_{table}_{event.lower()}_snapshot "
        f"AFTER {event} ON {table} WHEN EXISTS (SELECT 1 FROM portfolio_snapshot) "
        "BEGIN DELETE FROM portfolio_snapshot; END"
        for table in tables
        for event in ("INSERT", "UPDATE", "DELETE")
    ]


@sa.event.listens_for(Base.metadata, "after_create")
def _create_snapshot_triggers(target: sa.MetaData, connection: sa.Connection, **_: Any) -> None:
    # Keeps metadata.create_all() equivalent to the migrations, which create them too.
    if connection.dialect.name == "sqlite":
        for ddl in sqlite_snapshot_triggers():
            connection.exec_driver_sql(ddl)


metadata = Base.metadata


def all_metadata() -> sa.MetaData:
    """Return the shared metadata with the tables of every ``kambot.store.*_schema`` module.

    Other parts of kambot declare their tables on :class:`Base` in modules of their own;
    migrations (autogenerate included) must see all of them.
    """
    import importlib
    import pkgutil

    from kambot import store

    for info in pkgutil.iter_modules(store.__path__):
        if info.name.endswith("_schema"):
            importlib.import_module(f"kambot.store.{info.name}")
    return metadata
