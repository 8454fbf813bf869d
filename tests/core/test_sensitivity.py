"""Weight sensitivity: +/-20% per weight, renormalised, entries and exits reported."""

from __future__ import annotations

import numpy as np
import pytest

from kambot.core.matrix import score_matrix
from kambot.core.selection import SelectionTable, top_k
from kambot.core.sensitivity import vary_weight, weight_sensitivity
from kambot.domain.programme import Axis, Criterion, Normalisation
from kambot.errors import DataError


def test_vary_weight_keeps_the_axis_at_100() -> None:
    weights = np.array([50.0, 30.0, 20.0, 100.0])
    axis = np.array([0, 0, 0, 1])
    up = vary_weight(weights, axis, 0, 0.2)
    assert up.tolist() == pytest.approx([60.0, 24.0, 16.0, 100.0])
    down = vary_weight(weights, axis, 1, -0.2)
    assert down.tolist() == pytest.approx([50 * 76 / 70, 24.0, 20 * 76 / 70, 100.0])
    assert down[:3].sum() == pytest.approx(100)
    assert vary_weight(weights, axis, 3, 0.2).tolist() == weights.tolist()  # alone on its axis
    zero = np.array([0.0, 100.0])
    assert vary_weight(zero, np.array([0, 0]), 0, 0.2).tolist() == [0.0, 100.0]
    capped = vary_weight(np.array([90.0, 10.0]), np.array([0, 0]), 0, 0.2)
    assert capped.tolist() == pytest.approx([100.0, 0.0])


def _scale(key: str, axis: Axis, weight: float) -> Criterion:
    return Criterion(
        key=key, axis=axis, weight=weight, normalisation=Normalisation.SCALE, scale=(0, 1)
    )


def test_entries_and_exits_per_variant() -> None:
    criteria = [
        _scale("win_rate", Axis.ATTRACTIVENESS, 50),
        _scale("share_of_wallet", Axis.ATTRACTIVENESS, 50),
        _scale("buying_centre_coverage", Axis.STRENGTH, 100),
    ]
    # X: 0.5*0.8 + 0.5*0.3 = 0.55 ; Y: 0.5*0.3 + 0.5*0.75 = 0.525 -> X selected (capacity 1)
    raw = np.array([[0.8, 0.3, 0.5], [0.3, 0.75, 0.5]])
    ext = ["X", "Y"]
    m = score_matrix(raw, criteria, ids=np.arange(2), external_ids=ext, names=ext)
    eligible = np.ones(2, dtype=bool)
    order = top_k(m.attractiveness, eligible, ext, 1)
    sel = SelectionTable(
        score=m.attractiveness,
        eligible=eligible,
        selected=np.array([True, False]),
        order=order,
        runners_up=np.zeros(0, np.int64),
        excluded=np.zeros(0, np.int64),
        capacity=1,
        cut_off=float(m.attractiveness[0]),
    )
    report = weight_sensitivity(m, sel)
    by = {(v.criterion, v.change): v for v in report.variants}
    assert len(report.variants) == 6
    # win_rate 60/40: X 0.6 vs Y 0.48 -> unchanged ; 40/60: X 0.5 vs Y 0.57 -> Y replaces X
    assert by[("win_rate", 0.2)].entered == [] and by[("win_rate", 0.2)].left == []
    assert by[("win_rate", -0.2)].entered == ["Y"] and by[("win_rate", -0.2)].left == ["X"]
    assert by[("win_rate", -0.2)].weights["share_of_wallet"] == pytest.approx(60)
    assert by[("share_of_wallet", 0.2)].entered == ["Y"]
    assert by[("share_of_wallet", -0.2)].left == []
    alone = by[("buying_centre_coverage", 0.2)]
    assert alone.changed is False and alone.entered == [] and alone.left == []
    assert report.base_selection == ["X"]
    assert report.fragile == ["X"] and report.stable == []
    assert report.challengers == ["Y"]


def test_step_must_be_a_fraction() -> None:
    criteria = [
        _scale("win_rate", Axis.ATTRACTIVENESS, 100),
        _scale("share_of_wallet", Axis.STRENGTH, 100),
    ]
    m = score_matrix(np.zeros((1, 2)), criteria, ids=np.arange(1), external_ids=["a"], names=["a"])
    sel = SelectionTable(
        score=np.zeros(1),
        eligible=np.ones(1, bool),
        selected=np.ones(1, bool),
        order=np.zeros(1, np.int64),
        runners_up=np.zeros(0, np.int64),
        excluded=np.zeros(0, np.int64),
        capacity=1,
        cut_off=0.0,
    )
    with pytest.raises(DataError, match="sensitivity step"):
        weight_sensitivity(m, sel, step=1.5)
