"""The one-call analysis on a synthetic portfolio: views, extras, finite outputs."""

from __future__ import annotations

import json
import math
from functools import cache

import numpy as np
import pytest

from kambot.core.analyse import AnalysisOptions, KeySource, PortfolioAnalysis, analyse_portfolio
from kambot.core.synthetic import shuffle_portfolio, synthetic_portfolio, synthetic_programme
from kambot.domain.analysis import Quadrant, Tier
from kambot.errors import DataError


@cache
def _analysis() -> PortfolioAnalysis:
    pf = synthetic_portfolio(
        2_000,
        20_000,
        n_revenue=20_000,
        n_contacts=6_000,
        n_activities=6_000,
        n_initiatives=800,
        seed=3,
    )
    return analyse_portfolio(pf, synthetic_programme())


def _assert_finite_json(payload: object) -> None:
    text = json.dumps(payload, default=str, allow_nan=False)  # raises on NaN / inf
    assert "NaN" not in text and "Infinity" not in text


def test_selection_tiers_and_segments_are_consistent() -> None:
    a = _analysis()
    sel = a.selection_result
    assert len(sel.selected) == sel.capacity == 25  # 8 KAMs x 4 = 32 > 25
    assert all(
        s.segment in {"healthcare", "energy", "manufacturing", "retail"} for s in sel.selected
    )
    assert a.selection.selected.sum() == 25
    # synthetic rule 1: key accounts in strategic/star are gold; rule 2 the other key ones silver
    for s in sel.selected:
        t = a.tier_assignment(s.external_id)
        expected = Tier.GOLD if s.quadrant in (Quadrant.STRATEGIC, Quadrant.STAR) else Tier.SILVER
        assert t.tier is expected
    assert sum(a.tiers.counts().values()) == len(a.portfolio.accounts)
    assert [r.rank for r in a.segments.rankings] == [1, 2, 3, 4]
    assert a.notes  # default criteria were used and said so


def test_per_account_views_are_finite_and_explain_the_score() -> None:
    a = _analysis()
    for ext in (a.selection_result.selected[0].external_id, "ACC000007", "ACC001999"):
        score = a.account_score(ext)
        total = sum(c.contribution for c in score.contributions if c.axis.value == "attractiveness")
        assert total == pytest.approx(score.attractiveness)
        _assert_finite_json(score.model_dump(mode="json"))
        _assert_finite_json(a.account_kpis(ext).model_dump(mode="json"))
        _assert_finite_json(a.account_scenarios(ext).model_dump(mode="json"))
    with pytest.raises(DataError):
        a.account_score("nope")


def test_every_result_model_serialises_without_nan() -> None:
    a = _analysis()
    _assert_finite_json(a.selection_result.model_dump(mode="json"))
    _assert_finite_json([r.model_dump(mode="json") for r in a.segments.rankings])
    _assert_finite_json(a.programme_kpis().model_dump(mode="json"))
    _assert_finite_json(a.programme_kpis("selection").model_dump(mode="json"))
    _assert_finite_json(a.programme_scenarios().model_dump(mode="json"))
    _assert_finite_json(a.sensitivity().model_dump(mode="json"))
    _assert_finite_json([s.model_dump(mode="json") for s in a.tier_summary("country")])
    _assert_finite_json([s.model_dump(mode="json") for s in a.matrix.missing_summary()])
    for i in range(0, len(a.portfolio.accounts), 97):
        _assert_finite_json(a.kpis.row(i).model_dump(mode="json"))


def test_programme_kpis_default_to_current_key_accounts() -> None:
    a = _analysis()
    current = a.programme_kpis()
    assert current.key_source == "current"
    assert current.key_accounts == int(a.portfolio.accounts.is_key_account.sum())
    proposed = a.programme_kpis("selection")
    assert proposed.key_source == "selection" and proposed.key_accounts == 25


def test_sensitivity_reports_every_criterion_both_ways() -> None:
    a = _analysis()
    report = a.sensitivity()
    assert len(report.variants) == 2 * len(a.matrix.criteria)
    assert set(report.stable) | set(report.fragile) == set(report.base_selection)
    for v in report.variants:
        for axis in ("attractiveness", "strength"):
            on_axis = [v.weights[c.key] for c in a.matrix.criteria if c.axis.value == axis]
            assert sum(on_axis) == pytest.approx(100, abs=1e-4)


def test_results_do_not_depend_on_row_order() -> None:
    a = _analysis()
    b = analyse_portfolio(shuffle_portfolio(a.portfolio, seed=11), a.programme)
    assert [s.external_id for s in b.selection_result.selected] == [
        s.external_id for s in a.selection_result.selected
    ]
    order = [b.index_of(e) for e in a.portfolio.accounts.external_ids]
    assert b.tiers.tier[order].tolist() == a.tiers.tier.tolist()
    assert b.matrix.quadrant[order].tolist() == a.matrix.quadrant.tolist()
    np.testing.assert_allclose(b.kpis.revenue_ttm[order], a.kpis.revenue_ttm, rtol=1e-12)
    np.testing.assert_allclose(b.matrix.attractiveness[order], a.matrix.attractiveness, atol=1e-9)


def test_tiers_can_follow_the_current_key_accounts() -> None:
    a = _analysis()
    opts = AnalysisOptions(tier_key_accounts="current")
    b = analyse_portfolio(a.portfolio, a.programme, opts)
    gold_or_silver = b.tiers.rule[a.portfolio.accounts.is_key_account] >= 0
    assert gold_or_silver.all()


def test_empty_portfolio_is_analysed_without_error() -> None:
    pf = synthetic_portfolio(
        0, 0, n_revenue=0, n_contacts=0, n_activities=0, n_initiatives=0, n_key_accounts=0
    )
    a = analyse_portfolio(pf, synthetic_programme())
    assert a.selection_result.selected == [] and a.selection_result.eligible == 0
    assert a.tiers.counts() == {"gold": 0, "silver": 0, "bronze": 0}
    p = a.programme_kpis()
    assert p.key_accounts == 0 and p.key_revenue_share is None
    assert not math.isnan(a.programme_scenarios().revenue_ttm)


def test_programme_kpis_plan_sponsor_meetings_by_the_tiers_of_their_key_accounts() -> None:
    a = _analysis()
    # Synthetic rules make every key account gold or silver, whichever list is used.
    sources: tuple[KeySource, ...] = ("current", "selection")
    for source in sources:
        meetings = a.programme_kpis(source).building_blocks.sponsor_meetings
        by_tier = {m.tier: m.accounts for m in meetings}
        assert by_tier[Tier.BRONZE] == 0
        assert by_tier[Tier.GOLD] + by_tier[Tier.SILVER] == a.key_mask(source).sum()
