"""Programme KPIs and maturity on a hand-built programme."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from kambot.core.builders import build_portfolio
from kambot.core.frames import PortfolioFrame
from kambot.core.kpis import compute_account_kpis
from kambot.core.matrix import DEFAULT_CRITERIA
from kambot.core.maturity import MATURITY_CRITERIA, assess_maturity
from kambot.core.programme_kpis import ProgrammeKpiConfig, compute_programme_kpis
from kambot.core.tiers import assign_tiers
from kambot.domain.analysis import MaturityPhase, ProgrammeKPIs, Tier
from kambot.domain.programme import Programme, TierRule
from kambot.errors import DataError

D = date
AS_OF = D(2025, 6, 15)


def _portfolio() -> PortfolioFrame:
    accounts: list[dict[str, Any]] = [
        {
            "external_id": "K1",
            "is_key_account": True,
            "kam": "kam1",
            "sponsor": "ex1",
            "selected_on": D(2025, 1, 1),
            "plan_validated_on": D(2025, 3, 2),
            "satisfaction": 8,
        },
        {
            "external_id": "K2",
            "is_key_account": True,
            "kam": "kam1",
            "selected_on": D(2025, 2, 1),
            "satisfaction": 4,
        },
        {
            "external_id": "K3",
            "is_key_account": True,
            "sponsor": "ex2",
            "selected_on": D(2024, 6, 1),
            "plan_validated_on": D(2024, 9, 9),
        },
        {"external_id": "N1", "satisfaction": 6},
        {"external_id": "N2"},
    ]
    revenue: list[dict[str, Any]] = [
        {"account": "K1", "month": D(2025, 1, 1), "amount": 300},
        {"account": "K1", "month": D(2024, 1, 1), "amount": 200},
        {"account": "K2", "month": D(2025, 1, 1), "amount": 100},
        {"account": "K2", "month": D(2024, 1, 1), "amount": 100},
        {"account": "N1", "month": D(2025, 1, 1), "amount": 600},
        {"account": "N1", "month": D(2024, 1, 1), "amount": 300},
    ]
    contacts: list[dict[str, Any]] = [
        {"account": "K1", "role": r} for r in ("decision_maker", "champion", "economic_buyer")
    ]
    activities: list[dict[str, Any]] = [
        {"account": "K1", "kind": "sponsor_meeting", "occurred_on": D(2025, 3, 1)},
        {"account": "K1", "kind": "sponsor_meeting", "occurred_on": D(2025, 5, 1)},
        {
            "account": "K1",
            "kind": "escalation",
            "occurred_on": D(2025, 2, 1),
            "resolved_on": D(2025, 2, 5),
        },
        {"account": "K2", "kind": "escalation", "occurred_on": D(2025, 5, 1)},
        {
            "account": "N1",
            "kind": "escalation",
            "occurred_on": D(2025, 5, 1),
            "resolved_on": D(2025, 6, 1),
        },
    ]
    initiatives: list[dict[str, Any]] = [
        {
            "account": "K1",
            "status": "validated",
            "resources_requested": 10,
            "resources_committed": 10,
        },
        {
            "account": "K1",
            "status": "in_progress",
            "resources_requested": 10,
            "resources_committed": 5,
        },
        {
            "account": "K2",
            "status": "proposed",
            "resources_requested": 20,
            "resources_committed": 0,
        },
        {"account": "N1", "status": "done", "resources_requested": 99},
    ]
    return build_portfolio(
        AS_OF,
        accounts,
        revenue=revenue,
        contacts=contacts,
        activities=activities,
        initiatives=initiatives,
    )


PROGRAMME = Programme(
    name="p",
    criteria=list(DEFAULT_CRITERIA),
    tier_rules=[
        TierRule(tier="gold", key_account=True, min_revenue_ttm=200),
        TierRule(tier="silver", key_account=True),
    ],
)


def _kpis(config: ProgrammeKpiConfig | None = None) -> ProgrammeKPIs:
    pf = _portfolio()
    kpis = compute_account_kpis(pf, PROGRAMME)
    quadrant = np.zeros(len(pf.accounts), dtype=np.int64)
    tiers = assign_tiers(
        pf.accounts, PROGRAMME.tier_rules, pf.accounts.is_key_account, quadrant, kpis.revenue_ttm
    )
    return compute_programme_kpis(pf, PROGRAMME, kpis, tiers, config=config)


def test_revenue_share_growth_and_shares() -> None:
    p = _kpis()
    assert (p.accounts, p.key_accounts, p.key_source) == (5, 3, "current")
    assert p.key_revenue_share == pytest.approx(0.4)
    assert p.key_growth == pytest.approx(400 / 300 - 1)
    assert p.rest_growth == pytest.approx(1.0)
    assert p.growth_gap == pytest.approx(400 / 300 - 2)
    assert p.share_validated_plan == pytest.approx(2 / 3)
    assert p.share_with_sponsor == pytest.approx(2 / 3)
    assert p.share_full_coverage == pytest.approx(1 / 3)
    assert p.ramp_up_median_days == 80  # 60 and 100 days
    assert p.ramp_up_accounts == 2


def test_kam_load() -> None:
    load = _kpis().kam_load
    assert load.loads == {"kam1": 2}
    assert (load.kams, load.mean_load, load.max_load) == (1, 2.0, 2)
    assert load.overloaded == [] and load.unassigned_key_accounts == 1


def test_building_blocks() -> None:
    b = _kpis().building_blocks
    assert (b.initiatives_total, b.initiatives_validated) == (3, 2)
    assert b.initiatives_validated_share == pytest.approx(2 / 3)
    assert (b.resources_requested, b.resources_committed) == (40, 15)
    assert b.resources_commitment_ratio == pytest.approx(0.375)
    assert b.kam_staffing_share == pytest.approx(2 / 3)
    assert (b.escalations_resolved, b.escalations_within_target) == (1, 1)
    assert b.escalations_within_target_share == 1.0
    assert (b.open_escalations, b.overdue_escalations) == (1, 1)
    assert b.satisfaction_by_tier == {"gold": 8.0, "silver": 4.0, "bronze": 6.0}
    meetings = {m.tier: (m.accounts, m.planned, m.held, m.ratio) for m in b.sponsor_meetings}
    assert meetings == {
        Tier.GOLD: (1, 4, 2, 0.5),
        Tier.SILVER: (2, 4, 0, 0.0),
        Tier.BRONZE: (0, 0, 0, None),
    }
    assert b.sponsor_meetings_ratio == pytest.approx(2 / 8)


def test_sponsor_meeting_plan_is_a_parameter() -> None:
    cfg = ProgrammeKpiConfig(sponsor_meetings_per_year={"gold": 2, "silver": 1, "bronze": 0})
    b = _kpis(cfg).building_blocks
    assert b.sponsor_meetings[0].ratio == 1.0
    assert b.sponsor_meetings_ratio == pytest.approx(2 / 4)
    with pytest.raises(DataError, match="sponsor_meetings_per_year"):
        ProgrammeKpiConfig(sponsor_meetings_per_year={"gold": 4})


def test_maturity_of_the_programme_is_phase_a_with_next_steps() -> None:
    m = _kpis().maturity
    assert m.phase is MaturityPhase.A and m.phase_name == "scoping KAM"
    assert any("a KAM for at least 80%" in s for s in m.next_steps)
    kam = next(c for c in m.criteria if c.key == "kam_assigned_share")
    assert kam.value == pytest.approx(2 / 3) and not kam.met


def test_no_key_account_gives_undefined_shares_not_errors() -> None:
    pf = _portfolio()
    kpis = compute_account_kpis(pf, PROGRAMME)
    n = len(pf.accounts)
    tiers = assign_tiers(
        pf.accounts, [], np.zeros(n, bool), np.zeros(n, np.int64), kpis.revenue_ttm
    )
    p = compute_programme_kpis(
        pf, PROGRAMME, kpis, tiers, key_mask=np.zeros(n, bool), key_source="selection"
    )
    assert p.key_accounts == 0 and p.key_source == "selection"
    assert p.key_revenue_share == 0.0
    assert p.key_growth is None and p.share_with_sponsor is None
    assert p.ramp_up_median_days is None and p.kam_load.mean_load is None
    assert p.maturity.phase is MaturityPhase.A


FULL = {
    "key_accounts": 20,
    "criteria_defined": 1,
    "within_capacity": 1,
    "kam_assigned_share": 1,
    "sponsor_share": 1,
    "validated_plan_share": 1,
    "mean_coverage": 1,
    "full_coverage_share": 1,
    "sponsor_meetings_ratio": 1,
    "initiative_share": 1,
    "escalations_within_target": 1,
    "resources_commitment": 1,
}


@pytest.mark.parametrize(
    ("changes", "phase"),
    [
        ({}, MaturityPhase.D),
        ({"resources_commitment": 0.5}, MaturityPhase.C),
        ({"validated_plan_share": 0.7}, MaturityPhase.C),
        ({"validated_plan_share": 0.3}, MaturityPhase.B),
        ({"sponsor_share": 0.6}, MaturityPhase.B),
        ({"sponsor_share": 0.4}, MaturityPhase.A),
        ({"criteria_defined": 0}, MaturityPhase.A),
        ({"mean_coverage": None}, MaturityPhase.B),
        # D criteria met but C not: phases are reached in order
        ({"initiative_share": 0.1}, MaturityPhase.B),
    ],
)
def test_maturity_phases_from_measures(
    changes: dict[str, float | None], phase: MaturityPhase
) -> None:
    result = assess_maturity({**FULL, **changes})
    assert result.phase is phase
    assert len(result.criteria) == len(MATURITY_CRITERIA)
    if phase is MaturityPhase.D:
        assert result.next_steps == []
    else:
        assert result.next_steps
