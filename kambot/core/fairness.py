"""Fairness measures: counterfactual score differences and the four-fifths rule.

Pure functions over scores and selections. A counterfactual pair is the same CV with
only a protected attribute changed (name, gender markers, age, nationality): any
difference in a level or in the fit is a defect. The impact ratio of a group is its
selection rate divided by the highest group's rate; below four fifths (0.8) the
methodology says to investigate before going further.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kambot.domain.assessment import TRAITS, Trait

FOUR_FIFTHS = 0.8


@dataclass(frozen=True)
class LevelDifference:
    """A trait whose proposed level differs between the two sides of a pair."""

    trait: Trait
    base: int | None
    variant: int | None


def level_differences(
    base: Mapping[Trait, int | None], variant: Mapping[Trait, int | None]
) -> list[LevelDifference]:
    """List the traits whose level (or not-enough-evidence status) differs."""
    return [LevelDifference(t, base.get(t), variant.get(t)) for t in TRAITS
            if base.get(t) != variant.get(t)]


def fit_difference(base: float | None, variant: float | None) -> float:
    """Return the absolute fit difference in points (a missing fit on one side only
    counts as the other side's full value)."""
    if base is None and variant is None:
        return 0.0
    return abs((base or 0.0) - (variant or 0.0))


@dataclass(frozen=True)
class GroupRate:
    """Selection rate of a group on a shortlist and its impact ratio."""

    group: str
    candidates: int
    selected: int
    rate: float
    impact_ratio: float | None
    below_four_fifths: bool


def shortlist(ranked: Sequence[tuple[str, tuple[float, int]]], size: int) -> list[str]:
    """Return the ``size`` best candidates, by descending key then by id (stable).

    Args:
        ranked: ``(candidate id, ranking key)`` pairs.
        size: how many to keep.
    """
    ordered = sorted(ranked, key=lambda item: (-item[1][0], -item[1][1], item[0]))
    return [candidate for candidate, _ in ordered[: max(size, 0)]]


def impact_ratios(
    groups: Mapping[str, str],
    selected: Sequence[str] | set[str],
    threshold: float = FOUR_FIFTHS,
) -> list[GroupRate]:
    """Compute each group's selection rate and its ratio to the best group's rate.

    Args:
        groups: candidate id -> group label (monitoring data kept apart from the
            assessment; never an input of the scores).
        selected: the candidate ids selected (e.g. the shortlist).
        threshold: the ratio under which a group is flagged (four fifths).

    Returns:
        One line per group, sorted by label; the ratio is None when no group was
        selected at all.
    """
    chosen = set(selected)
    counts: dict[str, list[int]] = {}
    for candidate, group in groups.items():
        total_selected = counts.setdefault(group, [0, 0])
        total_selected[0] += 1
        total_selected[1] += candidate in chosen
    rates = {g: (s / n if n else 0.0) for g, (n, s) in counts.items()}
    best = max(rates.values(), default=0.0)
    result: list[GroupRate] = []
    for group in sorted(counts):
        n, s = counts[group]
        ratio = rates[group] / best if best > 0 else None
        result.append(GroupRate(group, n, s, round(rates[group], 4),
                                round(ratio, 4) if ratio is not None else None,
                                ratio is not None and ratio < threshold))
    return result
