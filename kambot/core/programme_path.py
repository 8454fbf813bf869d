"""Where the programme stands on its ordered path: one rule per checkpoint, pure.

The coaching use case reads the store into a :class:`PathState` (counts and small
lists, nothing else) and this module decides, checkpoint by checkpoint, whether the
data shows it is met. The order is the methodology's: each step produces what the next
one consumes, so the next step is the first checkpoint not met.

Checkpoints and their rules:

- ``programme_defined``: a programme is stored, with at least one executive.
- ``strategic_cause``: at least one objective, and every objective has a measure.
- ``alignment_interviews``: every executive of the programme has a completed interview.
- ``segments_defined``: at least one strategic segment, and criteria on both axes.
- ``accounts_selected``: the number of key accounts is within the capacity (at least
  the minimum, and at least one; at most the effective maximum).
- ``sponsors_assigned``: every key account has a sponsor who is an executive, and no
  executive sponsors more accounts than their limit.
- ``plans_validated``: every key account has a validated plan.
- ``kpis_live``: every key account has revenue in the last twelve months of data and an
  estimate of potential (the baselines of growth and share of wallet).
- ``casting_done``: every key account has a KAM (a person with the kam role), and no
  KAM carries more key accounts than their limit.
- ``listening``: feedback was recorded in the recent window (after the launch).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

CHECKPOINTS: tuple[str, ...] = (
    "programme_defined", "strategic_cause", "alignment_interviews", "segments_defined",
    "accounts_selected", "sponsors_assigned", "plans_validated", "kpis_live", "casting_done",
    "listening",
)
MAX_LISTED = 5


@dataclass(frozen=True)
class KeyAccountState:
    """What the path needs to know about one key account."""

    external_id: str
    name: str
    sponsor: str | None = None
    sponsor_is_executive: bool = False
    kam: str | None = None
    kam_is_kam: bool = False
    plan_validated: bool = False
    has_potential: bool = False
    revenue_12m: bool = False


@dataclass(frozen=True)
class PathState:
    """A snapshot of the data, as counts and short lists."""

    programme_defined: bool = False
    executives: tuple[tuple[str, str], ...] = ()
    kams: int = 0
    objectives: int = 0
    objectives_with_measure: int = 0
    primary_cause: str | None = None
    segments: int = 0
    criteria_attractiveness: int = 0
    criteria_strength: int = 0
    capacity_min: int = 0
    capacity_max: int = 0
    key_accounts: tuple[KeyAccountState, ...] = ()
    sponsor_limits: Mapping[str, int] = field(default_factory=dict)
    kam_limits: Mapping[str, int] = field(default_factory=dict)
    interviewed_keys: frozenset[str] = frozenset()
    interviewed_names: frozenset[str] = frozenset()
    interviews_in_progress: int = 0
    feedback_recent: int = 0
    feedback_total: int = 0
    feedback_themes: int = 0
    assessments: int = 0


@dataclass(frozen=True)
class CheckpointResult:
    """Whether one checkpoint is met, with the figures and names that show it.

    Attributes:
        id: the checkpoint id.
        done: met or not.
        counts: figures behind the verdict (e.g. ``{"with_sponsor": 11, "key_accounts":
            14}``).
        missing: names of what is missing (at most a few), for the evidence.
    """

    id: str
    done: bool
    counts: Mapping[str, int] = field(default_factory=dict)
    missing: tuple[str, ...] = ()


def _over_limit(assigned: Mapping[str, int], limits: Mapping[str, int], default: int
                ) -> list[str]:
    return sorted(k for k, n in assigned.items() if n > limits.get(k, default))


def evaluate_path(state: PathState, *, default_sponsor_limit: int = 3,
                  default_kam_limit: int = 4) -> list[CheckpointResult]:
    """Decide every checkpoint from a snapshot of the data.

    Args:
        state: the snapshot.
        default_sponsor_limit: accounts an executive may sponsor when no limit is set.
        default_kam_limit: accounts a KAM may carry when no limit is set.

    Returns:
        One result per checkpoint, in path order.
    """
    keys = state.key_accounts
    n_key = len(keys)
    execs = state.executives
    out: list[CheckpointResult] = []

    out.append(CheckpointResult("programme_defined",
                                state.programme_defined and len(execs) >= 1,
                                {"executives": len(execs), "kams": state.kams}))
    out.append(CheckpointResult(
        "strategic_cause",
        state.objectives >= 1 and state.objectives_with_measure == state.objectives,
        {"objectives": state.objectives, "with_measure": state.objectives_with_measure}))
    interviewed = [n for k, n in execs if k in state.interviewed_keys
                   or n in state.interviewed_names]
    not_done = tuple(n for k, n in execs if n not in interviewed)
    out.append(CheckpointResult(
        "alignment_interviews", bool(execs) and not not_done,
        {"interviewed": len(interviewed), "executives": len(execs),
         "in_progress": state.interviews_in_progress}, not_done[:MAX_LISTED]))
    out.append(CheckpointResult(
        "segments_defined",
        state.segments >= 1 and state.criteria_attractiveness >= 1
        and state.criteria_strength >= 1,
        {"segments": state.segments, "attractiveness": state.criteria_attractiveness,
         "strength": state.criteria_strength}))
    low = max(1, state.capacity_min)
    high = state.capacity_max if state.capacity_max > 0 else n_key
    out.append(CheckpointResult(
        "accounts_selected", low <= n_key <= high,
        {"key_accounts": n_key, "min": low, "max": state.capacity_max}))
    sponsored: dict[str, int] = {}
    for a in keys:
        if a.sponsor and a.sponsor_is_executive:
            sponsored[a.sponsor] = sponsored.get(a.sponsor, 0) + 1
    no_sponsor = tuple(a.name for a in keys if not (a.sponsor and a.sponsor_is_executive))
    over = _over_limit(sponsored, state.sponsor_limits, default_sponsor_limit)
    out.append(CheckpointResult(
        "sponsors_assigned", n_key >= 1 and not no_sponsor and not over,
        {"with_sponsor": n_key - len(no_sponsor), "key_accounts": n_key,
         "over_limit": len(over)}, (no_sponsor + tuple(over))[:MAX_LISTED]))
    unvalidated = tuple(a.name for a in keys if not a.plan_validated)
    out.append(CheckpointResult(
        "plans_validated", n_key >= 1 and not unvalidated,
        {"validated": n_key - len(unvalidated), "key_accounts": n_key},
        unvalidated[:MAX_LISTED]))
    no_baseline = tuple(a.name for a in keys if not (a.revenue_12m and a.has_potential))
    out.append(CheckpointResult(
        "kpis_live", n_key >= 1 and not no_baseline,
        {"with_baseline": n_key - len(no_baseline), "key_accounts": n_key,
         "without_revenue": sum(1 for a in keys if not a.revenue_12m),
         "without_potential": sum(1 for a in keys if not a.has_potential)},
        no_baseline[:MAX_LISTED]))
    carried: dict[str, int] = {}
    for a in keys:
        if a.kam and a.kam_is_kam:
            carried[a.kam] = carried.get(a.kam, 0) + 1
    no_kam = tuple(a.name for a in keys if not (a.kam and a.kam_is_kam))
    overloaded = _over_limit(carried, state.kam_limits, default_kam_limit)
    out.append(CheckpointResult(
        "casting_done", n_key >= 1 and not no_kam and not overloaded,
        {"with_kam": n_key - len(no_kam), "key_accounts": n_key,
         "over_limit": len(overloaded), "assessments": state.assessments},
        (no_kam + tuple(overloaded))[:MAX_LISTED]))
    out.append(CheckpointResult(
        "listening", state.feedback_recent >= 1,
        {"recent": state.feedback_recent, "total": state.feedback_total,
         "themes": state.feedback_themes}))
    return out


def next_checkpoint(results: list[CheckpointResult]) -> CheckpointResult | None:
    """Return the first checkpoint not met, or None when all are."""
    return next((r for r in results if not r.done), None)
