"""The attractiveness x strength matrix: normalisations, missing policies, quadrants."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kambot.core.matrix import (
    DEFAULT_CRITERIA,
    METRICS,
    QUADRANTS,
    MatrixTable,
    normalise,
    quadrant_codes,
    resolve_criteria,
    score_matrix,
)
from kambot.domain.analysis import Quadrant
from kambot.domain.programme import Axis, Criterion, MissingPolicy, Normalisation, Programme
from kambot.errors import DataError

NAN = math.nan


def _norm(values: list[float], method: Normalisation, **kw: object) -> list[float]:
    out = normalise(np.array(values, dtype=float), method, **kw)  # type: ignore[arg-type]
    return [round(float(v), 9) if not math.isnan(v) else v for v in out]


def test_minmax() -> None:
    out = _norm([1, 3, NAN, 5], Normalisation.MINMAX)
    assert out[:2] == [0.0, 0.5] and math.isnan(out[2]) and out[3] == 1.0


def test_log_minmax_compresses_skewed_values() -> None:
    e = math.e
    assert _norm([0, e - 1, e**2 - 1], Normalisation.LOG_MINMAX) == [0.0, 0.5, 1.0]


def test_rank_averages_ties() -> None:
    assert _norm([10, 20, 20, 30], Normalisation.RANK) == [0.0, 0.5, 0.5, 1.0]


def test_scale_is_clipped() -> None:
    assert _norm([1, 3, 6, 0], Normalisation.SCALE, scale=(1.0, 5.0)) == [0.0, 0.5, 1.0, 0.0]


def test_lower_is_better_flips() -> None:
    assert _norm([1, 3, 5], Normalisation.MINMAX, higher_is_better=False) == [1.0, 0.5, 0.0]


@pytest.mark.parametrize(
    "method", [Normalisation.MINMAX, Normalisation.LOG_MINMAX, Normalisation.RANK]
)
def test_no_spread_is_neutral(method: Normalisation) -> None:
    assert _norm([7, 7, 7], method) == [0.5, 0.5, 0.5]
    assert _norm([7], method) == [0.5]


def test_all_missing_stays_missing() -> None:
    assert all(math.isnan(v) for v in _norm([NAN, NAN], Normalisation.RANK))


def _crit(key: str, axis: Axis, weight: float, **kw: object) -> Criterion:
    return Criterion(key=key, axis=axis, weight=weight, **kw)  # type: ignore[arg-type]


CRITERIA = [
    _crit("potential", Axis.ATTRACTIVENESS, 60),
    _crit(
        "satisfaction",
        Axis.ATTRACTIVENESS,
        40,
        normalisation=Normalisation.SCALE,
        scale=(0, 10),
        missing=MissingPolicy.EXCLUDE,
    ),
    _crit("win_rate", Axis.STRENGTH, 100, missing=MissingPolicy.MEDIAN),
]
RAW = np.array([[0, 10, NAN], [5, NAN, 2], [10, 0, 4]], dtype=float)


def _matrix(threshold: float = 0.5) -> MatrixTable:
    return score_matrix(
        RAW,
        CRITERIA,
        ids=np.array([1, 2, 3]),
        external_ids=["x", "y", "z"],
        names=["X", "Y", "Z"],
        threshold=threshold,
    )


def test_axis_scores_with_exclude_and_median_policies() -> None:
    m = _matrix()
    # x: 0.6*0 + 0.4*1 ; y: satisfaction excluded -> potential carries 100% ; z: 0.6*1 + 0
    assert m.attractiveness.tolist() == pytest.approx([0.4, 0.5, 0.6])
    # win_rate minmax over (2, 4): y 0, z 1; x missing -> median of (0, 1) = 0.5
    assert m.strength.tolist() == pytest.approx([0.5, 0.0, 1.0])
    assert m.effective_weight[1].tolist() == pytest.approx([100, 0, 100])
    assert m.missing.tolist() == [[False, False, True], [False, True, False], [False, False, False]]


def test_quadrants_named_as_documented() -> None:
    m = _matrix()
    names = [QUADRANTS[q].value for q in m.quadrant]
    # x low attr / high strength, y high attr (0.5 is high) / low strength, z high / high
    assert names == ["status", "star", "strategic"]
    assert m.quadrant_counts() == {"strategic": 1, "star": 1, "status": 1, "streamline": 0}


def test_threshold_is_configurable() -> None:
    m = _matrix(threshold=0.55)
    assert [QUADRANTS[q] for q in m.quadrant] == [
        Quadrant.STREAMLINE,
        Quadrant.STREAMLINE,
        Quadrant.STRATEGIC,
    ]
    with pytest.raises(DataError, match=r"outside 0\.\.1"):
        _matrix(threshold=1.5)


def test_quadrant_codes_cover_the_four_cells() -> None:
    codes = quadrant_codes(np.array([0.9, 0.9, 0.1, 0.1]), np.array([0.9, 0.1, 0.9, 0.1]), 0.5)
    assert [QUADRANTS[c] for c in codes] == [
        Quadrant.STRATEGIC,
        Quadrant.STAR,
        Quadrant.STATUS,
        Quadrant.STREAMLINE,
    ]


def test_contributions_explain_the_scores_and_report_missing() -> None:
    m = _matrix()
    for i in range(3):
        s = m.account_score(i, segment="seg")
        attr = sum(c.contribution for c in s.contributions if c.axis is Axis.ATTRACTIVENESS)
        strength = sum(c.contribution for c in s.contributions if c.axis is Axis.STRENGTH)
        assert attr == pytest.approx(s.attractiveness)
        assert strength == pytest.approx(s.strength)
    y = m.account_score(1)
    sat = y.contributions[1]
    assert sat.missing and sat.missing_policy is MissingPolicy.EXCLUDE
    assert sat.normalised is None and sat.raw_value is None and sat.effective_weight == 0
    assert y.missing == ["satisfaction"]
    x = m.account_score(0)
    assert x.contributions[2].normalised == pytest.approx(0.5)
    assert x.contributions[2].missing_policy is MissingPolicy.MEDIAN
    assert x.contributions[0].missing_policy is None


def test_missing_summary_counts_per_criterion() -> None:
    summary = {s.key: (s.missing, s.policy) for s in _matrix().missing_summary()}
    assert summary == {
        "potential": (0, MissingPolicy.ZERO),
        "satisfaction": (1, MissingPolicy.EXCLUDE),
        "win_rate": (1, MissingPolicy.MEDIAN),
    }


def test_zero_policy_counts_missing_as_worst() -> None:
    crits = [_crit("potential", Axis.ATTRACTIVENESS, 100), _crit("win_rate", Axis.STRENGTH, 100)]
    raw = np.array([[NAN, 1], [5, 2], [10, 3]], dtype=float)
    m = score_matrix(raw, crits, ids=np.arange(3), external_ids=list("abc"), names=list("abc"))
    assert m.attractiveness.tolist() == pytest.approx([0.0, 0.0, 1.0])


def test_median_with_no_value_at_all_falls_back_to_zero_with_a_note() -> None:
    crits = [
        _crit("potential", Axis.ATTRACTIVENESS, 100, missing=MissingPolicy.MEDIAN),
        _crit("win_rate", Axis.STRENGTH, 100),
    ]
    raw = np.array([[NAN, 1], [NAN, 2]], dtype=float)
    m = score_matrix(raw, crits, ids=np.arange(2), external_ids=["a", "b"], names=["a", "b"])
    assert m.attractiveness.tolist() == [0.0, 0.0]
    assert any("no account has a value for potential" in n for n in m.notes)


def test_all_excluded_axis_scores_zero() -> None:
    crits = [
        _crit("potential", Axis.ATTRACTIVENESS, 100, missing=MissingPolicy.EXCLUDE),
        _crit("win_rate", Axis.STRENGTH, 100),
    ]
    raw = np.array([[NAN, 1], [4, 2]], dtype=float)
    m = score_matrix(raw, crits, ids=np.arange(2), external_ids=["a", "b"], names=["a", "b"])
    assert m.attractiveness.tolist() == [0.0, 0.5]
    assert not np.isnan(m.contributions).any()


def test_scale_criterion_needs_a_scale() -> None:
    crits = [
        _crit("potential", Axis.ATTRACTIVENESS, 100, normalisation=Normalisation.SCALE),
        _crit("win_rate", Axis.STRENGTH, 100),
    ]
    with pytest.raises(DataError, match="has no scale"):
        score_matrix(np.ones((1, 2)), crits, ids=np.arange(1), external_ids=["a"], names=["a"])
    crits[0] = _crit(
        "potential", Axis.ATTRACTIVENESS, 100, normalisation=Normalisation.SCALE, scale=(3, 3)
    )
    with pytest.raises(DataError, match="empty scale"):
        score_matrix(np.ones((1, 2)), crits, ids=np.arange(1), external_ids=["a"], names=["a"])


def test_natural_scale_of_a_metric_is_used() -> None:
    crits = [
        _crit("relationship_stage", Axis.ATTRACTIVENESS, 100, normalisation=Normalisation.SCALE),
        _crit("win_rate", Axis.STRENGTH, 100),
    ]
    raw = np.array([[3, 1]], dtype=float)
    m = score_matrix(raw, crits, ids=np.arange(1), external_ids=["a"], names=["a"])
    assert m.attractiveness[0] == pytest.approx(0.5)  # (3 - 1) / (5 - 1)


def test_resolve_criteria_completes_a_missing_axis_and_checks_keys() -> None:
    prog = Programme(name="p", criteria=[_crit("whitespace", Axis.ATTRACTIVENESS, 100)])
    criteria, notes = resolve_criteria(prog)
    assert [c.key for c in criteria if c.axis is Axis.STRENGTH] == [
        c.key for c in DEFAULT_CRITERIA if c.axis is Axis.STRENGTH
    ]
    assert len(notes) == 1 and "no strength criteria" in notes[0]
    bad = Programme(name="p", criteria=[_crit("turnover", Axis.ATTRACTIVENESS, 100)])
    with pytest.raises(DataError, match="unknown criterion metric"):
        resolve_criteria(bad)
    twice = Programme(
        name="p",
        criteria=[
            _crit("potential", Axis.ATTRACTIVENESS, 50),
            _crit("potential", Axis.ATTRACTIVENESS, 50),
        ],
    )
    with pytest.raises(DataError, match="listed twice"):
        resolve_criteria(twice)


def test_default_criteria_are_valid_and_known() -> None:
    Programme(name="p", criteria=list(DEFAULT_CRITERIA))  # weights sum to 100 per axis
    assert all(c.key in METRICS for c in DEFAULT_CRITERIA)
    attractiveness = {c.key for c in DEFAULT_CRITERIA if c.axis is Axis.ATTRACTIVENESS}
    assert {"potential", "segment_fit"} <= attractiveness
    assert "revenue_ttm" not in attractiveness  # potential, not current size


def test_aliases_compute_the_same_figure_and_count_as_duplicates() -> None:
    assert METRICS["growth"].alias_of == "revenue_growth"
    assert METRICS["customer_size"].alias_of == "customer_revenue"
    both = Programme(
        name="p",
        criteria=[
            _crit("growth", Axis.ATTRACTIVENESS, 50),
            _crit("revenue_growth", Axis.ATTRACTIVENESS, 50),
        ],
    )
    with pytest.raises(DataError, match="listed twice: revenue_growth"):
        resolve_criteria(both)
