"""Results of the deterministic portfolio analysis, as pydantic models.

The core (``kambot.core``) computes everything on numpy columns and offers these models
as per-account or per-programme *views* for the API, documents and the assistant. Every
float is finite: a figure that is undefined (a growth with no previous revenue, a win
rate with no closed deal) is ``None``, never NaN or infinity (``allow_inf_nan=False``
makes a stray NaN fail loudly instead of leaking into a document).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from kambot.domain.programme import Axis, MissingPolicy, Normalisation


class Quadrant(StrEnum):
    """Cell of the attractiveness x relative-strength matrix.

    "High" means at or above the matrix threshold (0.5 by default) on a 0..1 axis.

    - ``strategic``: high attractiveness, high strength -- invest and partner.
    - ``star``: high attractiveness, low strength -- attractive but we are weak: invest
      to grow the position (the typical "develop" key account).
    - ``status``: low attractiveness, high strength -- maintain efficiently.
    - ``streamline``: low attractiveness, low strength -- serve at lowest cost.
    """

    STRATEGIC = "strategic"
    STAR = "star"
    STATUS = "status"
    STREAMLINE = "streamline"


class Tier(StrEnum):
    """Service tier of an account."""

    GOLD = "gold"
    SILVER = "silver"
    BRONZE = "bronze"


class MaturityPhase(StrEnum):
    """Phases of KAM development after Woodburn (Cranfield, 2006)."""

    A = "A"  # scoping KAM
    B = "B"  # introducing KAM
    C = "C"  # embedding KAM
    D = "D"  # optimising value


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class AccountRef(_Result):
    """Identify an account in a result."""

    account_id: int
    external_id: str
    name: str


# --- segments -------------------------------------------------------------------------


class SegmentRanking(_Result):
    """One strategic segment, ranked by value-proposition fit and aggregate potential."""

    key: str
    name: str
    rank: int = Field(ge=1)
    value_proposition_fit: float
    accounts: int
    accounts_with_potential: int
    aggregate_potential: float
    potential_share: float = Field(description="share of the potential of all programme segments")
    revenue_ttm: float
    score: float = Field(description="fit_weight*fit/5 + (1-fit_weight)*potential/max potential")
    strategic: bool
    reason: str


# --- matrix ---------------------------------------------------------------------------


class CriterionContribution(_Result):
    """How one criterion moved one account on its axis."""

    key: str
    label: str
    axis: Axis
    normalisation: Normalisation
    weight: float = Field(description="configured weight, 0..100 on its axis")
    effective_weight: float = Field(description="weight after rescaling for excluded criteria")
    raw_value: float | None
    normalised: float | None = Field(description="0..1 after orientation and missing policy")
    contribution: float = Field(description="effective_weight/100 * normalised")
    missing: bool
    missing_policy: MissingPolicy | None = Field(
        default=None, description="policy applied when the value was missing"
    )


class AccountScore(AccountRef):
    """An account's position in the matrix, with the contribution of every criterion."""

    segment: str | None
    attractiveness: float
    strength: float
    quadrant: Quadrant
    contributions: list[CriterionContribution]
    missing: list[str] = Field(description="criteria with no value for this account")


class MissingSummary(_Result):
    """How many accounts miss a criterion and what was done about it."""

    key: str
    axis: Axis
    policy: MissingPolicy
    missing: int
    accounts: int


# --- selection ------------------------------------------------------------------------


class SelectedAccount(AccountRef):
    """A proposed key account and why it was chosen."""

    rank: int = Field(ge=1)
    score: float
    attractiveness: float
    strength: float
    quadrant: Quadrant
    segment: str | None
    top_criteria: list[CriterionContribution]
    rationale: str


class RunnerUp(AccountRef):
    """An account just below the cut-off (or a high scorer left out) and why it missed."""

    rank: int = Field(ge=1, description="position among the accounts of its list")
    score: float
    attractiveness: float
    strength: float
    quadrant: Quadrant
    segment: str | None
    eligible: bool
    gap: float | None = Field(description="cut-off score minus this score; None without cut-off")
    behind_on: list[str] = Field(description="criteria where it trails the last selected account")
    reasons: list[str]


class SelectionResult(_Result):
    """The proposed key-account list under capacity."""

    capacity: int
    capacity_reason: str
    only_strategic_segments: bool
    strength_blend: float
    accounts: int
    eligible: int
    selected: list[SelectedAccount]
    cut_off_score: float | None
    runners_up: list[RunnerUp]
    excluded: list[RunnerUp] = Field(
        default_factory=list, description="ineligible accounts scoring above the cut-off"
    )
    notes: list[str] = Field(default_factory=list)


# --- tiers ----------------------------------------------------------------------------


class TierAssignment(AccountRef):
    """The service tier of one account and the rule that gave it."""

    tier: Tier
    rule_index: int | None = Field(description="position in the rule list; None = default")
    rule_label: str | None
    reason: str


class TierSummary(_Result):
    """Count of accounts per tier, overall or within one country or business unit."""

    scope: str
    gold: int
    silver: int
    bronze: int


# --- sensitivity ----------------------------------------------------------------------


