"""Weight sensitivity: how robust is the key-account selection to the chosen weights?

Each criterion's weight moves by ``+step`` and ``-step`` (20% by default, relative: a
weight of 40 becomes 48 or 32, capped at 100). The other weights of the same axis are
scaled by ``(100 - new) / (100 - old)`` so that the axis still sums to 100. A criterion
alone on its axis (weight 100) or with weight 0 cannot move: the variant is reported
with ``changed=False``. For every variant the selection is re-run with the same
eligibility and capacity, and the accounts that enter or leave are listed. Accounts
selected in every variant are *stable*; those that leave in some variant are *fragile*.
"""

from __future__ import annotations

import numpy as np

from kambot.core.frames import FloatArray, IntArray
from kambot.core.matrix import AXES, MatrixTable, axis_scores
from kambot.core.selection import SelectionTable, selection_scores, top_k
from kambot.domain.analysis import SensitivityReport, SensitivityVariant
from kambot.errors import DataError


def vary_weight(weights: FloatArray, axis_of: IntArray, j: int, change: float) -> FloatArray:
    """Return the weights with weight ``j`` moved by ``change`` (relative), axis kept at 100."""
    old = float(weights[j])
    new = min(100.0, old * (1.0 + change))
    out = weights.copy()
    if old == 0.0 or old >= 100.0:
        return out
    same = (axis_of == axis_of[j]) & (np.arange(weights.size) != j)
    out[same] = weights[same] * (100.0 - new) / (100.0 - old)
    out[j] = new
    return out


def weight_sensitivity(
    matrix: MatrixTable,
    selection: SelectionTable,
    strength_blend: float = 0.0,
    step: float = 0.2,
) -> SensitivityReport:
    """Re-run the selection with every weight moved by +/- ``step``.

    Args:
        matrix: the base matrix (its normalised values are reused).
        selection: the base selection (eligibility and capacity are reused).
        strength_blend: the blend the base selection used.
        step: relative weight change, 0.2 = 20%.

    Returns:
        A :class:`SensitivityReport` listing entries and exits per variant.
    """
    if not 0.0 < step < 1.0:
        raise DataError(f"sensitivity step {step} is not within 0..1", hint="0.2 means +/-20%")
    ext = matrix.external_ids
    base = selection.order
    base_set = set(base.tolist())
    variants: list[SensitivityVariant] = []
    left_any: set[int] = set()
    entered_any: set[int] = set()
    for j, criterion in enumerate(matrix.criteria):
        for change in (step, -step):
            weights = vary_weight(matrix.weights, matrix.axis_of, j, change)
            changed = not np.array_equal(weights, matrix.weights)
            entered: list[int] = []
            left: list[int] = []
            if changed:
                attr, strength, _ = axis_scores(
                    matrix.normalised, matrix.included, weights, matrix.axis_of
                )
                score = selection_scores(attr, strength, strength_blend)
                chosen = top_k(score, selection.eligible, ext, selection.capacity)
                chosen_set = set(chosen.tolist())
                entered = sorted(chosen_set - base_set, key=lambda i: ext[i])
                left = sorted(base_set - chosen_set, key=lambda i: ext[i])
                entered_any.update(entered)
                left_any.update(left)
            variants.append(
                SensitivityVariant(
                    criterion=criterion.key,
                    axis=AXES[int(matrix.axis_of[j])],
                    change=change,
                    weights={
                        c.key: round(float(weights[k]), 6) for k, c in enumerate(matrix.criteria)
                    },
                    changed=changed,
                    entered=[ext[i] for i in entered],
                    left=[ext[i] for i in left],
                )
            )
    return SensitivityReport(
        step=step,
        base_selection=[ext[i] for i in base.tolist()],
        variants=variants,
        stable=[ext[i] for i in base.tolist() if i not in left_any],
        fragile=[ext[i] for i in base.tolist() if i in left_any],
        challengers=sorted(ext[i] for i in entered_any),
    )
