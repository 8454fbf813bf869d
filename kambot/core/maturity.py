"""Programme maturity in Woodburn's four phases, from measurable criteria.

Woodburn (Cranfield KAM Best Practice Research Club, "Transitioning to KAM", 2006)
describes KAM development in four phases: A *scoping KAM*, B *introducing KAM*,
C *embedding KAM*, D *optimising value*. kambot places a programme in a phase from
figures it can measure. Every programme starts in A; it is in B when all B criteria
hold, in C when B's and C's hold, in D when all hold. The criteria (all on the key
accounts; shares are 0..1):

Phase B, introducing KAM -- key accounts chosen and people named:
  key accounts selected (>= 1); selection criteria defined in the programme; key
  accounts within capacity; a KAM assigned to >= 80%; an executive sponsor for >= 50%.

Phase C, embedding KAM -- plans and governance running:
  executive sponsor for >= 80%; validated account plan for >= 60%; mean buying-centre
  coverage >= 0.6; >= 50% of planned sponsor meetings held; >= 50% of key accounts with
  a validated (or in-progress or done) initiative.

Phase D, optimising value -- the organisation delivers for key accounts:
  executive sponsor for >= 95%; validated plan for >= 90%; full buying-centre
  coverage for >= 50%; >= 90% of planned sponsor meetings held; >= 80% of escalations
  resolved within the target; >= 80% of requested resources committed.

A criterion whose measure is undefined (e.g. no key account) is not met. Thresholds
are data (:data:`MATURITY_CRITERIA`) and can be replaced.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kambot.domain.analysis import MaturityAssessment, MaturityCriterionResult, MaturityPhase

PHASE_NAMES = {
    MaturityPhase.A: "scoping KAM",
    MaturityPhase.B: "introducing KAM",
    MaturityPhase.C: "embedding KAM",
    MaturityPhase.D: "optimising value",
}
PHASE_ORDER = (MaturityPhase.A, MaturityPhase.B, MaturityPhase.C, MaturityPhase.D)


@dataclass(frozen=True)
class MaturityCriterion:
    """A measurable criterion: ``measures[measure] >= threshold`` to enter ``phase``."""

    phase: MaturityPhase
    measure: str
    threshold: float
    description: str


MATURITY_CRITERIA: tuple[MaturityCriterion, ...] = (
    MaturityCriterion(MaturityPhase.B, "key_accounts", 1, "key accounts selected"),
    MaturityCriterion(MaturityPhase.B, "criteria_defined", 1, "selection criteria defined"),
    MaturityCriterion(MaturityPhase.B, "within_capacity", 1, "key accounts within capacity"),
    MaturityCriterion(MaturityPhase.B, "kam_assigned_share", 0.8, "a KAM for at least 80%"),
    MaturityCriterion(
        MaturityPhase.B, "sponsor_share", 0.5, "an executive sponsor for at least 50%"
    ),
    MaturityCriterion(
        MaturityPhase.C, "sponsor_share", 0.8, "an executive sponsor for at least 80%"
    ),
    MaturityCriterion(
        MaturityPhase.C, "validated_plan_share", 0.6, "a validated plan for at least 60%"
    ),
    MaturityCriterion(
        MaturityPhase.C, "mean_coverage", 0.6, "mean buying-centre coverage of at least 0.6"
    ),
    MaturityCriterion(
        MaturityPhase.C,
        "sponsor_meetings_ratio",
        0.5,
        "at least 50% of planned sponsor meetings held",
    ),
    MaturityCriterion(
        MaturityPhase.C, "initiative_share", 0.5, "a validated initiative for at least 50%"
    ),
    MaturityCriterion(
        MaturityPhase.D, "sponsor_share", 0.95, "an executive sponsor for at least 95%"
    ),
    MaturityCriterion(
        MaturityPhase.D, "validated_plan_share", 0.9, "a validated plan for at least 90%"
    ),
    MaturityCriterion(
        MaturityPhase.D, "full_coverage_share", 0.5, "full buying-centre coverage for at least 50%"
    ),
    MaturityCriterion(
        MaturityPhase.D,
        "sponsor_meetings_ratio",
        0.9,
        "at least 90% of planned sponsor meetings held",
    ),
    MaturityCriterion(
        MaturityPhase.D,
        "escalations_within_target",
        0.8,
        "at least 80% of escalations resolved in time",
    ),
    MaturityCriterion(
        MaturityPhase.D,
        "resources_commitment",
        0.8,
        "at least 80% of requested resources committed",
    ),
)


def assess_maturity(
    measures: Mapping[str, float | None],
    criteria: Sequence[MaturityCriterion] = MATURITY_CRITERIA,
) -> MaturityAssessment:
    """Place the programme in a phase A..D from its measures.

    Args:
        measures: measure name -> value (None = undefined); a measure the criteria name
            but the mapping lacks counts as undefined.
        criteria: the criteria per phase.

    Returns:
        The phase, every criterion with its value and verdict, and the unmet criteria of
        the next phase as next steps.
    """
    results: list[MaturityCriterionResult] = []
    for c in criteria:
        value = measures.get(c.measure)
        results.append(
            MaturityCriterionResult(
                phase=c.phase,
                key=c.measure,
                description=c.description,
                value=value,
                threshold=c.threshold,
                met=value is not None and value >= c.threshold,
            )
        )
    phase = MaturityPhase.A
    for candidate in PHASE_ORDER[1:]:
        own = [r for r in results if r.phase == candidate]
        if own and all(r.met for r in own):
            phase = candidate
        else:
            break
    next_steps: list[str] = []
    pos = PHASE_ORDER.index(phase)
    if pos + 1 < len(PHASE_ORDER):
        nxt = PHASE_ORDER[pos + 1]
        for r in results:
            if r.phase == nxt and not r.met:
                now = "undefined" if r.value is None else f"{r.value:.2f}"
                next_steps.append(f"phase {nxt.value}: {r.description} (now {now})")
    return MaturityAssessment(
        phase=phase, phase_name=PHASE_NAMES[phase], criteria=results, next_steps=next_steps
    )
