"""Key-account selection under capacity, with rationale and runners-up."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest

from kambot.core.analyse import AnalysisOptions, analyse_portfolio
from kambot.core.builders import build_portfolio
from kambot.core.frames import PortfolioFrame
from kambot.core.selection import SelectionConfig, capacity_of, top_k
from kambot.domain.programme import (
    Axis,
    Capacity,
    Criterion,
    Normalisation,
    Programme,
    StrategicSegment,
)
from kambot.errors import DataError

CRITERIA = [
    Criterion(key="potential", axis=Axis.ATTRACTIVENESS, weight=100),
    Criterion(
        key="relationship_stage", axis=Axis.STRENGTH, weight=100, normalisation=Normalisation.SCALE
    ),
]


def _programme(capacity: Capacity, segments: bool = True) -> Programme:
    return Programme(
        name="p",
        criteria=CRITERIA,
        capacity=capacity,
        segments=[StrategicSegment(key="core", name="Core", value_proposition_fit=4)]
        if segments
        else [],
    )


def _portfolio(
    potentials: dict[str, float | None], outside: frozenset[str] = frozenset()
) -> PortfolioFrame:
    accounts: list[dict[str, Any]] = [
        {
            "external_id": ext,
            "potential": pot,
            "segment": None if ext in outside else "core",
            "relationship_stage": 3,
        }
        for ext, pot in potentials.items()
    ]
    return build_portfolio(date(2025, 6, 15), accounts)


POTENTIALS: dict[str, float | None] = {
    "e": 500,
    "a": 100,
    "c": 300,
    "b": 200,
    "d": 400,
    "f": 0,
    "g": None,
}


def test_capacity_is_the_lower_of_cap_and_kam_capacity() -> None:
    assert capacity_of(Capacity(max_key_accounts=10, accounts_per_kam=2, kams=2), None)[0] == 4
    assert capacity_of(Capacity(max_key_accounts=3, accounts_per_kam=2, kams=2), None)[0] == 3
    assert capacity_of(Capacity(max_key_accounts=3), None)[0] == 3
    cap, why = capacity_of(Capacity(max_key_accounts=3), 5)
    assert cap == 5 and "above the programme capacity 3" in why


def test_selects_the_highest_potential_within_capacity() -> None:
    prog = _programme(Capacity(max_key_accounts=10, accounts_per_kam=1, kams=3))
    result = analyse_portfolio(_portfolio(POTENTIALS), prog).selection_result
    assert result.capacity == 3
    assert [s.external_id for s in result.selected] == ["e", "d", "c"]
    assert [s.rank for s in result.selected] == [1, 2, 3]
    assert result.cut_off_score == pytest.approx(0.6)  # 300 on a 0..500 minmax
    top = result.selected[0]
    assert top.top_criteria[0].key == "potential"
    assert "rank 1 of 7 eligible" in top.rationale and "potential" in top.rationale
    assert "segment core" in top.rationale


def test_runners_up_say_why_they_missed() -> None:
    prog = _programme(Capacity(max_key_accounts=2))
    cfg = AnalysisOptions(selection=SelectionConfig(runners_up=2))
    result = analyse_portfolio(_portfolio(POTENTIALS), prog, cfg).selection_result
    assert [r.external_id for r in result.runners_up] == ["c", "b"]
    c = result.runners_up[0]
    assert c.rank == 3 and c.eligible
    assert c.gap == pytest.approx(0.2)
    assert "below the cut-off 0.800 set by d" in c.reasons[0]
    assert c.behind_on and c.behind_on[0].startswith("potential")


def test_only_strategic_segments_are_eligible_and_high_scorers_outside_are_reported() -> None:
    prog = _programme(Capacity(max_key_accounts=2))
    result = analyse_portfolio(
        _portfolio(POTENTIALS, outside=frozenset({"e"})), prog
    ).selection_result
    assert [s.external_id for s in result.selected] == ["d", "c"]
    assert result.eligible == 6
    assert [x.external_id for x in result.excluded] == ["e"]
    assert not result.excluded[0].eligible
    assert result.excluded[0].reasons == ["not in any strategic segment of the programme"]


def test_segment_restriction_can_be_switched_off() -> None:
    prog = _programme(Capacity(max_key_accounts=2))
    opts = AnalysisOptions(selection=SelectionConfig(only_strategic_segments=False))
    result = analyse_portfolio(
        _portfolio(POTENTIALS, outside=frozenset({"e"})), prog, opts
    ).selection_result
    assert [s.external_id for s in result.selected] == ["e", "d"]
    assert result.only_strategic_segments is False


def test_without_segments_every_account_is_eligible_and_it_is_noted() -> None:
    prog = _programme(Capacity(max_key_accounts=2), segments=False)
    result = analyse_portfolio(
        _portfolio(POTENTIALS, outside=frozenset({"e"})), prog
    ).selection_result
    assert [s.external_id for s in result.selected] == ["e", "d"]
    assert any("no strategic segments" in n for n in result.notes)


def test_ties_go_to_the_lower_external_id() -> None:
    pots: dict[str, float | None] = {"z": 100, "m": 100, "a": 100, "q": 0}
    prog = _programme(Capacity(max_key_accounts=2))
    result = analyse_portfolio(_portfolio(pots), prog).selection_result
    assert [s.external_id for s in result.selected] == ["a", "m"]
    assert result.runners_up[0].external_id == "z"
    assert "tied with the cut-off" in result.runners_up[0].reasons[0]


def test_min_attractiveness_and_strength_blend() -> None:
    prog = _programme(Capacity(max_key_accounts=5))
    opts = AnalysisOptions(selection=SelectionConfig(min_attractiveness=0.7))
    result = analyse_portfolio(_portfolio(POTENTIALS), prog, opts).selection_result
    assert [s.external_id for s in result.selected] == ["e", "d"]
    assert any("only 2 eligible" in n for n in result.notes)
    opts = AnalysisOptions(selection=SelectionConfig(strength_blend=0.5))
    result = analyse_portfolio(_portfolio(POTENTIALS), prog, opts).selection_result
    # relationship stage 3 on 1..5 -> strength 0.5 for all: score = 0.5*attr + 0.25
    assert result.selected[0].score == pytest.approx(0.75)
    assert "0.5 x strength" in result.selected[0].rationale


def test_notes_on_capacity_outside_the_typical_range_and_minimum() -> None:
    prog = _programme(Capacity(max_key_accounts=50, min_key_accounts=10))
    result = analyse_portfolio(_portfolio(POTENTIALS), prog).selection_result
    assert any("above the typical 15 to 35" in n for n in result.notes)
    assert any("below the programme minimum of 10" in n for n in result.notes)


def test_zero_kams_means_nothing_selected() -> None:
    prog = _programme(Capacity(max_key_accounts=5, kams=0))
    result = analyse_portfolio(_portfolio(POTENTIALS), prog).selection_result
    assert result.selected == [] and result.cut_off_score is None
    assert any("capacity is 0" in n for n in result.notes)
    assert result.runners_up and "capacity is 0" in result.runners_up[0].reasons[0]


def test_top_k_orders_by_score_then_id_and_only_sorts_candidates() -> None:
    score = np.array([0.5, 0.9, 0.5, 0.1, 0.5])
    ids = ["e", "d", "c", "b", "a"]
    mask = np.ones(5, dtype=bool)
    assert top_k(score, mask, ids, 3).tolist() == [1, 4, 2]
    assert top_k(score, mask, ids, 0).tolist() == []
    assert top_k(score, np.zeros(5, dtype=bool), ids, 3).tolist() == []
    assert top_k(score, mask, ids, 10).tolist() == [1, 4, 2, 0, 3]


def test_bad_selection_config_is_refused() -> None:
    with pytest.raises(DataError, match="strength_blend"):
        SelectionConfig(strength_blend=1.5)
    with pytest.raises(DataError, match="max_accounts"):
        SelectionConfig(max_accounts=-1)
