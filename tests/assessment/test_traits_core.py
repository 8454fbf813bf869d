"""The deterministic scoring rules of kambot.core.traits."""

from __future__ import annotations

from kambot.core.traits import (
    MAX_PER_RULE,
    analyse_gaps,
    counted_evidence,
    fit_to_target,
    score_trait,
    score_traits,
    traits_needing_questions,
)
from kambot.domain.assessment import (
    TRAITS,
    Evidence,
    LocalText,
    Recommendation,
    ScoreStatus,
    SourceKind,
    TargetProfile,
    Trait,
    TraitScore,
)

_N = iter(range(10_000))


def ev(level: int | None, quote: str, *, rule: str = "r", strong: bool = False,
       trait: Trait = Trait.LEADER, source: SourceKind = SourceKind.CV) -> Evidence:
    n = next(_N)
    return Evidence(id=f"e{n}", trait=trait, quote=quote, start=n, end=n + 1, line=1,
                    source=source, indicator="i", rule=rule, level=level, strong=strong)


def scored(levels: dict[Trait, int | None]) -> list[TraitScore]:
    return [TraitScore(trait=t, status=ScoreStatus.SCORED if levels.get(t) else
                       ScoreStatus.NOT_ENOUGH_EVIDENCE, level=levels.get(t),
                       confidence=0.8 if levels.get(t) else 0.0) for t in TRAITS]


def profile(weights: dict[str, int], **extra: object) -> TargetProfile:
    return TargetProfile.model_validate({"key": "p", "name": LocalText(en="P", fr="P"),
                                         "weights": weights, **extra})


HUNTER = {"leader": 10, "challenger": 20, "seller": 30, "planner": 10, "visionary": 15,
          "influencer": 15}
FARMER = {"leader": 15, "challenger": 10, "seller": 15, "planner": 20, "visionary": 15,
          "influencer": 25}


def test_no_evidence_is_not_enough_evidence_never_a_low_score() -> None:
    score = score_trait(Trait.LEADER, [ev(None, "cross-functional mention")])
    assert score.status == ScoreStatus.NOT_ENOUGH_EVIDENCE
    assert score.level is None and score.confidence == 0.0 and score.weak


def test_two_independent_items_or_one_strong_item() -> None:
    two = score_trait(Trait.LEADER, [ev(4, "led virtual team across units", rule="a"),
                                     ev(4, "obtained experts from other managers", rule="b")])
    assert two.level == 4 and not two.weak
    strong = score_trait(Trait.LEADER, [ev(4, "led 18 people in 6 countries", strong=True)])
    assert strong.level == 4
    lone = score_trait(Trait.LEADER, [ev(5, "coached other KAMs")])
    assert lone.level == 3 and lone.confidence < 0.4 and lone.weak
    mixed = score_trait(Trait.LEADER, [ev(5, "coached other KAMs", rule="a"),
                                       ev(2, "coordinated a bid team", rule="b")])
    assert mixed.level == 3


def test_near_duplicate_quotes_count_once() -> None:
    items = [ev(4, "Led a virtual account team without hierarchical authority."),
             ev(4, "led a virtual account team, without hierarchical authority"),
             ev(4, "Led a virtual account team without hierarchical authority across units.")]
    assert len(counted_evidence(items)) == 1
    assert score_trait(Trait.LEADER, items).level == 3


def test_evidence_per_rule_is_capped() -> None:
    sentences = ["Ran the weekly account-team meeting", "Chaired monthly steering committees",
                 "Animated the bid review every Friday", "Hosted quarterly partner forums",
                 "Organised the yearly kick-off", "Facilitated daily stand-ups for launch"]
    items = [ev(3, text) for text in sentences]
    assert len(counted_evidence(items)) == MAX_PER_RULE


def test_confidence_grows_with_count_diversity_and_sources() -> None:
    one_source = score_trait(Trait.SELLER, [
        ev(3, "exceeded quota in 2022", rule="t", strong=True, trait=Trait.SELLER),
        ev(3, "signed a 600k contract", rule="d", strong=True, trait=Trait.SELLER)])
    two_sources = score_trait(Trait.SELLER, [
        ev(3, "exceeded quota in 2022", rule="t", strong=True, trait=Trait.SELLER),
        ev(3, "signed a 600k contract", rule="d", strong=True, trait=Trait.SELLER,
           source=SourceKind.INTERVIEW)])
    assert two_sources.confidence > one_source.confidence > 0.5


