"""Three-year scenarios with stated assumptions, computed by hand."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from kambot.core.builders import build_portfolio
from kambot.core.kpis import compute_account_kpis
from kambot.core.scenarios import ScenarioConfig, ScenarioTable, project_scenarios, yearly_trend
from kambot.domain.programme import Programme
from kambot.errors import DataError

D = date
AS_OF = D(2025, 6, 15)


def _table(config: ScenarioConfig | None = None, y2024: float = 121) -> ScenarioTable:
    accounts: list[dict[str, Any]] = [
        {"external_id": "A", "potential": 1500, "satisfaction": 5},
        {"external_id": "B", "potential": 100, "satisfaction": 9},
        {"external_id": "E"},
    ]
    revenue: list[dict[str, Any]] = [
        {"account": "A", "month": D(2022, 3, 1), "amount": 100},
        {"account": "A", "month": D(2024, 3, 1), "amount": y2024},
        {"account": "A", "month": D(2025, 1, 1), "amount": 200},
        {"account": "B", "month": D(2023, 3, 1), "amount": 100},
        {"account": "B", "month": D(2024, 8, 1), "amount": 80},
        {"account": "B", "month": D(2024, 3, 1), "amount": 100},
    ]
    opportunities = [{"account": "A", "stage": "open", "value": 100, "probability": 0.5}]
    activities: list[dict[str, Any]] = [
        {"account": "B", "kind": "escalation", "occurred_on": D(2025, 6, 1)},
        {"account": "B", "kind": "executive_meeting", "occurred_on": D(2025, 6, 1)},
    ]
    pf = build_portfolio(
        AS_OF, accounts, revenue=revenue, opportunities=opportunities, activities=activities
    )
    kpis = compute_account_kpis(pf, Programme(name="p"))
    return project_scenarios(kpis, pf.accounts.potential, 0.35, config)


def test_base_upside_downside_by_hand() -> None:
    t = _table()
    assert t.trend_years == (2022, 2024)
    assert t.trend[0] == pytest.approx(0.1)  # (121 / 100) ** (1/2) - 1
    # base: 200 * 1.1 + 50 (weighted pipeline), then +10% a year
    assert t.base[0].tolist() == pytest.approx([270.0, 297.0, 326.7])
    # upside: whitespace 1500/3 - 200 = 300, 35% of it captured linearly over 3 years
    assert t.upside[0].tolist() == pytest.approx([305.0, 367.0, 431.7])
    # downside: low satisfaction (10%) + no executive contact (10%), no growth kept
    assert t.haircut[0] == pytest.approx(0.2)
    assert t.downside[0].tolist() == pytest.approx([160.0, 160.0, 160.0])


def test_negative_trend_and_escalation_cut_the_downside() -> None:
    t = _table()
    # B: 2023 = 100, 2024 = 180 ... trend over 2023-2024 only (2022 is 0): not both positive
    assert t.trend[1] == pytest.approx(0.0)
    assert t.signals[1].tolist() == [True, False, True, False]  # escalation, negative growth
    assert t.haircut[1] == pytest.approx(0.15)
    ttm_b = 80.0  # Jun 2024 .. May 2025
    assert t.downside[1].tolist() == pytest.approx([ttm_b * 0.85] * 3)
    assert t.upside[1].tolist() == pytest.approx(t.base[1].tolist())  # no whitespace


def test_trend_is_capped() -> None:
    t = _table(y2024=400)
    assert t.trend[0] == pytest.approx(0.15)  # (400/100)^(1/2) - 1 = 1.0 capped
    assert t.base[0, 0] == pytest.approx(200 * 1.15 + 50)


def test_account_with_no_data_projects_zero_with_full_risk() -> None:
    t = _table()
    assert t.base[2].tolist() == [0.0, 0.0, 0.0]
    assert t.upside[2].tolist() == [0.0, 0.0, 0.0]
    assert t.downside[2].tolist() == [0.0, 0.0, 0.0]
    for values in (t.base, t.upside, t.downside, t.trend, t.haircut):
        assert np.isfinite(values).all()


def test_haircut_is_capped() -> None:
    cuts = {
        "open_escalation": 0.3,
        "low_satisfaction": 0.3,
        "negative_growth": 0.3,
        "no_executive_contact": 0.3,
    }
    t = _table(ScenarioConfig(haircuts=cuts, max_haircut=0.4))
    assert t.haircut[0] == pytest.approx(0.4)


def test_account_set_states_assumptions_as_text_and_numbers() -> None:
    s = _table().account(0)
    assert s.scope == "A" and s.revenue_ttm == 200 and s.accounts == 1
    names = [x.name for x in s.scenarios]
    assert names == ["base", "upside", "downside"]
    base, upside, downside = s.scenarios
    assert base.total == pytest.approx(270 + 297 + 326.7)
    assert base.parameters["trend"] == pytest.approx(0.1)
    assert base.parameters["weighted_pipeline"] == 50
    assert any("2022-2024" in a and "15%" in a for a in base.assumptions)
    assert upside.parameters == {"whitespace": 300.0, "share_of_wallet_target": 0.35}
    assert downside.parameters["haircut"] == pytest.approx(0.2)
    assert set(s.risk_signals) == {"low_satisfaction", "no_executive_contact"}


def test_programme_aggregate_sums_accounts() -> None:
    t = _table()
    mask = np.array([True, True, False])
    s = t.aggregate(mask)
    assert s.scope == "programme" and s.accounts == 2
    assert s.scenarios[0].years == pytest.approx((t.base[0] + t.base[1]).tolist())
    assert s.scenarios[2].parameters["accounts_at_risk"] == 2
    assert any(r.startswith("open_escalation: 1") for r in s.risk_signals)
    empty = t.aggregate(np.zeros(3, dtype=bool))
    assert empty.revenue_ttm == 0 and empty.scenarios[0].total == 0


def test_yearly_trend_needs_two_complete_years() -> None:
    pf = build_portfolio(D(2025, 6, 15), [{"external_id": "x"}])
    from kambot.core.kpis import KpiConfig

    kpis = compute_account_kpis(pf, Programme(name="p"), KpiConfig(revenue_years=2))
    trend, span = yearly_trend(kpis, 3, 0.15)
    assert span is None and trend.tolist() == [0.0]


def test_year_end_as_of_counts_the_current_year_as_complete() -> None:
    pf = build_portfolio(D(2024, 12, 31), [{"external_id": "x"}])
    kpis = compute_account_kpis(pf, Programme(name="p"))
    assert yearly_trend(kpis, 3, 0.15)[1] == (2022, 2024)


@pytest.mark.parametrize(
    "kwargs",
    [{"years": 0}, {"trend_years": 1}, {"haircuts": {"open_escalation": 0.1}}, {"max_haircut": 2}],
)
def test_bad_config_is_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(DataError):
        ScenarioConfig(**kwargs)  # type: ignore[arg-type]
