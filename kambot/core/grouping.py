"""Group-by helpers on numpy columns, shared by the core modules.

Every helper takes ``group`` (an integer array of group numbers in ``0..n-1``, usually
``account_idx``) and returns one value per group, so a KPI over a million rows is a few
``np.bincount`` calls instead of a Python loop. NaN values are ignored; empty groups get
the stated fill value. None of them depend on the order of the rows, except for
floating-point rounding in sums (last-bit differences), which callers absorb by rounding
before they rank.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from kambot.core.frames import FloatArray, IntArray

BoolArray = npt.NDArray[np.bool_]


def weighted_bincount(group: IntArray, weights: FloatArray, size: int) -> FloatArray:
    """Sum ``weights`` into ``size`` bins (``np.bincount`` typed as floats, no NaN check)."""
    out = np.bincount(group, weights=weights, minlength=size)[:size]
    return out.astype(np.float64, copy=False)


def group_count(group: IntArray, n: int, mask: BoolArray | None = None) -> IntArray:
    """Count the rows of each group, optionally only those where ``mask`` holds."""
    if mask is not None:
        group = group[mask]
    return np.bincount(group, minlength=n).astype(np.int64, copy=False)[:n]


def group_sum(
    group: IntArray, values: FloatArray, n: int, mask: BoolArray | None = None
) -> FloatArray:
    """Sum ``values`` per group, skipping NaN values and rows where ``mask`` is False."""
    keep = ~np.isnan(values)
    if mask is not None:
        keep &= mask
    if keep.all():
        return weighted_bincount(group, values, n)
    return weighted_bincount(group[keep], values[keep], n)


def group_max_int(group: IntArray, values: IntArray, n: int, fill: int) -> IntArray:
    """Return the largest integer per group, ``fill`` for empty groups."""
    out = np.full(n, fill, dtype=np.int64)
    if group.size:
        np.maximum.at(out, group, values)
    return out


def group_min_int(group: IntArray, values: IntArray, n: int, fill: int) -> IntArray:
    """Return the smallest integer per group, ``fill`` for empty groups."""
    out = np.full(n, fill, dtype=np.int64)
    if group.size:
        np.minimum.at(out, group, values)
    return out


def group_mean(group: IntArray, values: FloatArray, n: int) -> FloatArray:
    """Return the mean per group (NaN ignored); NaN for groups with no value."""
    keep = ~np.isnan(values)
    counts = np.bincount(group[keep], minlength=n)[:n].astype(np.float64)
    sums = weighted_bincount(group[keep], values[keep], n)
    return safe_div(sums, counts)


def group_median_int(group: IntArray, values: IntArray, n: int) -> FloatArray:
    """Return the median of non-negative integers per group; NaN for empty groups.

    Group and value are packed into one int64 key so that a single ``np.sort`` orders
    the rows by group then value; the median of a group is the mean of its two middle
    values (the middle one when the count is odd).
    """
    out = np.full(n, np.nan)
    if group.size == 0:
        return out
    if values.min() < 0:
        raise ValueError("group_median_int needs non-negative values")
    span = int(values.max()) + 1
    # int32 keys sort about twice as fast; use them whenever the packed key fits.
    dtype = np.int32 if n * span < np.iinfo(np.int32).max else np.int64
    keys = np.sort(group.astype(dtype) * span + values.astype(dtype))
    counts = np.bincount(group, minlength=n)[:n]
    starts = np.concatenate(([0], np.cumsum(counts)[:-1]))
    has = counts > 0
    lo = keys[starts[has] + (counts[has] - 1) // 2] % span
    hi = keys[starts[has] + counts[has] // 2] % span
    out[has] = (lo + hi) / 2.0
    return out


def median_or_none(values: FloatArray) -> float | None:
    """Return the median of the finite values, or None when there is none."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    return float(np.median(finite))


def in_codes(values: IntArray, codes: IntArray) -> BoolArray:
    """Return where ``values`` is one of a few ``codes`` (faster than np.isin for few codes)."""
    out = np.zeros(values.shape, dtype=np.bool_)
    for code in codes.tolist():
        out |= values == code
    return out


def code_counts(group: IntArray, codes: IntArray, n: int, n_codes: int) -> IntArray:
    """Count rows per (group, code); rows with a code outside ``0..n_codes-1`` are ignored.

    Returns:
        An ``(n, n_codes)`` array of counts.
    """
    ok = (codes >= 0) & (codes < n_codes)
    flat = group[ok] * n_codes + codes[ok]
    return np.bincount(flat, minlength=n * n_codes)[: n * n_codes].reshape(n, n_codes)


def safe_div(num: FloatArray, den: FloatArray) -> FloatArray:
    """Divide element-wise; NaN where the denominator is zero or either side is not finite."""
    out = np.full(np.broadcast(num, den).shape, np.nan)
    ok = np.isfinite(num) & np.isfinite(den) & (den != 0)
    np.divide(num, den, out=out, where=ok)
    return out


def finite_or_none(value: float) -> float | None:
    """Return ``value`` as a float, or None when it is NaN or infinite."""
    v = float(value)
    return v if np.isfinite(v) else None


def ratio_or_none(num: float, den: float) -> float | None:
    """Return ``num / den`` or None when the denominator is zero or not finite."""
    if not np.isfinite(den) or den == 0 or not np.isfinite(num):
        return None
    return float(num) / float(den)


def snap(values: FloatArray, bits: int = 40) -> FloatArray:
    """Round every value to ``bits`` bits of mantissa (NaN and 0 unchanged).

    Sums computed in a different row order can differ in their last bits; snapping the
    metrics that feed a ranking makes such values compare equal, so the ranking does not
    depend on the order of the rows.
    """
    mantissa, exponent = np.frexp(values)
    scale = float(2**bits)
    return np.ldexp(np.round(mantissa * scale) / scale, exponent)
