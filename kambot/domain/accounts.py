"""Account data as kambot sees it: accounts, contacts, opportunities, revenue, activities,
strategic initiatives. Pydantic models used at boundaries (importers, API, documents).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class PotentialSource(StrEnum):
    """Where an account's potential figure comes from."""

    ENTERED = "entered"  # typed by a KAM or taken from a CRM field
    ESTIMATED = "estimated"  # computed by a stated method (see potential_method)
    UNKNOWN = "unknown"


class BuyingRole(StrEnum):
    """Role of a contact in the customer's buying centre."""

    ECONOMIC_BUYER = "economic_buyer"
    DECISION_MAKER = "decision_maker"
    CHAMPION = "champion"
    INFLUENCER = "influencer"
    DETRACTOR = "detractor"
    USER = "user"
    OTHER = "other"


class ExecutiveLevel(StrEnum):
    """Seniority of a contact."""

    C_LEVEL = "c_level"  # CEO, CFO, COO...
    VP = "vp"
    DIRECTOR = "director"
    MANAGER = "manager"
    STAFF = "staff"


class OpportunityStage(StrEnum):
    """Simplified opportunity state; CRM stages are mapped onto it."""

    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ActivityKind(StrEnum):
    """Kind of recorded activity."""

    MEETING = "meeting"
    EXECUTIVE_MEETING = "executive_meeting"
    SPONSOR_MEETING = "sponsor_meeting"
    CALL = "call"
    NOTE = "note"
    ESCALATION = "escalation"


class InitiativeStatus(StrEnum):
    """Life cycle of a strategic initiative."""

    PROPOSED = "proposed"
    VALIDATED = "validated"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Account(_Model):
    """A customer account (a legal entity or a group)."""

    id: int | None = None
    external_id: str = Field(min_length=1, max_length=200)
    name: str = Field(min_length=1, max_length=300)
    parent_external_id: str | None = None
    industry: str | None = None
    segment: str | None = None
    country: str | None = None
    business_unit: str | None = None
    employees: int | None = Field(default=None, ge=0)
    annual_revenue: float | None = Field(default=None, ge=0, description="customer's own turnover")
    margin_pct: float | None = Field(default=None, ge=-100, le=100, description="our margin")
    potential: float | None = Field(
        default=None, ge=0, description="total spend available to any supplier over 3 years"
    )
    potential_source: PotentialSource = PotentialSource.UNKNOWN
    potential_method: str | None = None
    products: list[str] = Field(default_factory=list)
    relationship_stage: int | None = Field(default=None, ge=1, le=5)
    satisfaction: float | None = Field(default=None, ge=0, le=10)
    owner_kam: str | None = None
    sponsor: str | None = None
    is_key_account: bool = False
    selected_on: date | None = None
    plan_validated_on: date | None = None


class Contact(_Model):
    """A person at a customer account."""

    external_id: str = Field(min_length=1)
    account_external_id: str = Field(min_length=1)
    name: str
    title: str | None = None
    role: BuyingRole = BuyingRole.OTHER
    level: ExecutiveLevel = ExecutiveLevel.STAFF
    email: str | None = None
    last_contact: date | None = None


class Opportunity(_Model):
    """A sales opportunity."""

    external_id: str = Field(min_length=1)
    account_external_id: str = Field(min_length=1)
    name: str | None = None
    product: str | None = None
    stage: OpportunityStage = OpportunityStage.OPEN
    crm_stage: str | None = None
    value: float | None = Field(default=None, ge=0)
    probability: float | None = Field(default=None, ge=0, le=1)
    created_on: date | None = None
    closed_on: date | None = None
    owner: str | None = None


class InvoiceLine(_Model):
    """One invoice line (transaction) from an ERP export."""

    external_id: str = Field(min_length=1)
    invoice: str
    account_external_id: str = Field(min_length=1)
    invoiced_on: date
    product: str | None = None
    quantity: float = 0.0
    amount: float
    cancelled: bool = False


class Activity(_Model):
    """A meeting, note or escalation. ``text`` is untrusted free text."""

    external_id: str = Field(min_length=1)
    account_external_id: str = Field(min_length=1)
    kind: ActivityKind = ActivityKind.NOTE
    occurred_on: date
    resolved_on: date | None = None
    subject: str | None = None
    text: str | None = None
    author: str | None = None


class Initiative(_Model):
    """A strategic initiative proposed for an account."""

    external_id: str = Field(min_length=1)
    account_external_id: str = Field(min_length=1)
    title: str
    status: InitiativeStatus = InitiativeStatus.PROPOSED
    expected_value: float | None = Field(default=None, ge=0)
    profit_centre: str | None = None
    resources_requested: float | None = Field(default=None, ge=0)
    resources_committed: float | None = Field(default=None, ge=0)
    decided_on: date | None = None
