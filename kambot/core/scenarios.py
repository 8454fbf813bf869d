"""Three-year revenue scenarios per account and for the programme.

- **Base**: the account's yearly trend, applied to TTM revenue, plus the weighted open
  pipeline. The trend is the compound yearly growth between the first and the last
  complete calendar year of the last ``trend_years`` years (0 when either is not
  positive), capped to +/- ``trend_cap``. Year 1 = TTM x (1 + trend) +
  ``pipeline_share`` x weighted pipeline; each later year = previous x (1 + trend), so
  won pipeline becomes recurring revenue.
- **Upside**: base + the programme's share-of-wallet target applied to the whitespace
  (potential / 3 - TTM, not below 0), captured linearly: year y adds
  target x whitespace x y / years. No potential, no whitespace.
- **Downside**: no pipeline and no growth (a negative trend is kept): TTM x
  (1 + min(trend, 0))^y x (1 - haircut). The haircut adds a stated share per at-risk
  signal -- open escalation, satisfaction below ``low_satisfaction``, negative TTM
  growth, no executive contact for ``no_contact_days`` days (or never) -- capped at
  ``max_haircut``.

Every assumption is returned both as a sentence and as numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from kambot.core.frames import FloatArray
from kambot.core.grouping import BoolArray
from kambot.core.kpis import AccountKpiTable
from kambot.domain.analysis import Scenario, ScenarioSet
from kambot.errors import DataError

SIGNALS = ("open_escalation", "low_satisfaction", "negative_growth", "no_executive_contact")


@dataclass(frozen=True)
class ScenarioConfig:
    """Assumptions of the scenarios (every one is echoed in the results)."""

    years: int = 3
    trend_years: int = 3
    trend_cap: float = 0.15
    pipeline_share: float = 1.0
    low_satisfaction: float = 6.0
    no_contact_days: int = 180
    haircuts: dict[str, float] = field(
        default_factory=lambda: {
            "open_escalation": 0.10,
            "low_satisfaction": 0.10,
            "negative_growth": 0.05,
            "no_executive_contact": 0.10,
        }
    )
    max_haircut: float = 0.5

    def __post_init__(self) -> None:
        if self.years < 1 or self.trend_years < 2:
            raise DataError(
                "scenarios need years >= 1 and trend_years >= 2",
                hint="a trend needs at least two complete years",
            )
        if set(self.haircuts) != set(SIGNALS):
            raise DataError(
                f"haircuts must give a share for each signal: {', '.join(SIGNALS)}",
                hint="set 0 for a signal that should not cut the downside",
            )
        shares = [*self.haircuts.values(), self.max_haircut, self.trend_cap, self.pipeline_share]
        if any(not 0.0 <= s <= 1.0 for s in shares):
            raise DataError(
                "haircuts, max_haircut, trend_cap and pipeline_share must be within 0..1",
                hint="give them as fractions, e.g. 0.1 for 10%",
            )


@dataclass(frozen=True)
class ScenarioTable:
    """Scenarios of every account as ``(n, years)`` arrays."""

    config: ScenarioConfig
    share_of_wallet_target: float
    external_ids: list[str]
    revenue_ttm: FloatArray
    weighted_pipeline: FloatArray
    whitespace: FloatArray
    trend: FloatArray
    trend_years: tuple[int, int] | None  # first and last complete year of the trend
    signals: BoolArray  # (n, len(SIGNALS))
    haircut: FloatArray
    base: FloatArray
    upside: FloatArray
    downside: FloatArray
    as_of_ordinal: int

    def _assumptions(self) -> dict[str, list[str]]:
        c = self.config
        span = (
            f"{self.trend_years[0]}-{self.trend_years[1]}"
            if self.trend_years
            else "no two complete years"
        )
        cuts = ", ".join(f"{k.replace('_', ' ')} {v:.0%}" for k, v in c.haircuts.items())
        return {
            "base": [
                f"yearly trend = compound growth of calendar-year revenue over {span}, "
                f"capped to +/-{c.trend_cap:.0%} (0 without two positive years)",
                f"{c.pipeline_share:.0%} of the weighted open pipeline is won in year 1 and "
                "recurs afterwards",
            ],
            "upside": [
                "base scenario, plus",
                f"share-of-wallet target {self.share_of_wallet_target:.0%} applied to the "
                f"whitespace (potential/3 - TTM), captured linearly over {c.years} years",
            ],
            "downside": [
                "no pipeline and no growth; a negative trend is kept",
                f"haircut per at-risk signal: {cuts}; total capped at {c.max_haircut:.0%}",
                f"signals: open escalation, satisfaction below {c.low_satisfaction:g}/10, "
                f"negative TTM growth, no executive contact for {c.no_contact_days} days",
            ],
        }

    def _set(
        self, scope: str, mask: BoolArray, parameters: dict[str, dict[str, float]], risks: list[str]
    ) -> ScenarioSet:
        text = self._assumptions()
        scenarios = []
        for name, values in (
            ("base", self.base),
            ("upside", self.upside),
            ("downside", self.downside),
        ):
            years = [float(v) for v in values[mask].sum(axis=0)]
            scenarios.append(
                Scenario(
                    name=name,
                    years=years,
                    total=float(sum(years)),
                    assumptions=text[name],
                    parameters=parameters[name],
                )
            )
        return ScenarioSet(
            scope=scope,
            as_of=date.fromordinal(self.as_of_ordinal),
            accounts=int(mask.sum()),
            revenue_ttm=float(self.revenue_ttm[mask].sum()),
            scenarios=scenarios,
            risk_signals=risks,
        )

    def account(self, i: int) -> ScenarioSet:
        """Return the scenarios of account ``i`` with its own figures as parameters."""
        mask = np.zeros(len(self.external_ids), dtype=np.bool_)
        mask[i] = True
        c = self.config
        risks = [s for k, s in enumerate(SIGNALS) if self.signals[i, k]]
        params = {
            "base": {
                "revenue_ttm": float(self.revenue_ttm[i]),
                "trend": float(self.trend[i]),
                "trend_cap": c.trend_cap,
                "weighted_pipeline": float(self.weighted_pipeline[i]),
                "pipeline_share": c.pipeline_share,
            },
            "upside": {
                "whitespace": float(self.whitespace[i]),
                "share_of_wallet_target": self.share_of_wallet_target,
            },
            "downside": {
                "haircut": float(self.haircut[i]),
                "signals": float(len(risks)),
                "max_haircut": c.max_haircut,
                **{f"haircut_{k}": v for k, v in c.haircuts.items()},
            },
        }
        return self._set(self.external_ids[i], mask, params, risks)

    def aggregate(self, mask: BoolArray, scope: str = "programme") -> ScenarioSet:
        """Return the scenarios summed over the accounts where ``mask`` holds."""
        c = self.config
        ttm = float(self.revenue_ttm[mask].sum())
        weights = self.revenue_ttm[mask]
        total_w = float(weights.sum())
        mean_trend = float((self.trend[mask] * weights).sum() / total_w) if total_w > 0 else 0.0
        mean_cut = float((self.haircut[mask] * weights).sum() / total_w) if total_w > 0 else 0.0
        at_risk = int((self.haircut[mask] > 0).sum())
        counts = self.signals[mask].sum(axis=0)
        risks = [
            f"{SIGNALS[k]}: {int(counts[k])} accounts" for k in range(len(SIGNALS)) if counts[k]
        ]
        params = {
            "base": {
                "revenue_ttm": ttm,
                "revenue_weighted_trend": mean_trend,
                "trend_cap": c.trend_cap,
                "weighted_pipeline": float(self.weighted_pipeline[mask].sum()),
                "pipeline_share": c.pipeline_share,
            },
            "upside": {
                "whitespace": float(self.whitespace[mask].sum()),
                "share_of_wallet_target": self.share_of_wallet_target,
            },
            "downside": {
                "revenue_weighted_haircut": mean_cut,
                "accounts_at_risk": float(at_risk),
                "max_haircut": c.max_haircut,
                **{f"haircut_{k}": v for k, v in c.haircuts.items()},
            },
        }
        return self._set(scope, mask, params, risks)


def yearly_trend(
    kpis: AccountKpiTable, trend_years: int, cap: float
) -> tuple[FloatArray, tuple[int, int] | None]:
    """Return the capped compound yearly growth of every account and the years it spans."""
    as_of = kpis.as_of
    year_end = as_of.month == 12 and as_of.day == 31
    complete = [k for k, y in enumerate(kpis.years) if y < as_of.year or year_end]
    complete = complete[-trend_years:]
    n = len(kpis)
    if len(complete) < 2:
        return np.zeros(n), None
    first_col, last_col = complete[0], complete[-1]
    first = kpis.revenue_by_year[:, first_col]
    last = kpis.revenue_by_year[:, last_col]
    span = last_col - first_col
    ok = (first > 0) & (last > 0)
    trend = np.zeros(n)
    trend[ok] = (last[ok] / first[ok]) ** (1.0 / span) - 1.0
    return np.clip(trend, -cap, cap), (kpis.years[first_col], kpis.years[last_col])


def project_scenarios(
    kpis: AccountKpiTable,
    potential: FloatArray,
    share_of_wallet_target: float,
    config: ScenarioConfig | None = None,
) -> ScenarioTable:
    """Project base, upside and downside revenue for every account.

    Args:
        kpis: the account KPIs (TTM, yearly revenue, pipeline, risk figures).
        potential: 3-year potential per account (NaN = unknown).
        share_of_wallet_target: the programme's target, applied to the whitespace.
        config: the assumptions; documented defaults when None.
    """
    cfg = config or ScenarioConfig()
    n = len(kpis)
    ttm = kpis.revenue_ttm
    trend, span = yearly_trend(kpis, cfg.trend_years, cfg.trend_cap)
    whitespace = np.where(np.isnan(potential), 0.0, np.maximum(potential / 3.0 - ttm, 0.0))

    signals = np.zeros((n, len(SIGNALS)), dtype=np.bool_)
    signals[:, 0] = kpis.open_escalations > 0
    signals[:, 1] = np.nan_to_num(kpis.satisfaction, nan=np.inf) < cfg.low_satisfaction
    signals[:, 2] = np.nan_to_num(kpis.revenue_growth, nan=0.0) < 0
    days = kpis.days_since_executive_contact
    signals[:, 3] = np.isnan(days) | (np.nan_to_num(days, nan=0.0) > cfg.no_contact_days)
    cuts = np.array([cfg.haircuts[s] for s in SIGNALS])
    haircut = np.minimum(signals.astype(np.float64) @ cuts, cfg.max_haircut)

    years = np.arange(1, cfg.years + 1, dtype=np.float64)
    growth = (1.0 + trend)[:, None] ** years[None, :]
    first_year = ttm * (1.0 + trend) + cfg.pipeline_share * kpis.weighted_pipeline
    base = first_year[:, None] * growth / (1.0 + trend)[:, None]
    upside = base + share_of_wallet_target * whitespace[:, None] * (years / cfg.years)[None, :]
    decline = (1.0 + np.minimum(trend, 0.0))[:, None] ** years[None, :]
    downside = ttm[:, None] * decline * (1.0 - haircut)[:, None]
    return ScenarioTable(
        config=cfg,
        share_of_wallet_target=share_of_wallet_target,
        external_ids=kpis.external_ids,
        revenue_ttm=ttm,
        weighted_pipeline=kpis.weighted_pipeline,
        whitespace=whitespace,
        trend=trend,
        trend_years=span,
        signals=signals,
        haircut=haircut,
        base=base,
        upside=upside,
        downside=downside,
        as_of_ordinal=kpis.as_of.toordinal(),
    )
