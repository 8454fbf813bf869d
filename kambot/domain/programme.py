"""The KAM programme: objectives, strategic segments, selection criteria, capacity,
tier rules and the people (KAMs, executive committee).
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class StrategicCause(StrEnum):
    """Typical strategic causes a KAM programme serves."""

    INNOVATION = "innovation"
    CUSTOMER_FOCUS = "customer_focus"
    BREAKING_SILOS = "breaking_silos"
    PORTFOLIO_VALUE = "portfolio_value"
    BUSINESS_MODEL_CHANGE = "business_model_change"


class Axis(StrEnum):
    """Axis of the portfolio matrix a criterion contributes to."""

    ATTRACTIVENESS = "attractiveness"
    STRENGTH = "strength"


class Normalisation(StrEnum):
    """How a raw criterion value is brought to 0..1 (see kambot.core.matrix)."""

    MINMAX = "minmax"  # (x - min) / (max - min) over accounts with a value
    LOG_MINMAX = "log_minmax"  # minmax on log1p(x): for skewed money figures
    RANK = "rank"  # percentile rank, ties averaged
    SCALE = "scale"  # (x - lo) / (hi - lo) with a fixed scale, e.g. stage 1..5


class MissingPolicy(StrEnum):
    """What to do with an account that has no value for a criterion."""

    ZERO = "zero"  # counts as the worst value (0 after normalisation)
    MEDIAN = "median"  # counts as the median of accounts with a value
    EXCLUDE = "exclude"  # criterion left out, other weights rescaled for that account


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Objective(_Model):
    """A strategic objective of the programme and the cause it serves."""

    cause: StrategicCause
    statement: str
    measure: str | None = None


class StrategicSegment(_Model):
    """A customer industry or business where our value proposition fits."""

    key: str = Field(min_length=1)
    name: str
    industries: list[str] = Field(default_factory=list)
    value_proposition_fit: float = Field(ge=0, le=5, description="0 (none) to 5 (excellent)")


class Criterion(_Model):
    """A weighted criterion of the attractiveness x relative-strength matrix."""

    key: str = Field(min_length=1, description="metric name, see kambot.core.matrix.METRICS")
    label: str | None = None
    axis: Axis
    weight: float = Field(ge=0, le=100)
    normalisation: Normalisation = Normalisation.MINMAX
    scale: tuple[float, float] | None = None
    higher_is_better: bool = True
    missing: MissingPolicy = MissingPolicy.ZERO


class Capacity(_Model):
    """How many key accounts the programme can carry."""

    max_key_accounts: int = Field(default=25, ge=1)
    min_key_accounts: int = Field(default=0, ge=0)
    accounts_per_kam: int = Field(default=4, ge=1)
    kams: int | None = Field(default=None, ge=0, description="available KAMs; None = no limit")

    @model_validator(mode="after")
    def _bounds(self) -> Capacity:
        if self.min_key_accounts > self.max_key_accounts:
            raise ValueError("min_key_accounts cannot exceed max_key_accounts")
        return self

    @property
    def effective_max(self) -> int:
        """Return the binding capacity: the lower of the cap and what the KAMs can carry."""
        if self.kams is None:
            return self.max_key_accounts
        return min(self.max_key_accounts, self.kams * self.accounts_per_kam)


class TierRule(_Model):
    """A service-tier rule; rules are tried in order, the first match wins.

    A rule matches when every condition set on it holds. ``scope`` restricts it to a
    country or business unit (``country:FR``, ``bu:Industrial``); None applies anywhere.
    """

    tier: str = Field(pattern="^(gold|silver|bronze)$")
    scope: str | None = None
    key_account: bool | None = None
    quadrants: list[str] | None = None
    min_revenue_ttm: float | None = None
    min_potential: float | None = None
    label: str | None = None


class Person(_Model):
    """A KAM or an executive-committee member of our company."""

    key: str = Field(min_length=1)
    name: str
    role: str = Field(pattern="^(kam|executive|programme_lead|hr|admin)$")
    title: str | None = None
    industries: list[str] = Field(default_factory=list, description="affinity, for sponsoring")
    max_accounts: int | None = Field(default=None, ge=0)
    email: str | None = None


class Programme(_Model):
    """Everything that defines a KAM programme apart from the account data."""

    name: str
    company: str | None = None
    currency: str = "EUR"
    objectives: list[Objective] = Field(default_factory=list)
    segments: list[StrategicSegment] = Field(default_factory=list)
    criteria: list[Criterion] = Field(default_factory=list)
    capacity: Capacity = Field(default_factory=Capacity)
    tier_rules: list[TierRule] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    revenue_target_growth: float = Field(
        default=0.10, description="yearly growth target, for pipeline coverage"
    )
    share_of_wallet_target: float = Field(default=0.35, ge=0, le=1)
    escalation_target_days: int = Field(default=10, ge=1)

    @field_validator("criteria")
    @classmethod
    def _weights_sum_to_100(cls, criteria: list[Criterion]) -> list[Criterion]:
        if not criteria:
            return criteria
        for axis in Axis:
            on_axis = [c for c in criteria if c.axis == axis]
            total = sum(c.weight for c in on_axis)
            if on_axis and abs(total - 100.0) > 1e-6:
                listed = ", ".join(f"{c.key}={c.weight:g}" for c in on_axis)
                raise ValueError(
                    f"weights on the {axis.value} axis sum to {total:g}, not 100 ({listed}); "
                    "adjust them so that they add up to 100"
                )
        return criteria
