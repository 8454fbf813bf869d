"""Columnar inputs of the deterministic core.

The core works on numpy columns rather than on lists of objects so that a portfolio of
100,000 accounts and 1,000,000 opportunities is scored in well under two seconds. The
store builds these frames (``kambot.store.portfolio.load_portfolio``); tests build them
directly with :func:`PortfolioFrame.from_records`-style helpers.

Conventions:
- Every frame row that belongs to an account carries ``account_idx``: the position of that
  account in :class:`AccountFrame` (0..n-1), not its database id.
- Missing floats are ``nan``; missing dates are ``-1`` (dates are ``date.toordinal()``).
- Categorical columns are integer codes into a list of labels (``-1`` = missing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

NO_DATE = -1

# Integer codes used in the frames (order is part of the contract).
OPP_OPEN, OPP_WON, OPP_LOST = 0, 1, 2
ROLE_CODES = (
    "economic_buyer",
    "decision_maker",
    "champion",
    "influencer",
    "detractor",
    "user",
    "other",
)
LEVEL_CODES = ("c_level", "vp", "director", "manager", "staff")
ACTIVITY_CODES = (
    "meeting",
    "executive_meeting",
    "sponsor_meeting",
    "call",
    "note",
    "escalation",
)
INITIATIVE_CODES = ("proposed", "validated", "in_progress", "done", "dropped")


def _f(values: object) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _i(values: object) -> IntArray:
    return np.asarray(values, dtype=np.int64)


@dataclass(frozen=True)
class AccountFrame:
    """One row per account."""

    ids: IntArray  # database ids (stable across runs)
    external_ids: list[str]
    names: list[str]
    parent_idx: IntArray  # -1 when the account has no parent in the frame
    segment: IntArray  # code into ``segment_labels`` (-1 = none)
    segment_labels: list[str]
    industry: IntArray
    industry_labels: list[str]
    country: IntArray
    country_labels: list[str]
    business_unit: IntArray
    business_unit_labels: list[str]
    employees: FloatArray
    annual_revenue: FloatArray  # customer's own turnover
    margin_pct: FloatArray  # our margin on the account, percent
    potential: FloatArray  # 3-year spend available to any supplier
    relationship_stage: FloatArray  # 1..5
    satisfaction: FloatArray  # 0..10
    products_count: FloatArray  # number of our product lines bought
    kam: IntArray  # code into ``people_labels``
    sponsor: IntArray  # code into ``people_labels``
    people_labels: list[str]
    is_key_account: npt.NDArray[np.bool_]
    selected_on: IntArray  # ordinal or NO_DATE
    plan_validated_on: IntArray  # ordinal or NO_DATE

    def __len__(self) -> int:
        return int(self.ids.shape[0])


@dataclass(frozen=True)
class RevenueFrame:
    """Our revenue per account and month (transactions already rolled up)."""

    account_idx: IntArray
    month: IntArray  # year * 12 + (month - 1)
    amount: FloatArray


@dataclass(frozen=True)
class OpportunityFrame:
    """One row per opportunity."""

    account_idx: IntArray
    stage: IntArray  # OPP_OPEN / OPP_WON / OPP_LOST
    value: FloatArray  # nan when unknown
    probability: FloatArray  # 0..1, nan when unknown
    created_on: IntArray  # ordinal or NO_DATE
    closed_on: IntArray  # ordinal or NO_DATE


@dataclass(frozen=True)
class ContactFrame:
    """One row per customer contact."""

    account_idx: IntArray
    role: IntArray  # index into ROLE_CODES
    level: IntArray  # index into LEVEL_CODES
    last_contact: IntArray  # ordinal or NO_DATE


@dataclass(frozen=True)
class ActivityFrame:
    """One row per activity (meetings, escalations...)."""

    account_idx: IntArray
    kind: IntArray  # index into ACTIVITY_CODES
    occurred_on: IntArray
    resolved_on: IntArray  # ordinal or NO_DATE


@dataclass(frozen=True)
class InitiativeFrame:
    """One row per strategic initiative."""

    account_idx: IntArray
    status: IntArray  # index into INITIATIVE_CODES
    expected_value: FloatArray
    resources_requested: FloatArray
    resources_committed: FloatArray


def empty_revenue() -> RevenueFrame:
    """Return a revenue frame with no rows."""
    return RevenueFrame(_i([]), _i([]), _f([]))


def empty_opportunities() -> OpportunityFrame:
    """Return an opportunity frame with no rows."""
    return OpportunityFrame(_i([]), _i([]), _f([]), _f([]), _i([]), _i([]))


def empty_contacts() -> ContactFrame:
    """Return a contact frame with no rows."""
    return ContactFrame(_i([]), _i([]), _i([]), _i([]))


def empty_activities() -> ActivityFrame:
    """Return an activity frame with no rows."""
    return ActivityFrame(_i([]), _i([]), _i([]), _i([]))


def empty_initiatives() -> InitiativeFrame:
    """Return an initiative frame with no rows."""
    return InitiativeFrame(_i([]), _i([]), _f([]), _f([]), _f([]))


@dataclass(frozen=True)
class PortfolioFrame:
    """Everything the core needs about the portfolio, as of one date."""

    as_of: date
    accounts: AccountFrame
    revenue: RevenueFrame = field(default_factory=empty_revenue)
    opportunities: OpportunityFrame = field(default_factory=empty_opportunities)
    contacts: ContactFrame = field(default_factory=empty_contacts)
    activities: ActivityFrame = field(default_factory=empty_activities)
    initiatives: InitiativeFrame = field(default_factory=empty_initiatives)


def month_index(d: date) -> int:
    """Return the month number used in :class:`RevenueFrame` for a date."""
    return d.year * 12 + d.month - 1
