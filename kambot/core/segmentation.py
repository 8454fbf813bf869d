"""Strategic segments first: map accounts to the programme's segments and rank them.

An account belongs to a programme segment when its own segment label equals the
segment's key or name (case-insensitive); failing that, when its industry label is one
of the segment's industries (case-insensitive). When several segments claim an account,
the first one in the programme's order wins, so the mapping never depends on the data's
row order.

Segments are ranked by a score mixing value-proposition fit and aggregate potential::

    score = fit_weight * fit / 5 + (1 - fit_weight) * potential / max_potential

where ``potential`` is the summed potential of the segment's accounts and
``max_potential`` the largest such sum among programme segments (0 when none has any).
Ties are broken by segment key. A segment is *strategic* when its fit is at least
``min_fit`` and its rank is within ``max_segments`` (every programme segment by
default: the programme lists them because it considers them strategic).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kambot.core.frames import AccountFrame, FloatArray, IntArray
from kambot.core.grouping import BoolArray, weighted_bincount
from kambot.domain.analysis import SegmentRanking
from kambot.domain.programme import Programme, StrategicSegment
from kambot.errors import DataError


@dataclass(frozen=True)
class SegmentationConfig:
    """How segments are ranked and which count as strategic."""

    fit_weight: float = 0.5
    min_fit: float = 0.0
    max_segments: int | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.fit_weight <= 1.0:
            raise DataError(
                f"fit_weight is {self.fit_weight}, not within 0..1",
                hint="0.5 weighs value-proposition fit and potential equally",
            )
        if self.max_segments is not None and self.max_segments < 1:
            raise DataError("max_segments must be at least 1", hint="or None for no limit")


@dataclass(frozen=True)
class SegmentTable:
    """Segment of every account and the ranking of the programme's segments."""

    segments: tuple[StrategicSegment, ...]
    segment_of: IntArray  # index into ``segments`` per account, -1 = none
    fit: FloatArray  # value-proposition fit of the account's segment, NaN = none
    in_strategic: BoolArray  # account belongs to a strategic segment
    strategic: BoolArray  # per programme segment
    rankings: list[SegmentRanking]

    def segment_key(self, i: int) -> str | None:
        """Return the key of the account's programme segment, or None."""
        s = int(self.segment_of[i])
        return None if s < 0 else self.segments[s].key


def _code_to_segment(labels: list[str], lookup: dict[str, int]) -> IntArray:
    # One entry per label plus a trailing -1 for the missing code (-1 indexes it).
    table = np.array([lookup.get(lbl.strip().casefold(), -1) for lbl in labels] + [-1])
    return table.astype(np.int64)


def assign_segments(accounts: AccountFrame, segments: list[StrategicSegment]) -> IntArray:
    """Return the programme segment index of every account (-1 when none)."""
    n = len(accounts)
    if not segments:
        return np.full(n, -1, dtype=np.int64)
    by_label: dict[str, int] = {}
    by_industry: dict[str, int] = {}
    for k, seg in enumerate(segments):
        for name in (seg.key, seg.name):
            by_label.setdefault(name.strip().casefold(), k)
        for ind in seg.industries:
            by_industry.setdefault(ind.strip().casefold(), k)
    from_label = _code_to_segment(accounts.segment_labels, by_label)[accounts.segment]
    from_industry = _code_to_segment(accounts.industry_labels, by_industry)[accounts.industry]
    return np.where(from_label >= 0, from_label, from_industry)


def rank_segments(
    accounts: AccountFrame,
    programme: Programme,
    revenue_ttm: FloatArray,
    config: SegmentationConfig | None = None,
) -> SegmentTable:
    """Map accounts to the programme's segments, rank the segments, mark strategic ones.

    Args:
        accounts: the account frame.
        programme: supplies the strategic segments and their value-proposition fit.
        revenue_ttm: our TTM revenue per account (for the segment summary).
        config: ranking parameters; documented defaults when None.

    Returns:
        A :class:`SegmentTable`. With no programme segment, no account has a segment
        and ``rankings`` is empty.
    """
    cfg = config or SegmentationConfig()
    segments = tuple(programme.segments)
    n = len(accounts)
    m = len(segments)
    segment_of = assign_segments(accounts, list(segments))
    if m == 0:
        return SegmentTable(
            segments=segments,
            segment_of=segment_of,
            fit=np.full(n, np.nan),
            in_strategic=np.zeros(n, dtype=np.bool_),
            strategic=np.zeros(0, dtype=np.bool_),
            rankings=[],
        )

    member = segment_of >= 0
    seg_idx = segment_of[member]
    potential = np.nan_to_num(accounts.potential[member], nan=0.0)
    counts = np.bincount(seg_idx, minlength=m)[:m]
    with_potential = np.bincount(seg_idx[~np.isnan(accounts.potential[member])], minlength=m)[:m]
    agg_potential = weighted_bincount(seg_idx, potential, m)
    agg_revenue = weighted_bincount(seg_idx, revenue_ttm[member], m)

    fits = np.array([s.value_proposition_fit for s in segments], dtype=np.float64)
    max_pot = float(agg_potential.max())
    total_pot = float(agg_potential.sum())
    pot_score = agg_potential / max_pot if max_pot > 0 else np.zeros(m)
    score = np.round(cfg.fit_weight * fits / 5.0 + (1.0 - cfg.fit_weight) * pot_score, 12)
    order = sorted(range(m), key=lambda k: (-score[k], segments[k].key))
    rank = np.empty(m, dtype=np.int64)
    rank[np.array(order, dtype=np.int64)] = np.arange(1, m + 1)
    strategic = fits >= cfg.min_fit
    if cfg.max_segments is not None:
        strategic &= rank <= cfg.max_segments

    rankings: list[SegmentRanking] = []
    for k in order:
        seg = segments[k]
        share = float(agg_potential[k] / total_pot) if total_pot > 0 else 0.0
        why = [
            f"fit {seg.value_proposition_fit:g}/5",
            f"{int(counts[k])} accounts with aggregate potential {agg_potential[k]:,.0f}"
            f" ({share:.0%} of programme segments)",
        ]
        if not strategic[k]:
            if fits[k] < cfg.min_fit:
                why.append(f"not strategic: fit below the minimum {cfg.min_fit:g}")
            else:
                why.append(f"not strategic: beyond the {cfg.max_segments} best segments")
        rankings.append(
            SegmentRanking(
                key=seg.key,
                name=seg.name,
                rank=int(rank[k]),
                value_proposition_fit=seg.value_proposition_fit,
                accounts=int(counts[k]),
                accounts_with_potential=int(with_potential[k]),
                aggregate_potential=float(agg_potential[k]),
                potential_share=share,
                revenue_ttm=float(agg_revenue[k]),
                score=float(score[k]),
                strategic=bool(strategic[k]),
                reason="; ".join(why),
            )
        )
    fit = np.where(member, fits[np.maximum(segment_of, 0)], np.nan)
    in_strategic = member & strategic[np.maximum(segment_of, 0)]
    return SegmentTable(
        segments=segments,
        segment_of=segment_of,
        fit=fit,
        in_strategic=in_strategic,
        strategic=strategic,
        rankings=rankings,
    )