class SensitivityVariant(_Result):
    """The selection when one weight moves and the others on its axis absorb the change."""

    criterion: str
    axis: Axis
    change: float = Field(description="relative change of the weight, e.g. 0.2 or -0.2")
    weights: dict[str, float] = Field(description="all weights of the variant, per axis 100")
    changed: bool = Field(description="False when the weights could not move (0 or alone)")
    entered: list[str]
    left: list[str]


class SensitivityReport(_Result):
    """Which accounts enter or leave the selection when each weight moves by +/- step."""

    step: float
    base_selection: list[str]
    variants: list[SensitivityVariant]
    stable: list[str] = Field(description="selected in the base case and in every variant")
    fragile: list[str] = Field(description="selected in the base case, left in some variant")
    challengers: list[str] = Field(description="not selected in the base case, entered in some")


# --- account KPIs ---------------------------------------------------------------------


class BuyingCentreCoverage(_Result):
    """Which buying-centre roles are covered for an account."""

    executive_sponsor: bool
    decision_maker: bool
    champion: bool
    economic_buyer: bool
    coverage: float = Field(ge=0, le=1, description="covered roles / 4")


class AccountKPIs(AccountRef):
    """Key figures of one account as of a date. ``None`` = undefined for lack of data."""

    as_of: date
    revenue_ttm: float
    revenue_previous_12m: float
    revenue_growth: float | None
    revenue_by_year: dict[int, float]
    share_of_wallet: float | None
    margin_pct: float | None
    margin_ttm: float | None
    open_opportunities: int
    open_pipeline: float
    weighted_pipeline: float
    open_without_value: int
    probability_defaulted: int
    pipeline_coverage: float | None
    won: int
    lost: int
    win_rate: float | None
    average_won_deal: float | None
    sales_cycle_days: float | None
    buying_centre: BuyingCentreCoverage
    last_executive_contact: date | None
    days_since_executive_contact: int | None
    relationship_stage: float | None
    satisfaction: float | None
    initiatives: dict[str, int]
    open_escalations: int
    overdue_escalations: int
    sponsor_meetings_12m: int
    resources_requested: float
    resources_committed: float


# --- programme KPIs -------------------------------------------------------------------


class KamLoad(_Result):
    """Key accounts per KAM against the programme's accounts_per_kam."""

    accounts_per_kam: int
    kams: int
    mean_load: float | None
    max_load: int
    loads: dict[str, int]
    overloaded: list[str]
    unassigned_key_accounts: int


class SponsorMeetings(_Result):
    """Executive-sponsor meetings held in the last 12 months against the plan, per tier."""

    tier: Tier
    accounts: int
    planned_per_account: int
    planned: int
    held: int
    ratio: float | None


class BuildingBlocks(_Result):
    """Programme building blocks measured on the key accounts."""

    initiatives_total: int
    initiatives_validated: int
    initiatives_validated_share: float | None
    resources_requested: float
    resources_committed: float
    resources_commitment_ratio: float | None
    kam_staffing_share: float | None
    escalations_resolved: int
    escalations_within_target: int
    escalations_within_target_share: float | None
    escalation_target_days: int
    open_escalations: int
    overdue_escalations: int
    satisfaction_by_tier: dict[str, float | None] = Field(
        description="mean satisfaction of all accounts of each tier"
    )
    sponsor_meetings: list[SponsorMeetings]
    sponsor_meetings_ratio: float | None = Field(
        description="share of planned sponsor meetings held, each account counted up to its plan"
    )


class MaturityCriterionResult(_Result):
    """One measurable criterion of a maturity phase."""

    phase: MaturityPhase
    key: str
    description: str
    value: float | None
    threshold: float
    met: bool


class MaturityAssessment(_Result):
    """The programme's KAM development phase and the evidence for it."""

    phase: MaturityPhase
    phase_name: str
    criteria: list[MaturityCriterionResult]
    next_steps: list[str] = Field(description="unmet criteria of the next phase")


class ProgrammeKPIs(_Result):
    """Key figures of the whole programme."""

    as_of: date
    accounts: int
    key_accounts: int
    key_source: str
    key_revenue_share: float | None
    key_growth: float | None
    rest_growth: float | None
    growth_gap: float | None = Field(description="key_growth - rest_growth")
    share_validated_plan: float | None
    share_with_sponsor: float | None
    share_full_coverage: float | None
    ramp_up_median_days: float | None
    ramp_up_accounts: int
    kam_load: KamLoad
    building_blocks: BuildingBlocks
    maturity: MaturityAssessment


# --- scenarios ------------------------------------------------------------------------


class Scenario(_Result):
    """A revenue projection over the next years with its stated assumptions."""

    name: str = Field(pattern="^(base|upside|downside)$")
    years: list[float] = Field(description="projected revenue for year 1..N after as_of")
    total: float
    assumptions: list[str]
    parameters: dict[str, float]


class ScenarioSet(_Result):
    """Base, upside and downside for one account or for the programme."""

    scope: str = Field(description="an account external id, or 'programme'")
    as_of: date
    accounts: int
    revenue_ttm: float
    scenarios: list[Scenario]
    risk_signals: list[str] = Field(default_factory=list)
