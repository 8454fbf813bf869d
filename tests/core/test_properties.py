"""Property tests: capacity, one tier per account, row-order independence, defined KPIs,
and weights that do not sum to 100 refused."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from kambot.core.analyse import analyse_portfolio
from kambot.core.builders import build_portfolio
from kambot.core.frames import PortfolioFrame
from kambot.core.matrix import DEFAULT_CRITERIA
from kambot.core.synthetic import shuffle_portfolio
from kambot.domain.programme import (
    Axis,
    Capacity,
    Criterion,
    MissingPolicy,
    Normalisation,
    Programme,
    StrategicSegment,
    TierRule,
)

AS_OF = date(2025, 6, 15)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

maybe_int = st.none() | st.integers(0, 10_000_000)
day = st.integers(-900, 60).map(lambda d: AS_OF + timedelta(days=d))
maybe_day = st.none() | day


@st.composite
def portfolios(draw: st.DrawFn) -> PortfolioFrame:
    n = draw(st.integers(1, 15))
    ext = draw(
        st.lists(st.text("abcxyz0123", min_size=1, max_size=4), min_size=n, max_size=n, unique=True)
    )
    accounts: list[dict[str, Any]] = [
        {
            "external_id": e,
            "segment": draw(st.sampled_from([None, "core", "growth", "other"])),
            "industry": draw(st.sampled_from([None, "pharma", "retail"])),
            "country": draw(st.sampled_from([None, "FR", "DE"])),
            "business_unit": draw(st.sampled_from([None, "Industrial", "Services"])),
            "potential": draw(maybe_int),
            "annual_revenue": draw(maybe_int),
            "margin_pct": draw(st.none() | st.integers(-20, 60)),
            "relationship_stage": draw(st.none() | st.integers(1, 5)),
            "satisfaction": draw(st.none() | st.integers(0, 10)),
            "kam": draw(st.sampled_from([None, "k1", "k2"])),
            "sponsor": draw(st.sampled_from([None, "e1"])),
            "is_key_account": draw(st.booleans()),
            "selected_on": draw(maybe_day),
            "plan_validated_on": draw(maybe_day),
        }
        for e in ext
    ]
    acct = st.sampled_from(ext)
    revenue = draw(
        st.lists(
            st.fixed_dictionaries(
                {"account": acct, "month": day, "amount": st.integers(-1_000, 100_000)}
            ),
            max_size=30,
        )
    )
    opportunities = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "account": acct,
                    "stage": st.sampled_from(["open", "won", "lost"]),
                    "value": maybe_int,
                    "probability": st.none() | st.integers(0, 20).map(lambda p: p / 20),
                    "created_on": maybe_day,
                    "closed_on": maybe_day,
                }
            ),
            max_size=30,
        )
    )
    contacts = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "account": acct,
                    "role": st.sampled_from(
                        ["economic_buyer", "decision_maker", "champion", "user"]
                    ),
                    "level": st.sampled_from(["c_level", "vp", "manager"]),
                    "last_contact": maybe_day,
                }
            ),
            max_size=20,
        )
    )
    activities = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "account": acct,
                    "kind": st.sampled_from(
                        ["executive_meeting", "sponsor_meeting", "escalation", "note"]
                    ),
                    "occurred_on": day,
                    "resolved_on": maybe_day,
                }
            ),
            max_size=20,
        )
    )
    initiatives = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "account": acct,
                    "status": st.sampled_from(["proposed", "validated", "done", "dropped"]),
                    "resources_requested": st.none() | st.integers(0, 100),
                    "resources_committed": st.none() | st.integers(0, 100),
                }
            ),
            max_size=10,
        )
    )
    return build_portfolio(
        AS_OF,
        accounts,
        revenue=revenue,
        opportunities=opportunities,
        contacts=contacts,
        activities=activities,
        initiatives=initiatives,
    )


tier_rules = st.lists(
    st.builds(
        TierRule,
        tier=st.sampled_from(["gold", "silver", "bronze"]),
        scope=st.sampled_from([None, "country:FR", "bu:Services", "country:JP"]),
        key_account=st.sampled_from([None, True, False]),
        quadrants=st.sampled_from([None, ["strategic"], ["star", "status"]]),
        min_revenue_ttm=st.none() | st.integers(0, 50_000),
        min_potential=st.none() | st.integers(0, 5_000_000),
    ),
    max_size=4,
)


@st.composite
def programmes(draw: st.DrawFn) -> Programme:
    segments = draw(
        st.sampled_from(
            [
                [],
                [
                    StrategicSegment(
                        key="core", name="Core", value_proposition_fit=4, industries=["pharma"]
                    )
                ],
                [
                    StrategicSegment(key="core", name="Core", value_proposition_fit=4),
                    StrategicSegment(key="growth", name="Growth", value_proposition_fit=2),
                ],
            ]
        )
    )
    criteria = draw(
        st.sampled_from(
            [
                [],
                list(DEFAULT_CRITERIA),
                [
                    Criterion(
                        key="whitespace",
                        axis=Axis.ATTRACTIVENESS,
                        weight=70,
                        normalisation=Normalisation.RANK,
                        missing=MissingPolicy.EXCLUDE,
                    ),
                    Criterion(
                        key="revenue_growth",
                        axis=Axis.ATTRACTIVENESS,
                        weight=30,
                        missing=MissingPolicy.MEDIAN,
                    ),
                    Criterion(
                        key="days_since_executive_contact",
                        axis=Axis.STRENGTH,
                        weight=100,
                        higher_is_better=False,
                        missing=MissingPolicy.ZERO,
                    ),
                ],
            ]
        )
    )
    capacity = Capacity(
        max_key_accounts=draw(st.integers(1, 12)),
        accounts_per_kam=draw(st.integers(1, 4)),
        kams=draw(st.none() | st.integers(0, 3)),
    )
    return Programme(
        name="p",
        segments=segments,
        criteria=criteria,
        capacity=capacity,
        tier_rules=draw(tier_rules),
    )


@SETTINGS
@given(portfolios(), programmes())
def test_selection_never_exceeds_capacity(pf: PortfolioFrame, prog: Programme) -> None:
    a = analyse_portfolio(pf, prog)
    selected = a.selection.selected
    assert selected.sum() <= prog.capacity.effective_max
    assert selected.sum() == min(prog.capacity.effective_max, int(a.selection.eligible.sum()))
    assert not (selected & ~a.selection.eligible).any()
    if prog.segments:
        assert a.segments.in_strategic[selected].all()
    ids = [s.external_id for s in a.selection_result.selected]
    assert len(ids) == len(set(ids)) == selected.sum()


@SETTINGS
@given(portfolios(), programmes())
def test_every_account_gets_exactly_one_tier(pf: PortfolioFrame, prog: Programme) -> None:
    a = analyse_portfolio(pf, prog)
    n = len(pf.accounts)
    assert a.tiers.tier.shape == (n,)
    assert set(a.tiers.tier.tolist()) <= {0, 1, 2}
    assert sum(a.tiers.counts().values()) == n
    for ext in pf.accounts.external_ids:
        a.tier_assignment(ext)  # one view per account, always valid


@SETTINGS
@given(portfolios(), programmes(), st.integers(0, 2**16))
def test_results_do_not_depend_on_row_order(pf: PortfolioFrame, prog: Programme, seed: int) -> None:
    a = analyse_portfolio(pf, prog)
    b = analyse_portfolio(shuffle_portfolio(pf, seed), prog)
    assert b.selection.selected_ids(b.matrix.external_ids) == a.selection.selected_ids(
        a.matrix.external_ids
    )
    assert [r.external_id for r in b.selection_result.runners_up] == [
        r.external_id for r in a.selection_result.runners_up
    ]
    order = [b.index_of(e) for e in pf.accounts.external_ids]
    assert b.tiers.tier[order].tolist() == a.tiers.tier.tolist()
    assert b.matrix.quadrant[order].tolist() == a.matrix.quadrant.tolist()
    np.testing.assert_array_equal(b.matrix.attractiveness[order], a.matrix.attractiveness)
    np.testing.assert_array_equal(b.matrix.strength[order], a.matrix.strength)
    for column in (
        "revenue_ttm",
        "weighted_pipeline",
        "win_rate",
        "sales_cycle_days",
        "buying_centre_coverage",
        "days_since_executive_contact",
    ):
        np.testing.assert_array_equal(getattr(b.kpis, column)[order], getattr(a.kpis, column))
    assert [r.model_dump() for r in b.segments.rankings] == [
        r.model_dump() for r in a.segments.rankings
    ]
    assert b.programme_kpis().model_dump() == a.programme_kpis().model_dump()


@SETTINGS
@given(portfolios(), programmes())
def test_kpis_are_defined_for_every_account_even_without_data(
    pf: PortfolioFrame, prog: Programme
) -> None:
    a = analyse_portfolio(pf, prog)
    for name, value in vars(a.kpis).items():
        if isinstance(value, np.ndarray) and value.dtype.kind == "f":
            assert not np.isinf(value).any(), name
    for i in range(len(pf.accounts)):
        a.kpis.row(i)  # pydantic refuses NaN / inf: every figure is a number or None
        a.matrix.account_score(i)
    assert np.isfinite(a.matrix.attractiveness).all() and np.isfinite(a.matrix.strength).all()
    assert ((a.matrix.attractiveness >= 0) & (a.matrix.attractiveness <= 1)).all()
    a.programme_kpis()
    a.programme_scenarios()
    table = a.scenarios()
    assert np.isfinite(table.base).all() and np.isfinite(table.downside).all()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 100), min_size=1, max_size=5))
def test_weights_not_summing_to_100_are_refused(weights: list[int]) -> None:
    keys = ["potential", "whitespace", "segment_fit", "customer_revenue", "employees"]
    criteria = [
        Criterion(key=keys[k], axis=Axis.ATTRACTIVENESS, weight=w) for k, w in enumerate(weights)
    ]
    if sum(weights) == 100:
        Programme(name="p", criteria=criteria)
        return
    with pytest.raises(ValidationError) as err:
        Programme(name="p", criteria=criteria)
    message = str(err.value)
    assert f"attractiveness axis sum to {sum(weights)}, not 100" in message
    assert "adjust them so that they add up to 100" in message


def test_weights_are_checked_per_axis() -> None:
    with pytest.raises(ValidationError, match="strength axis sum to 90"):
        Programme(
            name="p",
            criteria=[
                Criterion(key="potential", axis=Axis.ATTRACTIVENESS, weight=100),
                Criterion(key="win_rate", axis=Axis.STRENGTH, weight=60),
                Criterion(key="satisfaction", axis=Axis.STRENGTH, weight=30),
            ],
        )
