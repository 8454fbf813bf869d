"""Trait scoring against a target profile (BARS), from verified evidence only.

Pure and deterministic: the same evidence always gives the same levels. Rules:

1. **Counted once.** Evidence items with near-identical quotes (same words, or one
   quote's words contained in another's) count once, keeping the highest level; at most
   :data:`MAX_PER_RULE` items of the same rule count for a trait, so that repeating a
   kind of claim does not pile up support. Context mentions (``level`` None) never count.
2. **Level.** A trait's level is the highest ``L`` supported by two independent items at
   ``L`` or above, or by one *strong* item (quantified, or an outcome at executive
   level) at ``L`` or above; a single unquantified item supports at most level 3.
3. **Not enough evidence** when no item supports any level: never a low score, never a
   zero in the fit.
4. **Confidence** grows with the number of items, the number of distinct rules (kinds of
   behaviour) and sources (CV and interview); a level resting on one unquantified item
   stays below 0.4. A trait under :data:`WEAK_CONFIDENCE` is "weak" and gets interview
   questions.
5. **Fit.** The weighted mean, over the scored traits only, of ``min(level, target) /
   target`` (over-qualification does not compensate a gap), reported with the share of
   the profile's weight it covers; floors are checked separately and matter more than the
   total.
6. **Gaps** follow the methodology's choice between training, mentoring, internal moves
   and hiring: one level short is trained (Planner, Seller: methods and techniques) or
   coached (the behavioural traits); two or more levels short on deeply rooted
   behaviours (Influencer, Visionary), or three or more on any trait, calls for hiring
   the profile; missing competencies are trained; a person who fits another archetype
   markedly better is an internal move; several missed floors call for hiring.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kambot.domain.assessment import (
    LEVEL_MAX,
    LEVEL_MIN,
    TRAITS,
    Evidence,
    Fit,
    Gap,
    Lang,
    Recommendation,
    ScoreStatus,
    SourceKind,
    TargetProfile,
    Trait,
    TraitScore,
)

MAX_PER_RULE = 3
LONE_WEAK_MAX_LEVEL = 3
WEAK_CONFIDENCE = 0.5
NEAR_DUPLICATE = 0.85
INTERNAL_MOVE_MARGIN = 10.0
MIN_ASSESSED_WEIGHT = 50
TRAINABLE_TRAITS = frozenset({Trait.PLANNER, Trait.SELLER})
DEEP_TRAITS = frozenset({Trait.INFLUENCER, Trait.VISIONARY})

_WORDS = re.compile(r"\w+")

_TEXT: dict[str, tuple[str, str]] = {
    "nee": ("no evidence supports any level", "aucune preuve ne soutient un niveau"),
    "two": ("{n} independent items at level {level} or above",
            "{n} éléments indépendants au niveau {level} ou plus"),
    "strong": ("a quantified item at level {level}", "un élément chiffré au niveau {level}"),
    "lone": ("a single unquantified item (capped at level {cap})",
             "un seul élément non chiffré (plafonné au niveau {cap})"),
    "gap_train": ("{trait} is one level below target: training with a concrete assignment",
                  "{trait} est à un niveau de la cible : formation avec une mise en situation"),
    "gap_mentor": ("{trait} is {d} level(s) below target and the behaviour shows at times: "
                   "development plan with a coach, review within 6 to 9 months",
                   "{trait} est à {d} niveau(x) de la cible et le comportement apparaît "
                   "parfois : plan de développement avec un coach, revue sous 6 à 9 mois"),
    "gap_hire": ("{trait} is {d} levels below target, a deeply rooted behaviour: hire or "
                 "staff a profile at level {target} or above",
                 "{trait} est à {d} niveaux de la cible, un comportement ancré : recruter ou "
                 "affecter un profil de niveau {target} ou plus"),
    "gap_comp": ("required competency {comp} not evidenced: training (teachable in months)",
                 "compétence requise {comp} non démontrée : formation (s'apprend en quelques "
                 "mois)"),
    "floor": (" Floor {floor} missed.", " Plancher {floor} non atteint."),
}


def _t(key: str, lang: Lang, **values: object) -> str:
    en, fr = _TEXT[key]
    return (fr if lang == "fr" else en).format(**values)


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORDS.findall(text.lower()) if len(w) > 1)


def _near_duplicate(a: frozenset[str], b: frozenset[str]) -> bool:
    if not a or not b:
        return a == b
    inter = len(a & b)
    if inter == min(len(a), len(b)):
        return True
    return inter / len(a | b) >= NEAR_DUPLICATE


def counted_evidence(items: Sequence[Evidence]) -> list[Evidence]:
    """Return the items of one trait that count: levelled, deduplicated, capped per rule.

    Args:
        items: evidence of a single trait.

    Returns:
        The counting items, highest level first, then in document order.
    """
    ranked = sorted((e for e in items if e.level is not None),
                    key=lambda e: (-(e.level or 0), not e.strong, e.source != SourceKind.CV,
                                   e.start))
    kept: list[Evidence] = []
    kept_words: list[frozenset[str]] = []
    per_rule: dict[str, int] = {}
    for item in ranked:
        words = _words(item.quote)
        if any(_near_duplicate(words, other) for other in kept_words):
            continue
        if per_rule.get(item.rule, 0) >= MAX_PER_RULE:
            continue
        per_rule[item.rule] = per_rule.get(item.rule, 0) + 1
        kept.append(item)
        kept_words.append(words)
    return kept


def _level(counted: Sequence[Evidence]) -> tuple[int, str]:
    for level in range(LEVEL_MAX, LEVEL_MIN - 1, -1):
        at = [e for e in counted if (e.level or 0) >= level]
        if len(at) >= 2:
            return level, "two"
        if any(e.strong for e in at):
            return level, "strong"
        if at and level <= LONE_WEAK_MAX_LEVEL:
            return level, "lone"
    return LEVEL_MIN, "lone"


def score_trait(trait: Trait, items: Sequence[Evidence], lang: Lang = "en") -> TraitScore:
    """Propose a level for one trait from its evidence.

    Args:
        trait: the trait.
        items: the trait's verified evidence (context mentions are ignored).
        lang: language of the ``basis`` explanation.

    Returns:
        The score; ``not_enough_evidence`` (no level, confidence 0) when nothing counts.
    """
    counted = counted_evidence(items)
    if not counted:
        return TraitScore(trait=trait, status=ScoreStatus.NOT_ENOUGH_EVIDENCE, level=None,
                          confidence=0.0, basis=_t("nee", lang), weak=True)
    level, how = _level(counted)
    at_level = [e for e in counted if (e.level or 0) >= level]
    rules = {e.rule for e in counted}
    sources = {e.source for e in counted}
    confidence = (0.2 + 0.12 * min(len(counted), 5) + 0.06 * min(len(rules) - 1, 3)
                  + 0.1 * (len(sources) - 1))
    if len(at_level) >= 2 or any(e.strong for e in at_level):
        confidence += 0.1
    if how == "lone":
        confidence = min(confidence, 0.39)
    confidence = round(min(confidence, 0.95), 2)
    if how == "two":
        basis = _t("two", lang, n=len(at_level), level=level)
    elif how == "strong":
        basis = _t("strong", lang, level=level)
    else:
        basis = _t("lone", lang, cap=LONE_WEAK_MAX_LEVEL)
    ids = [e.id for e in sorted(counted, key=lambda e: (-(e.level or 0), e.start))]
    return TraitScore(trait=trait, status=ScoreStatus.SCORED, level=level,
                      confidence=confidence, evidence_ids=ids, basis=basis,
                      weak=confidence < WEAK_CONFIDENCE)


def score_traits(evidence: Sequence[Evidence], lang: Lang = "en") -> list[TraitScore]:
    """Score the six traits, in rubric order."""
    by_trait: dict[Trait, list[Evidence]] = {t: [] for t in TRAITS}
    for item in evidence:
        by_trait[item.trait].append(item)
    return [score_trait(t, by_trait[t], lang) for t in TRAITS]


def fit_to_target(
    scores: Sequence[TraitScore],
    target: TargetProfile,
    competencies_found: Sequence[str] = (),
) -> Fit:
    """Compare the proposed levels with a target profile.

    Args:
        scores: the six trait scores.
        target: weights, floors, target levels and required competencies.
        competencies_found: competencies the evidence shows.

    Returns:
        The fit; traits without enough evidence are listed apart, never counted as 0.
    """
    levels = {s.trait: s.level for s in scores}
    weight_sum = 0
    fit_sum = 0.0
    level_sum = 0.0
    not_assessed: list[Trait] = []
    for trait in TRAITS:
        weight = target.weights[trait]
        level = levels.get(trait)
        if level is None:
            if weight > 0:
                not_assessed.append(trait)
            continue
        weight_sum += weight
        goal = target.target_level(trait)
        fit_sum += weight * min(level, goal) / goal
        level_sum += weight * level
    floors_missed = [t for t, floor in target.min_levels.items()
                     if levels.get(t) is not None and (levels[t] or 0) < floor]
    found = sorted(set(competencies_found))
    missing = [c for c in target.required_competencies if c not in found]
    return Fit(
        score_pct=round(100.0 * fit_sum / weight_sum, 1) if weight_sum else None,
        weighted_level=round(level_sum / weight_sum, 2) if weight_sum else None,
        assessed_weight=weight_sum,
        not_assessed=not_assessed,
        floors_missed=sorted(floors_missed, key=TRAITS.index),
        competencies_found=found,
        competencies_missing=missing,
    )


@dataclass(frozen=True)
class GapAnalysis:
    """Gaps with their responses, the overall response and a better-fitting profile."""

    gaps: list[Gap]
    overall: Recommendation | None
    alternative_profile: str | None


def _trait_gap(trait: Trait, level: int, target: TargetProfile, names: Mapping[Trait, str],
               lang: Lang) -> Gap | None:
    goal = target.target_level(trait)
    floor = target.min_levels.get(trait)
    if level >= goal or target.weights[trait] == 0:
        return None
    deficit = goal - level
    name = names.get(trait, trait.value)
    if deficit >= 3 or (deficit >= 2 and trait in DEEP_TRAITS):
        rec, text = Recommendation.HIRE_PROFILE, _t("gap_hire", lang, trait=name, d=deficit,
                                                    target=goal)
    elif deficit == 1 and trait in TRAINABLE_TRAITS:
        rec, text = Recommendation.TRAINING, _t("gap_train", lang, trait=name)
    else:
        rec, text = Recommendation.MENTORING, _t("gap_mentor", lang, trait=name, d=deficit)
    missed = floor is not None and level < floor
    if missed:
        text += _t("floor", lang, floor=floor)
    return Gap(kind="trait", key=trait.value, current=level, target=goal, floor=floor,
               floor_missed=missed, recommendation=rec, rationale=text)


def analyse_gaps(
    scores: Sequence[TraitScore],
    fit: Fit,
    target: TargetProfile,
    *,
    alternatives: Mapping[str, TargetProfile] | None = None,
    trait_names: Mapping[Trait, str] | None = None,
    competency_names: Mapping[str, str] | None = None,
    lang: Lang = "en",
) -> GapAnalysis:
    """Recommend a response to each gap and overall.

    Args:
        scores: the six trait scores.
        fit: the fit to ``target``.
        target: the profile assessed against.
        alternatives: other profiles (archetype presets) for an internal move.
        trait_names: display names of the traits.
        competency_names: display names of the competencies.
        lang: language of the rationales.

    Returns:
        Per-gap recommendations, the overall one (None when the person fits, or when too
        little of the profile could be assessed to conclude) and the key of a profile the
        person fits markedly better.
    """
    names = dict(trait_names or {})
    gaps: list[Gap] = []
    for score in scores:
        if score.level is not None:
            gap = _trait_gap(score.trait, score.level, target, names, lang)
            if gap is not None:
                gaps.append(gap)
    for comp in fit.competencies_missing:
        shown = (competency_names or {}).get(comp, comp)
        gaps.append(Gap(kind="competency", key=comp, recommendation=Recommendation.TRAINING,
                        rationale=_t("gap_comp", lang, comp=shown)))
    alternative: str | None = None
    if alternatives and fit.score_pct is not None:
        best: tuple[float, str] | None = None
        for key, profile in alternatives.items():
            if key in (target.key, target.archetype):
                continue
            other = fit_to_target(scores, profile, fit.competencies_found)
            if other.score_pct is None or other.floors_missed:
                continue
            if other.score_pct >= fit.score_pct + INTERNAL_MOVE_MARGIN and (
                best is None or other.score_pct > best[0]
            ):
                best = (other.score_pct, key)
        alternative = best[1] if best else None
    overall: Recommendation | None
    if fit.assessed_weight < MIN_ASSESSED_WEIGHT:
        overall = None
    elif len(fit.floors_missed) >= 2:
        overall = Recommendation.HIRE_PROFILE
    elif alternative is not None:
        overall = Recommendation.INTERNAL_MOVE
    elif any(g.recommendation == Recommendation.HIRE_PROFILE for g in gaps):
        overall = Recommendation.HIRE_PROFILE
    elif any(g.recommendation == Recommendation.MENTORING for g in gaps):
        overall = Recommendation.MENTORING
    elif gaps:
        overall = Recommendation.TRAINING
    else:
        overall = None
    return GapAnalysis(gaps, overall, alternative)


def traits_needing_questions(scores: Sequence[TraitScore],
                             target: TargetProfile | None = None) -> list[tuple[Trait, int]]:
    """Say which traits need structured-interview questions, and how many.

    Traits without enough evidence get two questions, weak ones one; traits the target
    does not weigh get none. Heavier traits come first.
    """
    wanted: list[tuple[Trait, int]] = []
    for score in scores:
        if target is not None and target.weights[score.trait] == 0:
            continue
        if score.status == ScoreStatus.NOT_ENOUGH_EVIDENCE:
            wanted.append((score.trait, 2))
        elif score.weak:
            wanted.append((score.trait, 1))
    if target is not None:
        wanted.sort(key=lambda item: -target.weights[item[0]])
    return wanted


def ranking_key(fit: Fit) -> tuple[float, int]:
    """Return the sort key of a shortlist (higher fits first): fit, then coverage."""
    return (fit.score_pct if fit.score_pct is not None else -1.0, fit.assessed_weight)
