"""Key-account selection under capacity: less is more.

The number of key accounts is the binding capacity -- ``Capacity.effective_max``, the
lower of ``max_key_accounts`` and ``kams x accounts_per_kam`` -- unless
``SelectionConfig.max_accounts`` overrides it. Programmes typically carry 15 to 35 key
accounts; a capacity outside that range is noted, not refused.

Accounts are ranked on *potential rather than current size*: the selection score is the
attractiveness (driven by potential and fit) blended with relative strength::

    score = (1 - strength_blend) * attractiveness + strength_blend * strength

with ``strength_blend = 0`` by default, so today's revenue only matters through the
criteria the programme put on the attractiveness axis. Only accounts of strategic
segments are eligible when the programme has segments (``only_strategic_segments``),
optionally only those with at least ``min_attractiveness``. Ties are broken by external
id, so the result never depends on the order of the rows.

Each selected account carries a rationale (rank, quadrant, the criteria that made it);
the next eligible accounts are reported as runners-up with the gap to the cut-off and
the criteria where they trail the last selected account; ineligible accounts that scored
above the cut-off are reported with the reason they were left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kambot.core.frames import FloatArray, IntArray
from kambot.core.grouping import BoolArray
from kambot.core.matrix import AXES, QUADRANTS, SCORE_DECIMALS, MatrixTable
from kambot.core.segmentation import SegmentTable
from kambot.domain.analysis import RunnerUp, SelectedAccount, SelectionResult
from kambot.domain.programme import Axis, Capacity
from kambot.errors import DataError


@dataclass(frozen=True)
class SelectionConfig:
    """How key accounts are selected."""

    max_accounts: int | None = None
    only_strategic_segments: bool = True
    strength_blend: float = 0.0
    min_attractiveness: float | None = None
    runners_up: int = 10
    top_criteria: int = 3
    typical_range: tuple[int, int] = (15, 35)

    def __post_init__(self) -> None:
        if not 0.0 <= self.strength_blend <= 1.0:
            raise DataError(
                f"strength_blend is {self.strength_blend}, not within 0..1",
                hint="0 ranks on attractiveness only; 0.3 gives strength 30%",
            )
        if self.max_accounts is not None and self.max_accounts < 0:
            raise DataError("max_accounts cannot be negative", hint="or None for the capacity")
        if self.runners_up < 0 or self.top_criteria < 0:
            raise DataError("runners_up and top_criteria cannot be negative")


@dataclass(frozen=True)
class SelectionTable:
    """The selection as arrays."""

    score: FloatArray
    eligible: BoolArray
    selected: BoolArray
    order: IntArray  # selected accounts, best first
    runners_up: IntArray  # next eligible accounts, best first
    excluded: IntArray  # ineligible accounts above the cut-off, best first
    capacity: int
    cut_off: float | None

    def selected_ids(self, external_ids: list[str]) -> list[str]:
        """Return the external ids of the selected accounts, best first."""
        return [external_ids[int(i)] for i in self.order]


def selection_scores(
    attractiveness: FloatArray, strength: FloatArray, strength_blend: float
) -> FloatArray:
    """Blend the two axes into the selection score (rounded, see the module docstring)."""
    score = (1.0 - strength_blend) * attractiveness + strength_blend * strength
    return np.round(score, SCORE_DECIMALS)


def top_k(score: FloatArray, mask: BoolArray, external_ids: list[str], k: int) -> IntArray:
    """Return the ``k`` best accounts where ``mask`` holds: score descending, then id.

    Only the candidates at or above the k-th best score are sorted, so this is cheap for
    a large portfolio and a small ``k``.
    """
    idx = np.flatnonzero(mask)
    if k <= 0 or idx.size == 0:
        return np.zeros(0, dtype=np.int64)
    s = score[idx]
    if k < idx.size:
        kth = np.partition(s, idx.size - k)[idx.size - k]
        keep = s >= kth
        idx, s = idx[keep], s[keep]
    ids = np.array([external_ids[i] for i in idx])
    order = np.lexsort((ids, -s))
    return idx[order[:k]].astype(np.int64)


def capacity_of(capacity: Capacity, override: int | None) -> tuple[int, str]:
    """Return the number of key accounts to select and a sentence saying why."""
    if override is not None:
        reason = f"set by the selection (max_accounts={override})"
        if override > capacity.effective_max:
            reason += f", above the programme capacity {capacity.effective_max}"
        return override, reason
    parts = [f"max_key_accounts={capacity.max_key_accounts}"]
    if capacity.kams is not None:
        parts.append(
            f"{capacity.kams} KAMs x {capacity.accounts_per_kam} accounts per KAM = "
            f"{capacity.kams * capacity.accounts_per_kam}"
        )
    return capacity.effective_max, f"lower of {' and '.join(parts)}"


def eligibility(
    matrix: MatrixTable,
    segments: SegmentTable,
    config: SelectionConfig,
) -> tuple[BoolArray, bool]:
    """Return which accounts may be selected and whether segments restricted them."""
    n = len(matrix)
    eligible = np.ones(n, dtype=np.bool_)
    by_segment = config.only_strategic_segments and len(segments.segments) > 0
    if by_segment:
        eligible &= segments.in_strategic
    if config.min_attractiveness is not None:
        eligible &= matrix.attractiveness >= config.min_attractiveness
    return eligible, by_segment


def _weighted_contributions(matrix: MatrixTable, i: int, blend: float) -> FloatArray:
    factor = np.where(matrix.axis_of == AXES.index(Axis.ATTRACTIVENESS), 1.0 - blend, blend)
    out: FloatArray = matrix.contributions[i] * factor
    return out


def _ineligible_reasons(
    i: int, matrix: MatrixTable, segments: SegmentTable, config: SelectionConfig, by_segment: bool
) -> list[str]:
    reasons: list[str] = []
    if by_segment and not segments.in_strategic[i]:
        s = int(segments.segment_of[i])
        if s < 0:
            reasons.append("not in any strategic segment of the programme")
        else:
            reasons.append(f"segment {segments.segments[s].key} is not retained as strategic")
    if (
        config.min_attractiveness is not None
        and matrix.attractiveness[i] < config.min_attractiveness
    ):
        reasons.append(
            f"attractiveness {matrix.attractiveness[i]:.3f} below the minimum "
            f"{config.min_attractiveness:g}"
        )
    return reasons


def select_key_accounts(
    matrix: MatrixTable,
    segments: SegmentTable,
    capacity: Capacity,
    config: SelectionConfig | None = None,
) -> tuple[SelectionTable, SelectionResult]:
    """Select the key accounts under capacity and explain the choice.

    Args:
        matrix: the scored matrix.
        segments: the account-to-segment mapping and strategic flags.
        capacity: the programme's capacity.
        config: selection parameters; documented defaults when None.

    Returns:
        The columnar :class:`SelectionTable` and the explained :class:`SelectionResult`.
    """
    cfg = config or SelectionConfig()
    n = len(matrix)
    ext = matrix.external_ids
    cap, cap_reason = capacity_of(capacity, cfg.max_accounts)
    score = selection_scores(matrix.attractiveness, matrix.strength, cfg.strength_blend)
    eligible, by_segment = eligibility(matrix, segments, cfg)
    n_eligible = int(eligible.sum())

    ranked = top_k(score, eligible, ext, cap + cfg.runners_up)
    order = ranked[:cap]
    runners = ranked[cap:]
    selected = np.zeros(n, dtype=np.bool_)
    selected[order] = True
    cut_off = float(score[order[-1]]) if order.size and order.size == cap else None
    # Ineligible accounts worth mentioning: those that would have made the cut.
    above = ~eligible if cut_off is None else ~eligible & (score >= cut_off)
    excluded = top_k(score, above, ext, cfg.runners_up)

    table = SelectionTable(
        score=score,
        eligible=eligible,
        selected=selected,
        order=order,
        runners_up=runners,
        excluded=excluded,
        capacity=cap,
        cut_off=cut_off,
    )

    selected_models: list[SelectedAccount] = []
    for r, i in enumerate(order.tolist(), start=1):
        weighted = _weighted_contributions(matrix, i, cfg.strength_blend)
        best = [j for j in np.argsort(-weighted, kind="stable").tolist() if weighted[j] > 0]
        top = [matrix.contribution(i, j) for j in best[: cfg.top_criteria]]
        quadrant = QUADRANTS[int(matrix.quadrant[i])]
        formula = f"attractiveness {matrix.attractiveness[i]:.3f}"
        if cfg.strength_blend > 0:
            formula = (
                f"{1 - cfg.strength_blend:g} x attractiveness {matrix.attractiveness[i]:.3f} + "
                f"{cfg.strength_blend:g} x strength {matrix.strength[i]:.3f}"
            )
        made_by = ", ".join(f"{c.label} ({c.contribution:.3f})" for c in top) or "no criterion"
        rationale = (
            f"rank {r} of {n_eligible} eligible accounts; score {score[i]:.3f} ({formula}); "
            f"quadrant {quadrant.value}; made by {made_by}"
        )
        if segments.segment_key(i) is not None:
            rationale += f"; segment {segments.segment_key(i)}"
        selected_models.append(
            SelectedAccount(
                account_id=int(matrix.ids[i]),
                external_id=ext[i],
                name=matrix.names[i],
                rank=r,
                score=float(score[i]),
                attractiveness=float(matrix.attractiveness[i]),
                strength=float(matrix.strength[i]),
                quadrant=quadrant,
                segment=segments.segment_key(i),
                top_criteria=top,
                rationale=rationale,
            )
        )

    last = int(order[-1]) if order.size else None
    last_weighted = (
        _weighted_contributions(matrix, last, cfg.strength_blend) if last is not None else None
    )

    def runner_model(pos: int, i: int, is_eligible: bool, reasons: list[str]) -> RunnerUp:
        behind: list[str] = []
        if last_weighted is not None:
            diff = _weighted_contributions(matrix, i, cfg.strength_blend) - last_weighted
            for j in np.argsort(diff, kind="stable").tolist():
                if diff[j] < 0 and len(behind) < cfg.top_criteria:
                    label = matrix.criteria[j].label or matrix.criteria[j].key
                    behind.append(f"{label} ({diff[j]:+.3f})")
        return RunnerUp(
            account_id=int(matrix.ids[i]),
            external_id=ext[i],
            name=matrix.names[i],
            rank=pos,
            score=float(score[i]),
            attractiveness=float(matrix.attractiveness[i]),
            strength=float(matrix.strength[i]),
            quadrant=QUADRANTS[int(matrix.quadrant[i])],
            segment=segments.segment_key(i),
            eligible=is_eligible,
            gap=None if cut_off is None else round(cut_off - float(score[i]), SCORE_DECIMALS),
            behind_on=behind,
            reasons=reasons,
        )

    runner_models: list[RunnerUp] = []
    for pos, i in enumerate(runners.tolist(), start=cap + 1):
        if cut_off is None or last is None:
            reasons = ["capacity is 0: no account can be selected"]
        elif score[i] == cut_off:
            reasons = [
                f"tied with the cut-off score {cut_off:.3f} of {ext[last]}; ties go to the "
                f"lower external id, and capacity {cap} was reached"
            ]
        else:
            reasons = [
                f"score {score[i]:.3f} is {cut_off - score[i]:.3f} below the cut-off {cut_off:.3f} "
                f"set by {ext[last]} (capacity {cap} reached)"
            ]
        runner_models.append(runner_model(pos, i, True, reasons))
    excluded_models = [
        runner_model(pos, i, False, _ineligible_reasons(i, matrix, segments, cfg, by_segment))
        for pos, i in enumerate(excluded.tolist(), start=1)
    ]

    notes: list[str] = []
    lo, hi = cfg.typical_range
    if cap > hi:
        notes.append(
            f"capacity {cap} is above the typical {lo} to {hi} key accounts: less is more, "
            "a programme spread too thin serves no account well"
        )
    elif 0 < cap < lo:
        notes.append(f"capacity {cap} is below the typical {lo} to {hi} key accounts")
    if cap == 0:
        notes.append("capacity is 0 (no KAM available): nothing selected")
    if n_eligible < cap:
        notes.append(f"only {n_eligible} eligible accounts for a capacity of {cap}")
    if order.size < capacity.min_key_accounts:
        notes.append(
            f"{order.size} accounts selected, below the programme minimum of "
            f"{capacity.min_key_accounts}"
        )
    if cfg.only_strategic_segments and not segments.segments:
        notes.append("the programme has no strategic segments: every account is eligible")
    result = SelectionResult(
        capacity=cap,
        capacity_reason=cap_reason,
        only_strategic_segments=by_segment,
        strength_blend=cfg.strength_blend,
        accounts=n,
        eligible=n_eligible,
        selected=selected_models,
        cut_off_score=cut_off,
        runners_up=runner_models,
        excluded=excluded_models,
        notes=notes,
    )
    return table, result
