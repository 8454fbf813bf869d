"""Strategic segments: mapping accounts and ranking segments by fit and potential."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from kambot.core.builders import build_portfolio
from kambot.core.frames import PortfolioFrame
from kambot.core.segmentation import SegmentationConfig, assign_segments, rank_segments
from kambot.domain.programme import Programme, StrategicSegment
from kambot.errors import DataError

SEGMENTS = [
    StrategicSegment(
        key="health", name="Healthcare", industries=["Pharma"], value_proposition_fit=4
    ),
    StrategicSegment(
        key="energy", name="Energy", industries=["utilities"], value_proposition_fit=5
    ),
]
ACCOUNTS: list[dict[str, Any]] = [
    {"external_id": "a1", "segment": "Health", "potential": 100},
    {"external_id": "a2", "industry": "pharma", "potential": 300},
    {"external_id": "a3", "segment": "energy", "potential": 100},
    {"external_id": "a4", "segment": "other", "industry": "retail", "potential": 1000},
    {"external_id": "a5", "segment": "ENERGY", "industry": "pharma"},
    {"external_id": "a6", "segment": "healthcare"},
]


def _portfolio() -> PortfolioFrame:
    return build_portfolio(date(2025, 6, 15), ACCOUNTS)


def test_accounts_map_by_segment_label_then_industry() -> None:
    seg = assign_segments(_portfolio().accounts, SEGMENTS)
    # a1 by key, a2 by industry, a3 by key, a4 none, a5 label beats industry, a6 by name
    assert seg.tolist() == [0, 0, 1, -1, 1, 0]


def test_segments_ranked_by_fit_and_aggregate_potential() -> None:
    pf = _portfolio()
    ttm = np.zeros(len(pf.accounts))
    table = rank_segments(pf.accounts, Programme(name="p", segments=SEGMENTS), ttm)
    first, second = table.rankings
    # health: 0.5*4/5 + 0.5*400/400 = 0.9 ; energy: 0.5*5/5 + 0.5*100/400 = 0.625
    assert (first.key, first.rank) == ("health", 1) and first.score == pytest.approx(0.9)
    assert (second.key, second.rank) == ("energy", 2) and second.score == pytest.approx(0.625)
    assert first.aggregate_potential == 400 and first.potential_share == pytest.approx(0.8)
    assert (first.accounts, first.accounts_with_potential) == (3, 2)
    assert (second.accounts, second.accounts_with_potential) == (2, 1)
    assert all(r.strategic for r in table.rankings)
    assert table.in_strategic.tolist() == [True, True, True, False, True, True]
    assert table.fit[3] != table.fit[3]  # NaN: no segment
    assert table.fit[1] == 4
    assert table.segment_key(2) == "energy" and table.segment_key(3) is None


def test_fit_weight_changes_the_order() -> None:
    pf = _portfolio()
    table = rank_segments(
        pf.accounts,
        Programme(name="p", segments=SEGMENTS),
        np.zeros(len(pf.accounts)),
        SegmentationConfig(fit_weight=1.0),
    )
    assert [r.key for r in table.rankings] == ["energy", "health"]


def test_min_fit_and_max_segments_restrict_strategic_segments() -> None:
    pf = _portfolio()
    prog = Programme(name="p", segments=SEGMENTS)
    ttm = np.zeros(len(pf.accounts))
    by_fit = rank_segments(pf.accounts, prog, ttm, SegmentationConfig(min_fit=4.5))
    assert [r.strategic for r in by_fit.rankings] == [False, True]
    assert "fit below the minimum" in by_fit.rankings[0].reason
    assert by_fit.in_strategic.tolist() == [False, False, True, False, True, False]
    by_rank = rank_segments(pf.accounts, prog, ttm, SegmentationConfig(max_segments=1))
    assert [r.strategic for r in by_rank.rankings] == [True, False]
    assert "beyond the 1 best" in by_rank.rankings[1].reason


def test_no_programme_segment_means_no_account_in_a_segment() -> None:
    pf = _portfolio()
    table = rank_segments(pf.accounts, Programme(name="p"), np.zeros(len(pf.accounts)))
    assert table.rankings == []
    assert (table.segment_of == -1).all() and not table.in_strategic.any()


def test_ties_between_segments_break_on_key() -> None:
    pf = build_portfolio(date(2025, 1, 1), [{"external_id": "x"}])
    segs = [
        StrategicSegment(key="zeta", name="Z", value_proposition_fit=3),
        StrategicSegment(key="alpha", name="A", value_proposition_fit=3),
    ]
    table = rank_segments(pf.accounts, Programme(name="p", segments=segs), np.zeros(1))
    assert [r.key for r in table.rankings] == ["alpha", "zeta"]


def test_bad_config_is_refused() -> None:
    with pytest.raises(DataError, match="fit_weight"):
        SegmentationConfig(fit_weight=2)
    with pytest.raises(DataError, match="max_segments"):
        SegmentationConfig(max_segments=0)
