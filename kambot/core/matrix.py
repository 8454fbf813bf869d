"""The attractiveness x relative-strength matrix with weighted, normalised criteria.

Each :class:`~kambot.domain.programme.Criterion` names a metric of :data:`METRICS`, an
axis, a weight (weights sum to 100 per axis, enforced by ``Programme``), a
normalisation and a missing-value policy.

Normalisation brings a raw value to 0..1, over the accounts that have a value:

- ``minmax``: (x - min) / (max - min).
- ``log_minmax``: minmax of sign(x) * log1p(|x|) -- for skewed money figures, so that
  one giant account does not crush every other one to 0.
- ``rank``: percentile rank, (average rank - 1) / (count - 1), ties averaged.
- ``scale``: (x - lo) / (hi - lo) on a fixed scale, clipped to 0..1 (the criterion's
  ``scale``, else the metric's natural scale, e.g. 1..5 for relationship_stage).

When every account with a value has the same value, minmax/log_minmax/rank give 0.5
(the criterion cannot discriminate, so it stays neutral). ``higher_is_better=False``
turns a normalised value v into 1 - v. Then the missing policy applies to accounts
without a value (and is reported per account and criterion):

- ``zero``: 0, the worst normalised value.
- ``median``: the median normalised value of the accounts that have one (0 if none).
- ``exclude``: the criterion is left out for that account and the weights of the other
  criteria on the same axis are rescaled to 100 for it.

An axis score is the sum of ``effective_weight / 100 * normalised`` over its criteria,
in 0..1. Quadrants use ``threshold`` (0.5 by default) on both axes, "high" meaning at or
above it; see :class:`~kambot.domain.analysis.Quadrant` for the names. Scores are
rounded to 12 decimals so that last-bit differences from summation order never change
a quadrant or a rank.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from kambot.core.frames import AccountFrame, FloatArray, IntArray
from kambot.core.grouping import BoolArray, finite_or_none, snap
from kambot.core.kpis import AccountKpiTable
from kambot.domain.analysis import AccountScore, CriterionContribution, MissingSummary, Quadrant
from kambot.domain.programme import Axis, Criterion, MissingPolicy, Normalisation, Programme
from kambot.errors import DataError

QUADRANTS: tuple[Quadrant, ...] = (
    Quadrant.STRATEGIC,  # 0: high attractiveness, high strength
    Quadrant.STAR,  # 1: high attractiveness, low strength
    Quadrant.STATUS,  # 2: low attractiveness, high strength
    Quadrant.STREAMLINE,  # 3: low attractiveness, low strength
)
AXES: tuple[Axis, ...] = (Axis.ATTRACTIVENESS, Axis.STRENGTH)
SCORE_DECIMALS = 12


@dataclass(frozen=True)
class MetricContext:
    """What a metric can be computed from."""

    accounts: AccountFrame
    kpis: AccountKpiTable
    segment_fit: FloatArray


@dataclass(frozen=True)
class Metric:
    """A per-account figure a criterion can use."""

    key: str
    description: str
    compute: Callable[[MetricContext], FloatArray]
    natural_scale: tuple[float, float] | None = None
    alias_of: str | None = None  # another name of the same figure


def _whitespace(ctx: MetricContext) -> FloatArray:
    wallet = ctx.accounts.potential / 3.0
    return np.where(np.isnan(wallet), np.nan, np.maximum(wallet - ctx.kpis.revenue_ttm, 0.0))


def _f(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric(
            "potential", "3-year spend available to any supplier", lambda c: c.accounts.potential
        ),
        Metric("whitespace", "yearly wallet not yet ours: max(potential/3 - TTM, 0)", _whitespace),
        Metric(
            "segment_fit",
            "value-proposition fit of the account's strategic segment (0..5)",
            lambda c: c.segment_fit,
            (0.0, 5.0),
        ),
        Metric(
            "customer_revenue", "the customer's own turnover", lambda c: c.accounts.annual_revenue
        ),
        Metric("employees", "the customer's headcount", lambda c: c.accounts.employees),
        Metric(
            "revenue_ttm",
            "our revenue over the trailing twelve months",
            lambda c: c.kpis.revenue_ttm,
        ),
        Metric("revenue_growth", "TTM vs previous 12 months", lambda c: c.kpis.revenue_growth),
        Metric(
            "growth",
            "alias of revenue_growth",
            lambda c: c.kpis.revenue_growth,
            alias_of="revenue_growth",
        ),
        Metric(
            "customer_size",
            "alias of customer_revenue (the customer's own turnover)",
            lambda c: c.accounts.annual_revenue,
            alias_of="customer_revenue",
        ),
        Metric(
            "share_of_wallet", "TTM / (potential / 3)", lambda c: c.kpis.share_of_wallet, (0.0, 1.0)
        ),
        Metric("margin_pct", "our margin on the account, percent", lambda c: c.accounts.margin_pct),
        Metric("margin_ttm", "TTM x margin%", lambda c: c.kpis.margin_ttm),
        Metric(
            "relationship_stage",
            "relationship stage 1 (exploratory) .. 5 (integrated)",
            lambda c: c.accounts.relationship_stage,
            (1.0, 5.0),
        ),
        Metric(
            "satisfaction",
            "customer satisfaction 0..10",
            lambda c: c.accounts.satisfaction,
            (0.0, 10.0),
        ),
        Metric(
            "products_count",
            "number of our product lines bought",
            lambda c: c.accounts.products_count,
        ),
        Metric("open_pipeline", "value of open opportunities", lambda c: c.kpis.open_pipeline),
        Metric("weighted_pipeline", "open value x probability", lambda c: c.kpis.weighted_pipeline),
        Metric("win_rate", "won / (won + lost)", lambda c: c.kpis.win_rate, (0.0, 1.0)),
        Metric(
            "buying_centre_coverage",
            "share of sponsor, decision maker, champion, economic buyer covered",
            lambda c: c.kpis.buying_centre_coverage,
            (0.0, 1.0),
        ),
        Metric(
            "days_since_executive_contact",
            "days since the last executive contact (use higher_is_better=False)",
            lambda c: c.kpis.days_since_executive_contact,
        ),
        Metric(
            "sponsor_meetings_12m",
            "sponsor meetings in the last 12 months",
            lambda c: _f(c.kpis.sponsor_meetings_12m),
        ),
    )
}

# Metrics computed by summing rows: their last bits depend on the order of the rows, so
# they are snapped before ranking (see kambot.core.grouping.snap).
SUMMED_METRICS = frozenset(
    {
        "whitespace", "revenue_ttm", "revenue_growth", "growth", "share_of_wallet",
        "margin_ttm", "open_pipeline", "weighted_pipeline",
    }
)  # fmt: skip

DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    # Attractiveness is driven by potential and fit, not by what the account buys today.
    Criterion(key="potential", axis=Axis.ATTRACTIVENESS, weight=50,
              normalisation=Normalisation.LOG_MINMAX, missing=MissingPolicy.ZERO),
    Criterion(key="segment_fit", axis=Axis.ATTRACTIVENESS, weight=30,
              normalisation=Normalisation.SCALE, missing=MissingPolicy.ZERO),
    Criterion(key="customer_revenue", axis=Axis.ATTRACTIVENESS, weight=20,
              normalisation=Normalisation.LOG_MINMAX, missing=MissingPolicy.MEDIAN),
    Criterion(key="share_of_wallet", axis=Axis.STRENGTH, weight=30,
              normalisation=Normalisation.RANK, missing=MissingPolicy.MEDIAN),
    Criterion(key="relationship_stage", axis=Axis.STRENGTH, weight=30,
              normalisation=Normalisation.SCALE, missing=MissingPolicy.MEDIAN),
    Criterion(key="buying_centre_coverage", axis=Axis.STRENGTH, weight=20,
              normalisation=Normalisation.SCALE, missing=MissingPolicy.ZERO),
    Criterion(key="win_rate", axis=Axis.STRENGTH, weight=20,
              normalisation=Normalisation.SCALE, missing=MissingPolicy.MEDIAN),
)  # fmt: skip


def resolve_criteria(programme: Programme) -> tuple[tuple[Criterion, ...], list[str]]:
    """Return the programme's criteria, completing an axis that has none with the defaults.

    Returns:
        The criteria and notes saying which axis fell back to :data:`DEFAULT_CRITERIA`.
    """
    criteria = list(programme.criteria)
    notes: list[str] = []
    for axis in AXES:
        if not any(c.axis == axis for c in criteria):
            defaults = [c for c in DEFAULT_CRITERIA if c.axis == axis]
            criteria.extend(defaults)
            listed = ", ".join(f"{c.key}={c.weight:g}" for c in defaults)
            notes.append(f"no {axis.value} criteria in the programme: default ones used ({listed})")
    unknown = sorted({c.key for c in criteria if c.key not in METRICS})
    if unknown:
        raise DataError(
            f"unknown criterion metric(s): {', '.join(unknown)}",
            hint=f"use one of: {', '.join(sorted(METRICS))}",
        )
    keys = [METRICS[c.key].alias_of or c.key for c in criteria]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise DataError(
            f"criterion metric(s) listed twice: {', '.join(dupes)}",
            hint="list each metric once and give it the combined weight",
        )
    return tuple(criteria), notes


def criterion_scale(criterion: Criterion) -> tuple[float, float]:
    """Return the fixed scale of a ``scale`` criterion (its own, else the metric's)."""
    scale = criterion.scale or METRICS[criterion.key].natural_scale
    if scale is None:
        raise DataError(
            f"criterion {criterion.key!r} uses normalisation 'scale' but has no scale",
            hint="set scale: [low, high] on the criterion, or use minmax / rank",
        )
    if scale[0] == scale[1]:
        raise DataError(
            f"criterion {criterion.key!r} has an empty scale {scale}",
            hint="low and high of the scale must differ",
        )
    return float(scale[0]), float(scale[1])


def normalise(
    values: FloatArray,
    method: Normalisation,
    scale: tuple[float, float] | None = None,
    higher_is_better: bool = True,
) -> FloatArray:
    """Bring raw values to 0..1 by the documented method; NaN stays NaN.

    Args:
        values: raw values, NaN where missing.
        method: the normalisation.
        scale: (low, high) for ``scale``.
        higher_is_better: when False the result is 1 - v.

    Returns:
        Values in 0..1, NaN where the input was NaN.
    """
    out = np.full(values.shape, np.nan)
    has = ~np.isnan(values)
    v = values[has]
    if v.size == 0:
        return out
    if method in (Normalisation.MINMAX, Normalisation.LOG_MINMAX):
        if method is Normalisation.LOG_MINMAX:
            v = np.sign(v) * np.log1p(np.abs(v))
        lo, hi = float(v.min()), float(v.max())
        out[has] = 0.5 if hi == lo else (v - lo) / (hi - lo)
    elif method is Normalisation.RANK:
        if v.size == 1:
            out[has] = 0.5
        else:
            _, inverse, counts = np.unique(v, return_inverse=True, return_counts=True)
            first = np.cumsum(counts) - counts
            average_rank = first + (counts - 1) / 2.0
            out[has] = average_rank[inverse] / (v.size - 1)
    elif method is Normalisation.SCALE:
        if scale is None:
            raise DataError("normalisation 'scale' needs a (low, high) scale")
        lo, hi = scale
        out[has] = np.clip((v - lo) / (hi - lo), 0.0, 1.0)
    else:  # pragma: no cover - StrEnum is closed
        raise DataError(f"unknown normalisation {method!r}")
    if not higher_is_better:
        out[has] = 1.0 - out[has]
    return out


def axis_scores(
    normalised: FloatArray, included: BoolArray, weights: FloatArray, axis_of: IntArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Combine normalised criteria into the two axis scores.

    Args:
        normalised: ``(n, k)`` values in 0..1 (anything where not included).
        included: ``(n, k)`` False where an ``exclude`` criterion is missing.
        weights: ``(k,)`` configured weights, 100 per axis.
        axis_of: ``(k,)`` 0 for attractiveness, 1 for strength.

    Returns:
        Attractiveness, strength and the ``(n, k)`` effective weights.
    """
    n, k = normalised.shape
    values = np.where(included, normalised, 0.0)
    eff = np.zeros((n, k))
    scores = []
    for a in range(len(AXES)):
        cols = np.flatnonzero(axis_of == a)
        if cols.size == 0:
            scores.append(np.zeros(n))
            continue
        w = included[:, cols] * weights[cols]
        total = w.sum(axis=1)
        scaled = np.divide(
            w * 100.0, total[:, None], out=np.zeros_like(w), where=total[:, None] > 0
        )
        eff[:, cols] = scaled
        s = (scaled / 100.0 * values[:, cols]).sum(axis=1)
        scores.append(np.round(np.clip(s, 0.0, 1.0), SCORE_DECIMALS))
    return scores[0], scores[1], eff


def quadrant_codes(attractiveness: FloatArray, strength: FloatArray, threshold: float) -> IntArray:
    """Return the quadrant code (index into :data:`QUADRANTS`) of every account."""
    high_a = attractiveness >= threshold
    high_s = strength >= threshold
    return np.where(high_a, np.where(high_s, 0, 1), np.where(high_s, 2, 3)).astype(np.int64)


@dataclass(frozen=True)
class MatrixTable:
    """The matrix for every account, with per-criterion detail (all ``(n, k)``)."""

    criteria: tuple[Criterion, ...]
    ids: IntArray
    external_ids: list[str]
    names: list[str]
    raw: FloatArray
    normalised: FloatArray  # after orientation and missing policy; NaN where excluded
    missing: BoolArray
    included: BoolArray
    weights: FloatArray  # (k,)
    axis_of: IntArray  # (k,)
    effective_weight: FloatArray
    contributions: FloatArray
    attractiveness: FloatArray
    strength: FloatArray
    quadrant: IntArray
    threshold: float
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.external_ids)

    def contribution(self, i: int, j: int) -> CriterionContribution:
        """Return how criterion ``j`` moved account ``i``."""
        c = self.criteria[j]
        missing = bool(self.missing[i, j])
        return CriterionContribution(
            key=c.key,
            label=c.label or c.key,
            axis=c.axis,
            normalisation=c.normalisation,
            weight=float(c.weight),
            effective_weight=float(self.effective_weight[i, j]),
            raw_value=finite_or_none(self.raw[i, j]),
            normalised=finite_or_none(self.normalised[i, j]),
            contribution=float(self.contributions[i, j]),
            missing=missing,
            missing_policy=c.missing if missing else None,
        )

    def account_score(self, i: int, segment: str | None = None) -> AccountScore:
        """Return the pydantic view of account ``i`` with every criterion's contribution."""
        return AccountScore(
            account_id=int(self.ids[i]),
            external_id=self.external_ids[i],
            name=self.names[i],
            segment=segment,
            attractiveness=float(self.attractiveness[i]),
            strength=float(self.strength[i]),
            quadrant=QUADRANTS[int(self.quadrant[i])],
            contributions=[self.contribution(i, j) for j in range(len(self.criteria))],
            missing=[c.key for j, c in enumerate(self.criteria) if self.missing[i, j]],
        )

    def missing_summary(self) -> list[MissingSummary]:
        """Return, per criterion, how many accounts had no value and the policy applied."""
        counts = self.missing.sum(axis=0)
        return [
            MissingSummary(
                key=c.key, axis=c.axis, policy=c.missing, missing=int(counts[j]), accounts=len(self)
            )
            for j, c in enumerate(self.criteria)
        ]

    def quadrant_counts(self) -> dict[str, int]:
        """Return the number of accounts per quadrant."""
        counts = np.bincount(self.quadrant, minlength=len(QUADRANTS))
        return {q.value: int(counts[k]) for k, q in enumerate(QUADRANTS)}


def score_matrix(
    raw: FloatArray,
    criteria: Sequence[Criterion],
    *,
    ids: IntArray,
    external_ids: list[str],
    names: list[str],
    threshold: float = 0.5,
    notes: list[str] | None = None,
) -> MatrixTable:
    """Score accounts from raw criterion values (``(n, k)``, NaN = missing).

    Raises:
        DataError: when the threshold is outside 0..1 or a scale criterion has no scale.
    """
    if not 0.0 <= threshold <= 1.0:
        raise DataError(
            f"matrix threshold {threshold} is outside 0..1",
            hint="axes run from 0 to 1; 0.5 splits them in the middle",
        )
    crits = tuple(criteria)
    n, k = raw.shape
    normalised = np.empty((n, k))
    missing = np.isnan(raw)
    included = np.ones((n, k), dtype=np.bool_)
    out_notes = list(notes or [])
    for j, c in enumerate(crits):
        scale = criterion_scale(c) if c.normalisation is Normalisation.SCALE else None
        col = normalise(raw[:, j], c.normalisation, scale, c.higher_is_better)
        miss = missing[:, j]
        if miss.any():
            if c.missing is MissingPolicy.ZERO:
                col[miss] = 0.0
            elif c.missing is MissingPolicy.MEDIAN:
                valued = col[~miss]
                if valued.size:
                    col[miss] = float(np.median(valued))
                else:
                    col[miss] = 0.0
                    out_notes.append(f"no account has a value for {c.key}: median policy gave 0")
            else:
                included[:, j] = ~miss
        normalised[:, j] = col
    weights = np.array([c.weight for c in crits], dtype=np.float64)
    axis_of = np.array([AXES.index(c.axis) for c in crits], dtype=np.int64)
    attractiveness, strength, eff = axis_scores(normalised, included, weights, axis_of)
    contributions = np.where(included, eff / 100.0 * np.nan_to_num(normalised), 0.0)
    return MatrixTable(
        criteria=crits,
        ids=ids,
        external_ids=external_ids,
        names=names,
        raw=raw,
        normalised=normalised,
        missing=missing,
        included=included,
        weights=weights,
        axis_of=axis_of,
        effective_weight=eff,
        contributions=contributions,
        attractiveness=attractiveness,
        strength=strength,
        quadrant=quadrant_codes(attractiveness, strength, threshold),
        threshold=threshold,
        notes=out_notes,
    )


def build_matrix(
    accounts: AccountFrame,
    programme: Programme,
    kpis: AccountKpiTable,
    segment_fit: FloatArray,
    threshold: float = 0.5,
) -> MatrixTable:
    """Compute the criteria's raw metrics for every account and score the matrix.

    Args:
        accounts: the account frame.
        programme: supplies the criteria (an axis without criteria uses the defaults).
        kpis: the account KPIs (revenue, share of wallet, win rate...).
        segment_fit: value-proposition fit of each account's segment (NaN = none).
        threshold: the high/low split on both axes.

    Returns:
        The :class:`MatrixTable`.
    """
    criteria, notes = resolve_criteria(programme)
    ctx = MetricContext(accounts=accounts, kpis=kpis, segment_fit=segment_fit)
    n = len(accounts)
    raw = np.empty((n, len(criteria)))
    for j, c in enumerate(criteria):
        col = np.asarray(METRICS[c.key].compute(ctx), dtype=np.float64)
        col = np.where(np.isfinite(col), col, np.nan)
        raw[:, j] = snap(col) if c.key in SUMMED_METRICS else col
    return score_matrix(
        raw,
        criteria,
        ids=accounts.ids,
        external_ids=accounts.external_ids,
        names=accounts.names,
        threshold=threshold,
        notes=notes,
    )
