"""Request and response schemas of the API (separate from the domain models)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from kambot.domain.analysis import (
    AccountKPIs,
    AccountScore,
    ScenarioSet,
    SegmentRanking,
    SelectionResult,
    SensitivityReport,
    TierAssignment,
    TierSummary,
)


class AccountSummary(BaseModel):
    """One line of the account list."""

    id: int
    external_id: str
    name: str
    segment: str | None
    quadrant: str
    attractiveness: float
    strength: float
    tier: str
    key_account: bool
    selected: bool
    revenue_ttm: float
    revenue_growth: float | None
    share_of_wallet: float | None
    potential: float | None


class AccountListQuery(BaseModel):
    """The query of ``GET /accounts``: a page, and optional filters."""

    model_config = ConfigDict(frozen=True)  # read_query shares instances between requests

    offset: int = Field(0, ge=0)
    limit: int = Field(50, ge=1, le=500)
    quadrant: str | None = None
    tier: str | None = None
    selected: bool | None = None


class AccountPage(BaseModel):
    """A page of the account list."""

    total: int
    offset: int
    limit: int
    items: list[AccountSummary]


class AccountDetail(BaseModel):
    """Everything computed about one account."""

    kpis: AccountKPIs
    score: AccountScore
    tier: TierAssignment


class Segmentation(BaseModel):
    """Strategic segments first, then the quadrant counts."""

    segments: list[SegmentRanking]
    quadrants: dict[str, int]


class Selection(BaseModel):
    """Key-account selection, with the weight sensitivity when asked."""

    selection: SelectionResult
    sensitivity: SensitivityReport | None = None


class Tiers(BaseModel):
    """Tier counts and, on request, each account's tier."""

    summary: list[TierSummary]
    accounts: list[TierAssignment] = Field(default_factory=list)


__all__ = ["ScenarioSet"]
