"""Group-by helpers."""

from __future__ import annotations

import math

import numpy as np

from kambot.core.grouping import (
    code_counts,
    finite_or_none,
    group_count,
    group_max_int,
    group_mean,
    group_median_int,
    group_min_int,
    group_sum,
    median_or_none,
    ratio_or_none,
    safe_div,
    snap,
)

G = np.array([0, 2, 0, 2, 2, 0])


def test_sum_count_mean_skip_nan_and_keep_empty_groups() -> None:
    v = np.array([1.0, 2.0, math.nan, 4.0, 6.0, 3.0])
    assert group_sum(G, v, 4).tolist() == [4.0, 0.0, 12.0, 0.0]
    assert group_sum(G, v, 4, mask=v > 2).tolist() == [3.0, 0.0, 10.0, 0.0]
    assert group_count(G, 4).tolist() == [3, 0, 3, 0]
    assert group_count(G, 4, mask=G == 2).tolist() == [0, 0, 3, 0]
    mean = group_mean(G, v, 4)
    assert mean[0] == 2.0 and mean[2] == 4.0 and math.isnan(mean[1])


def test_max_min_with_fill() -> None:
    v = np.array([5, 1, 7, 3, 9, 2])
    assert group_max_int(G, v, 3, -1).tolist() == [7, -1, 9]
    assert group_min_int(G, v, 3, 99).tolist() == [2, 99, 1]
    assert group_max_int(G[:0], v[:0], 2, -1).tolist() == [-1, -1]


def test_median_odd_even_and_empty() -> None:
    g = np.array([1, 1, 1, 0, 0, 3, 0, 0])
    v = np.array([30, 100, 20, 4, 1, 7, 3, 2])
    out = group_median_int(g, v, 4)
    assert out[0] == 2.5 and out[1] == 30 and math.isnan(out[2]) and out[3] == 7
    assert np.isnan(group_median_int(g[:0], v[:0], 2)).all()


def test_code_counts_ignores_missing_codes() -> None:
    codes = np.array([0, 1, -1, 1, 5, 0])
    out = code_counts(G, codes, 3, 2)
    assert out.tolist() == [[2, 0], [0, 0], [0, 2]]


def test_safe_division_and_scalars() -> None:
    out = safe_div(np.array([1.0, 1.0, math.nan, 2.0]), np.array([2.0, 0.0, 1.0, math.inf]))
    assert out[0] == 0.5 and np.isnan(out[1:]).all()
    assert finite_or_none(math.inf) is None and finite_or_none(2.0) == 2.0
    assert ratio_or_none(1, 0) is None and ratio_or_none(1, 4) == 0.25
    assert median_or_none(np.array([math.nan])) is None
    assert median_or_none(np.array([1.0, 3.0, math.inf])) == 2.0


def test_snap_absorbs_summation_order_noise() -> None:
    a = 0.1 + 0.2 + 0.3
    b = 0.3 + 0.2 + 0.1
    assert a != b
    assert snap(np.array([a]))[0] == snap(np.array([b]))[0]
    x = np.array([0.0, -5.0, math.nan, 1234.5])
    out = snap(x)
    assert out[0] == 0.0 and out[1] == -5.0 and math.isnan(out[2]) and out[3] == 1234.5