def test_fit_ignores_traits_without_evidence() -> None:
    target = profile(HUNTER)
    levels = {Trait.SELLER: 4, Trait.CHALLENGER: 2}
    fit = fit_to_target(scored(levels), target)
    assert fit.assessed_weight == 50
    assert fit.score_pct == round(100 * (30 * 1.0 + 20 * 0.5) / 50, 1)
    assert set(fit.not_assessed) == {Trait.LEADER, Trait.PLANNER, Trait.VISIONARY,
                                     Trait.INFLUENCER}
    all_levels = {t: 4 for t in TRAITS}
    assert fit_to_target(scored(all_levels), target).score_pct == 100.0


def test_floors_and_competencies() -> None:
    target = profile(HUNTER, min_levels={"seller": 3, "challenger": 3},
                     required_competencies=["negotiation", "value_selling"])
    fit = fit_to_target(scored({Trait.SELLER: 2, Trait.CHALLENGER: 4}), target,
                        ["negotiation"])
    assert fit.floors_missed == [Trait.SELLER]
    assert fit.competencies_missing == ["value_selling"]


def test_gap_responses_follow_the_methodology() -> None:
    target = profile(FARMER, min_levels={"influencer": 3, "planner": 3},
                     required_competencies=["financial_acumen"])
    levels = {Trait.LEADER: 3, Trait.CHALLENGER: 4, Trait.SELLER: 4, Trait.PLANNER: 3,
              Trait.VISIONARY: 2, Trait.INFLUENCER: 4}
    scores = scored(levels)
    fit = fit_to_target(scores, target, [])
    result = analyse_gaps(scores, fit, target)
    by_key = {g.key: g for g in result.gaps}
    assert by_key["planner"].recommendation == Recommendation.TRAINING
    assert by_key["leader"].recommendation == Recommendation.MENTORING
    assert by_key["visionary"].recommendation == Recommendation.HIRE_PROFILE
    assert by_key["financial_acumen"].recommendation == Recommendation.TRAINING
    assert result.overall == Recommendation.HIRE_PROFILE


def test_several_missed_floors_call_for_hiring() -> None:
    target = profile(FARMER, min_levels={"influencer": 3, "planner": 3})
    scores = scored({t: 2 for t in TRAITS})
    fit = fit_to_target(scores, target)
    assert analyse_gaps(scores, fit, target).overall == Recommendation.HIRE_PROFILE


def test_internal_move_when_another_profile_fits_markedly_better() -> None:
    hunter = profile(HUNTER, min_levels={"seller": 3, "challenger": 3})
    farmer = TargetProfile.model_validate({**profile(FARMER).model_dump(), "key": "farmer",
                                           "min_levels": {"influencer": 3, "planner": 3}})
    levels = {Trait.LEADER: 4, Trait.CHALLENGER: 1, Trait.SELLER: 1, Trait.PLANNER: 4,
              Trait.VISIONARY: 4, Trait.INFLUENCER: 4}
    scores = scored(levels)
    fit = fit_to_target(scores, hunter)
    result = analyse_gaps(scores, fit, hunter, alternatives={"farmer": farmer})
    assert result.alternative_profile == "farmer"
    assert result.overall == Recommendation.HIRE_PROFILE  # both hunter floors are missed
    one_floor = scored({**levels, Trait.CHALLENGER: 3})
    fit = fit_to_target(one_floor, hunter)
    assert analyse_gaps(one_floor, fit, hunter, alternatives={"farmer": farmer}).overall == \
        Recommendation.INTERNAL_MOVE


def test_no_conclusion_when_too_little_is_assessed() -> None:
    target = profile(HUNTER)
    scores = scored({Trait.LEADER: 1})
    fit = fit_to_target(scores, target)
    assert fit.assessed_weight == 10
    assert analyse_gaps(scores, fit, target).overall is None


def test_questions_for_missing_and_weak_traits_heaviest_first() -> None:
    scores = score_traits([
        ev(4, "led 18 people in 6 countries", strong=True, rule="a"),
        ev(4, "obtained experts from two other divisions", rule="b"),
        ev(2, "coordinated bid teams", trait=Trait.SELLER),
    ])
    wanted = traits_needing_questions(scores, profile(HUNTER))
    assert wanted[:2] == [(Trait.SELLER, 1), (Trait.CHALLENGER, 2)]
    assert all(trait != Trait.LEADER for trait, _ in wanted)
    assert len(wanted) == 5
