"""Validation in the assessment's domain models."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from kambot.domain.assessment import (
    Decision,
    DecisionKind,
    LocalText,
    ScoreStatus,
    TargetProfile,
    Trait,
    TraitScore,
)

WEIGHTS = {"leader": 10, "challenger": 20, "seller": 30, "planner": 10, "visionary": 15,
           "influencer": 15}


def _profile(**changes: object) -> TargetProfile:
    data: dict[str, object] = {"key": "t", "name": LocalText(en="T", fr="T"),
                               "weights": dict(WEIGHTS)}
    data.update(changes)
    return TargetProfile.model_validate(data)


def test_weights_must_cover_six_traits_and_sum_to_100() -> None:
    assert _profile().weights[Trait.SELLER] == 30
    with pytest.raises(ValidationError, match="sum to 100"):
        _profile(weights={**WEIGHTS, "seller": 31})
    with pytest.raises(ValidationError, match="missing"):
        _profile(weights={k: v for k, v in WEIGHTS.items() if k != "leader"})


def test_floor_cannot_exceed_target_level() -> None:
    with pytest.raises(ValidationError, match="floor"):
        _profile(min_levels={"seller": 5}, target_levels={"seller": 4})


def test_moving_the_cursor_needs_a_reason_and_is_recorded() -> None:
    profile = _profile()
    with pytest.raises(ValueError, match="reason"):
        profile.adjust(" ", weights={Trait.SELLER: 25, Trait.PLANNER: 15})
    moved = profile.adjust("programme protects mature accounts",
                           weights={Trait.SELLER: 25, Trait.PLANNER: 15})
    assert moved.weights[Trait.PLANNER] == 15
    assert moved.adjustments == ["programme protects mature accounts"]
    with pytest.raises(ValidationError):
        profile.adjust("unbalanced", weights={Trait.SELLER: 50})


def test_override_without_reason_is_invalid() -> None:
    now = datetime.now(UTC)
    with pytest.raises(ValidationError, match="reason"):
        Decision(kind=DecisionKind.OVERRIDDEN, reviewer="hr.lead", at=now)
    assert Decision(kind=DecisionKind.CONFIRMED, reviewer="hr.lead", at=now).reason is None


def test_score_status_matches_level() -> None:
    with pytest.raises(ValidationError):
        TraitScore(trait=Trait.LEADER, status=ScoreStatus.SCORED, level=None, confidence=0.5)
    with pytest.raises(ValidationError):
        TraitScore(trait=Trait.LEADER, status=ScoreStatus.NOT_ENOUGH_EVIDENCE, level=2,
                   confidence=0.5)
