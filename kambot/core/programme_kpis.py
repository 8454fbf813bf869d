"""Programme KPIs: how the key-account programme as a whole is doing.

Measured on the key accounts (the frame's ``is_key_account`` unless a mask is given):

- **Key revenue share**: key accounts' TTM / the portfolio's TTM.
- **Growth of key accounts vs the rest**: aggregate TTM / previous 12 months - 1 for
  each group, and the gap between them.
- **Shares** of key accounts with a validated plan (``plan_validated_on`` on or before
  as_of), with an executive sponsor, with full buying-centre coverage (4 of 4).
- **Ramp-up**: median days from ``selected_on`` to ``plan_validated_on`` over key
  accounts with both dates (plan on or after selection).
- **KAM load**: key accounts per assigned KAM against ``capacity.accounts_per_kam``.
- **Building blocks**: initiatives validated (status validated, in progress or done)
  out of all initiatives; resources committed / requested; account-team staffing
  (share of key accounts with a KAM); escalations resolved within
  ``programme.escalation_target_days`` (for maturity, overdue open escalations count as
  late); satisfaction per service tier (over *all*
  accounts of the tier, as tiers are a portfolio-wide service level); executive-sponsor
  meetings in the last 12 months against the plan per tier (``sponsor_meetings_per_year``,
  gold 4 / silver 2 / bronze 1 by default), each account counting up to its plan.
- **Maturity**: Woodburn phase A..D, see :mod:`kambot.core.maturity`. For maturity
  only, no escalation at all counts as "all resolved in time" and no resource request
  as "fully committed", so that absence of trouble does not hold a programme back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from kambot.core.frames import INITIATIVE_CODES, NO_DATE, PortfolioFrame
from kambot.core.grouping import BoolArray, median_or_none, ratio_or_none
from kambot.core.kpis import AccountKpiTable
from kambot.core.maturity import MATURITY_CRITERIA, MaturityCriterion, assess_maturity
from kambot.core.tiers import TIERS, TierTable
from kambot.domain.analysis import BuildingBlocks, KamLoad, ProgrammeKPIs, SponsorMeetings
from kambot.domain.programme import Programme
from kambot.errors import DataError

VALIDATED_STATUSES = ("validated", "in_progress", "done")


@dataclass(frozen=True)
class ProgrammeKpiConfig:
    """Parameters of the programme KPIs."""

    sponsor_meetings_per_year: dict[str, int] = field(
        default_factory=lambda: {"gold": 4, "silver": 2, "bronze": 1}
    )
    maturity_criteria: Sequence[MaturityCriterion] = MATURITY_CRITERIA

    def __post_init__(self) -> None:
        missing = [t.value for t in TIERS if t.value not in self.sponsor_meetings_per_year]
        if missing or any(v < 0 for v in self.sponsor_meetings_per_year.values()):
            raise DataError(
                "sponsor_meetings_per_year needs a non-negative count for gold, silver and bronze",
                hint='e.g. {"gold": 4, "silver": 2, "bronze": 1}',
            )


def _share(mask: BoolArray, within: BoolArray) -> float | None:
    total = int(within.sum())
    return None if total == 0 else int((mask & within).sum()) / total


def compute_programme_kpis(
    portfolio: PortfolioFrame,
    programme: Programme,
    kpis: AccountKpiTable,
    tiers: TierTable,
    *,
    key_mask: BoolArray | None = None,
    key_source: str | None = None,
    config: ProgrammeKpiConfig | None = None,
) -> ProgrammeKPIs:
    """Compute the programme KPIs and its maturity phase.

    Args:
        portfolio: the portfolio (key-account flags, dates, KAM codes).
        programme: capacity, escalation target, criteria.
        kpis: the account KPIs.
        tiers: the service tier of every account.
        key_mask: which accounts are key accounts; the frame's ``is_key_account`` when None.
        key_source: a word saying where ``key_mask`` comes from (e.g. "selection").
        config: programme KPI parameters; documented defaults when None.
    """
    cfg = config or ProgrammeKpiConfig()
    accounts = portfolio.accounts
    n = len(accounts)
    key = accounts.is_key_account.astype(np.bool_) if key_mask is None else key_mask
    source = key_source or ("current" if key_mask is None else "given")
    rest = ~key
    k = int(key.sum())
    as_ord = portfolio.as_of.toordinal()

    ttm, prev = kpis.revenue_ttm, kpis.revenue_prev12
    key_ttm, key_prev = float(ttm[key].sum()), float(prev[key].sum())
    rest_ttm, rest_prev = float(ttm[rest].sum()), float(prev[rest].sum())
    total = key_ttm + rest_ttm
    key_growth = None if key_prev <= 0 else key_ttm / key_prev - 1.0
    rest_growth = None if rest_prev <= 0 else rest_ttm / rest_prev - 1.0
    gap = None if key_growth is None or rest_growth is None else key_growth - rest_growth

    validated = (accounts.plan_validated_on != NO_DATE) & (accounts.plan_validated_on <= as_ord)
    full_coverage = kpis.buying_centre_coverage >= 1.0
    with_kam = accounts.kam >= 0

    ramp = (
        key
        & (accounts.selected_on != NO_DATE)
        & validated
        & (accounts.plan_validated_on >= accounts.selected_on)
    )
    ramp_days = (accounts.plan_validated_on[ramp] - accounts.selected_on[ramp]).astype(np.float64)

    # --- KAM load
    kam_codes = accounts.kam[key & with_kam]
    loads_arr = np.bincount(kam_codes, minlength=len(accounts.people_labels))
    loads = {
        accounts.people_labels[c]: int(loads_arr[c]) for c in np.flatnonzero(loads_arr).tolist()
    }
    loads = dict(sorted(loads.items()))
    per_kam = programme.capacity.accounts_per_kam
    kam_load = KamLoad(
        accounts_per_kam=per_kam,
        kams=len(loads),
        mean_load=(sum(loads.values()) / len(loads)) if loads else None,
        max_load=max(loads.values(), default=0),
        loads=loads,
        overloaded=[name for name, load in loads.items() if load > per_kam],
        unassigned_key_accounts=int((key & ~with_kam).sum()),
    )

    # --- building blocks
    ini = kpis.initiatives[key]
    ini_total = int(ini.sum())
    val_cols = [INITIATIVE_CODES.index(s) for s in VALIDATED_STATUSES]
    ini_validated = int(ini[:, val_cols].sum())
    has_validated_initiative = ini[:, val_cols].sum(axis=1) > 0
    requested = float(kpis.resources_requested[key].sum())
    committed = float(kpis.resources_committed[key].sum())
    esc_resolved = int(kpis.escalations_resolved[key].sum())
    esc_within = int(kpis.escalations_within_target[key].sum())
    open_esc = int(kpis.open_escalations[key].sum())
    overdue_esc = int(kpis.overdue_escalations[key].sum())

    satisfaction_by_tier: dict[str, float | None] = {}
    for t, tier in enumerate(TIERS):
        values = kpis.satisfaction[(tiers.tier == t) & ~np.isnan(kpis.satisfaction)]
        satisfaction_by_tier[tier.value] = float(values.mean()) if values.size else None

    meetings: list[SponsorMeetings] = []
    planned_all = held_capped_all = 0
    for t, tier in enumerate(TIERS):
        in_tier = key & (tiers.tier == t)
        per_account = cfg.sponsor_meetings_per_year[tier.value]
        held = kpis.sponsor_meetings_12m[in_tier]
        planned = per_account * int(in_tier.sum())
        capped = int(np.minimum(held, per_account).sum())
        planned_all += planned
        held_capped_all += capped
        meetings.append(
            SponsorMeetings(
                tier=tier,
                accounts=int(in_tier.sum()),
                planned_per_account=per_account,
                planned=planned,
                held=int(held.sum()),
                ratio=ratio_or_none(capped, planned),
            )
        )
    meetings_ratio = ratio_or_none(held_capped_all, planned_all)

    blocks = BuildingBlocks(
        initiatives_total=ini_total,
        initiatives_validated=ini_validated,
        initiatives_validated_share=ratio_or_none(ini_validated, ini_total),
        resources_requested=requested,
        resources_committed=committed,
        resources_commitment_ratio=ratio_or_none(committed, requested),
        kam_staffing_share=_share(with_kam, key),
        escalations_resolved=esc_resolved,
        escalations_within_target=esc_within,
        escalations_within_target_share=ratio_or_none(esc_within, esc_resolved),
        escalation_target_days=programme.escalation_target_days,
        open_escalations=open_esc,
        overdue_escalations=overdue_esc,
        satisfaction_by_tier=satisfaction_by_tier,
        sponsor_meetings=meetings,
        sponsor_meetings_ratio=meetings_ratio,
    )

    share_sponsor = _share(kpis.has_sponsor, key)
    share_plan = _share(validated, key)
    share_full = _share(full_coverage, key)
    judged = esc_resolved + overdue_esc
    measures: dict[str, float | None] = {
        "key_accounts": float(k),
        "criteria_defined": 1.0 if programme.criteria else 0.0,
        "within_capacity": 1.0 if 0 < k <= programme.capacity.effective_max else 0.0,
        "kam_assigned_share": _share(with_kam, key),
        "sponsor_share": share_sponsor,
        "validated_plan_share": share_plan,
        "mean_coverage": float(kpis.buying_centre_coverage[key].mean()) if k else None,
        "full_coverage_share": share_full,
        "sponsor_meetings_ratio": meetings_ratio,
        "initiative_share": float(has_validated_initiative.mean()) if k else None,
        "escalations_within_target": (1.0 if k else None) if judged == 0 else esc_within / judged,
        "resources_commitment": (
            (1.0 if k else None) if requested == 0 else min(committed / requested, 1.0)
        ),
    }
    maturity = assess_maturity(measures, cfg.maturity_criteria)

    return ProgrammeKPIs(
        as_of=portfolio.as_of,
        accounts=n,
        key_accounts=k,
        key_source=source,
        key_revenue_share=ratio_or_none(key_ttm, total) if total > 0 else None,
        key_growth=key_growth,
        rest_growth=rest_growth,
        growth_gap=gap,
        share_validated_plan=share_plan,
        share_with_sponsor=share_sponsor,
        share_full_coverage=share_full,
        ramp_up_median_days=median_or_none(ramp_days),
        ramp_up_accounts=int(ramp.sum()),
        kam_load=kam_load,
        building_blocks=blocks,
        maturity=maturity,
    )
