"""Account KPIs on a hand-built portfolio, with values computed by hand."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pytest

from kambot.core.builders import build_portfolio
from kambot.core.frames import PortfolioFrame, month_index
from kambot.core.kpis import KpiConfig, compute_account_kpis, last_complete_month
from kambot.domain.programme import Programme
from kambot.errors import DataError

AS_OF = date(2025, 6, 15)
D = date


def _portfolio(as_of: date = AS_OF) -> PortfolioFrame:
    accounts: list[dict[str, Any]] = [
        {
            "external_id": "A",
            "potential": 900,
            "margin_pct": 20,
            "sponsor": "exec01",
            "relationship_stage": 3,
            "satisfaction": 7.5,
        },
        {"external_id": "B"},
        {"external_id": "C"},
    ]
    revenue: list[dict[str, Any]] = [
        {"account": "A", "month": D(2025, 5, 1), "amount": 100},
        {"account": "A", "month": D(2024, 6, 1), "amount": 50},
        {"account": "A", "month": D(2024, 5, 1), "amount": 30},
        {"account": "A", "month": D(2023, 6, 1), "amount": 20},
        {"account": "A", "month": D(2023, 5, 1), "amount": 999},
        {"account": "A", "month": D(2025, 6, 1), "amount": 77},
        {"account": "A", "month": D(2025, 7, 1), "amount": 5},
        {"account": "A", "month": D(2025, 4, 1), "amount": None},
        {"account": "C", "month": D(2025, 1, 1), "amount": 10},
    ]
    opportunities: list[dict[str, Any]] = [
        {"account": "A", "stage": "open", "value": 1000, "probability": 0.5},
        {"account": "A", "stage": "open", "value": 200},
        {"account": "A", "stage": "open", "probability": 0.9},
        {
            "account": "A",
            "stage": "open",
            "value": 5000,
            "probability": 1,
            "created_on": D(2025, 7, 1),
        },
        {
            "account": "A",
            "stage": "won",
            "value": 300,
            "created_on": D(2025, 1, 1),
            "closed_on": D(2025, 1, 31),
        },
        {
            "account": "A",
            "stage": "won",
            "value": 500,
            "created_on": D(2024, 1, 1),
            "closed_on": D(2024, 4, 10),
        },
        {"account": "A", "stage": "won", "created_on": D(2024, 3, 1), "closed_on": D(2024, 3, 21)},
        {"account": "A", "stage": "lost", "value": 50, "closed_on": D(2025, 2, 1)},
        {"account": "A", "stage": "lost", "value": 50, "closed_on": D(2025, 8, 1)},
    ]
    contacts: list[dict[str, Any]] = [
        {
            "account": "A",
            "role": "decision_maker",
            "level": "director",
            "last_contact": D(2025, 5, 1),
        },
        {"account": "A", "role": "champion", "level": "vp", "last_contact": D(2025, 6, 1)},
        {
            "account": "A",
            "role": "economic_buyer",
            "level": "c_level",
            "last_contact": D(2025, 6, 20),
        },
        {"account": "C", "role": "user", "level": "c_level"},
    ]
    activities: list[dict[str, Any]] = [
        {"account": "A", "kind": "executive_meeting", "occurred_on": D(2025, 6, 10)},
        {"account": "A", "kind": "sponsor_meeting", "occurred_on": D(2025, 1, 10)},
        {"account": "A", "kind": "sponsor_meeting", "occurred_on": D(2024, 5, 1)},
        {"account": "A", "kind": "escalation", "occurred_on": D(2025, 6, 1)},
        {
            "account": "A",
            "kind": "escalation",
            "occurred_on": D(2025, 1, 1),
            "resolved_on": D(2025, 1, 8),
        },
        {
            "account": "A",
            "kind": "escalation",
            "occurred_on": D(2025, 2, 1),
            "resolved_on": D(2025, 3, 1),
        },
        {
            "account": "A",
            "kind": "escalation",
            "occurred_on": D(2025, 6, 10),
            "resolved_on": D(2025, 6, 20),
        },
        {"account": "C", "kind": "meeting", "occurred_on": D(2025, 6, 1)},
    ]
    initiatives: list[dict[str, Any]] = [
        {
            "account": "A",
            "status": "validated",
            "resources_requested": 10,
            "resources_committed": 8,
        },
        {"account": "A", "status": "proposed", "resources_requested": 5},
        {"account": "A", "status": "dropped"},
    ]
    return build_portfolio(
        as_of,
        accounts,
        revenue=revenue,
        opportunities=opportunities,
        contacts=contacts,
        activities=activities,
        initiatives=initiatives,
    )


PROGRAMME = Programme(name="p", revenue_target_growth=0.10, escalation_target_days=10)


def test_last_complete_month_counts_the_current_month_only_on_its_last_day() -> None:
    assert last_complete_month(date(2025, 6, 15)) == month_index(date(2025, 5, 1))
    assert last_complete_month(date(2025, 6, 30)) == month_index(date(2025, 6, 1))
    assert last_complete_month(date(2024, 2, 29)) == month_index(date(2024, 2, 1))


def test_revenue_windows_growth_share_of_wallet_and_margin() -> None:
    k = compute_account_kpis(_portfolio(), PROGRAMME).row(0)
    assert k.revenue_ttm == 150  # Jun 2024 .. May 2025; June 2025 is incomplete, July future
    assert k.revenue_previous_12m == 50  # Jun 2023 .. May 2024
    assert k.revenue_growth == pytest.approx(2.0)
    assert k.revenue_by_year == {2022: 0.0, 2023: 1019.0, 2024: 80.0, 2025: 177.0}
    assert k.share_of_wallet == pytest.approx(150 / 300)
    assert k.margin_pct == 20
    assert k.margin_ttm == pytest.approx(30)


def test_ttm_window_includes_the_as_of_month_on_its_last_day() -> None:
    k = compute_account_kpis(_portfolio(date(2025, 6, 30)), PROGRAMME).row(0)
    assert k.revenue_ttm == 100 + 77  # Jul 2024 .. Jun 2025
    assert k.revenue_previous_12m == 50 + 30  # Jul 2023 .. Jun 2024: June 2023 is out


def test_pipeline_weighted_with_default_probability_and_coverage() -> None:
    k = compute_account_kpis(_portfolio(), PROGRAMME).row(0)
    assert k.open_opportunities == 3  # the one created after as_of does not exist yet
    assert k.open_pipeline == 1200
    assert k.weighted_pipeline == pytest.approx(1000 * 0.5 + 200 * 0.3)
    assert k.open_without_value == 1
    assert k.probability_defaulted == 1
    assert k.pipeline_coverage == pytest.approx(560 / (150 * 0.10))


def test_default_probability_is_a_parameter() -> None:
    k = compute_account_kpis(_portfolio(), PROGRAMME, KpiConfig(default_open_probability=0.5)).row(
        0
    )
    assert k.weighted_pipeline == pytest.approx(600)


def test_win_rate_average_deal_and_median_sales_cycle() -> None:
    k = compute_account_kpis(_portfolio(), PROGRAMME).row(0)
    assert (k.won, k.lost) == (3, 1)  # the deal lost after as_of is not counted
    assert k.win_rate == pytest.approx(0.75)
    assert k.average_won_deal == pytest.approx(400)  # the won deal without value is left out
    assert k.sales_cycle_days == 30  # median of 30, 100 and 20 days


def test_mean_sales_cycle_on_request() -> None:
    k = compute_account_kpis(_portfolio(), PROGRAMME, KpiConfig(sales_cycle="mean")).row(0)
    assert k.sales_cycle_days == pytest.approx(50)


def test_buying_centre_and_executive_contact() -> None:
    table = compute_account_kpis(_portfolio(), PROGRAMME)
    a = table.row(0)
    assert a.buying_centre.model_dump() == {
        "executive_sponsor": True,
        "decision_maker": True,
        "champion": True,
        "economic_buyer": True,
        "coverage": 1.0,
    }
    # The executive meeting of 10 June beats the vp contact of 1 June; 20 June is future.
    assert a.last_executive_contact == date(2025, 6, 10)
    assert a.days_since_executive_contact == 5
    c = table.row(2)
    assert c.buying_centre.coverage == 0.0
    assert c.last_executive_contact is None  # a c-level contact with no date is no contact


def test_escalations_sponsor_meetings_and_initiatives() -> None:
    a = compute_account_kpis(_portfolio(), PROGRAMME).row(0)
    assert a.open_escalations == 2  # one unresolved, one resolved after as_of
    assert a.overdue_escalations == 1  # open for 14 days > 10
    table = compute_account_kpis(_portfolio(), PROGRAMME)
    assert table.escalations_resolved[0] == 2
    assert table.escalations_within_target[0] == 1
    assert a.sponsor_meetings_12m == 1
    assert a.initiatives == {
        "proposed": 1,
        "validated": 1,
        "in_progress": 0,
        "done": 0,
        "dropped": 1,
    }
    assert (a.resources_requested, a.resources_committed) == (15, 8)


def test_account_with_no_data_has_defined_kpis() -> None:
    b = compute_account_kpis(_portfolio(), PROGRAMME).row(1)
    assert b.revenue_ttm == 0 and b.revenue_previous_12m == 0
    assert b.revenue_growth is None
    assert b.share_of_wallet is None
    assert b.margin_pct is None and b.margin_ttm is None
    assert b.pipeline_coverage is None
    assert b.win_rate is None and b.average_won_deal is None and b.sales_cycle_days is None
    assert b.buying_centre.coverage == 0
    assert b.days_since_executive_contact is None
    assert b.relationship_stage is None and b.satisfaction is None
    assert b.open_escalations == 0


def test_growth_undefined_without_previous_revenue_and_zero_coverage_without_pipeline() -> None:
    c = compute_account_kpis(_portfolio(), PROGRAMME).row(2)
    assert c.revenue_ttm == 10
    assert c.revenue_growth is None
    assert c.pipeline_coverage == 0.0


def test_no_growth_target_leaves_coverage_undefined_and_says_so() -> None:
    table = compute_account_kpis(_portfolio(), Programme(name="p", revenue_target_growth=0.0))
    assert np.isnan(table.pipeline_coverage).all()
    assert any("revenue_target_growth" in n for n in table.notes)


def test_columns_hold_no_infinity() -> None:
    table = compute_account_kpis(_portfolio(), PROGRAMME)
    for name, value in vars(table).items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            assert not np.isinf(value).any(), name


def test_index_of_unknown_account_is_a_data_error() -> None:
    table = compute_account_kpis(_portfolio(), PROGRAMME)
    assert table.index_of("C") == 2
    with pytest.raises(DataError, match="no account with external id 'Z'"):
        table.index_of("Z")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"default_open_probability": 1.5}, "default_open_probability"),
        ({"revenue_years": 0}, "revenue_years"),
        ({"executive_levels": ("boss",)}, "unknown executive level"),
    ],
)
def test_bad_kpi_config_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(DataError, match=message):
        KpiConfig(**kwargs)  # type: ignore[arg-type]


def test_sales_cycle_is_nan_free_with_many_accounts() -> None:
    table = compute_account_kpis(_portfolio(), PROGRAMME)
    assert math.isnan(table.sales_cycle_days[1])
