"""Assessment of a person against a KAM target profile: rubric, evidence, scores, decision.

These models carry no behaviour beyond validation. The rubric (six traits with
behaviourally anchored levels) comes from ``knowledge/rubrics/traits.yaml``; the target
profile from an archetype preset of ``knowledge/rubrics/archetypes.yaml``, edited by the
programme. Scores are computed by :mod:`kambot.core.traits` from verified evidence, and an
assessment stays a proposal until a human reviewer confirms or overrides it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Lang = Literal["fr", "en"]
LEVEL_MIN = 1
LEVEL_MAX = 5


class Trait(StrEnum):
    """The six observable traits of a key account manager."""

    LEADER = "leader"
    CHALLENGER = "challenger"
    SELLER = "seller"
    PLANNER = "planner"
    VISIONARY = "visionary"
    INFLUENCER = "influencer"


TRAITS: tuple[Trait, ...] = tuple(Trait)


class SourceKind(StrEnum):
    """Where a piece of evidence comes from."""

    CV = "cv"
    INTERVIEW = "interview"


class ScoreStatus(StrEnum):
    """Whether a trait could be scored."""

    SCORED = "scored"
    NOT_ENOUGH_EVIDENCE = "not_enough_evidence"


class Recommendation(StrEnum):
    """The methodology's answers to a gap: train, coach, move the person, or hire."""

    TRAINING = "training"
    MENTORING = "mentoring"
    INTERNAL_MOVE = "internal_move"
    HIRE_PROFILE = "hire_profile"


class DecisionKind(StrEnum):
    """What the human reviewer did with the proposal."""

    CONFIRMED = "confirmed"
    OVERRIDDEN = "overridden"


class AssessmentStatus(StrEnum):
    """Lifecycle of an assessment: a proposal until a human decides."""

    PROPOSAL = "proposal"
    CONFIRMED = "confirmed"
    OVERRIDDEN = "overridden"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LocalText(_Model):
    """A text in English and French."""

    en: str = Field(min_length=1)
    fr: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        """Return the text in the given language."""
        return self.fr if lang == "fr" else self.en


# --- rubric --------------------------------------------------------------------------


class LevelAnchor(_Model):
    """One level of a behaviourally anchored scale and its observable indicators."""

    level: int = Field(ge=LEVEL_MIN, le=LEVEL_MAX)
    anchor: LocalText
    indicators: list[LocalText] = Field(min_length=1)


class TraitDef(_Model):
    """A trait of the rubric: definition, five anchored levels, extraction hints."""

    key: Trait
    name: LocalText
    definition: LocalText
    levels: list[LevelAnchor]
    patterns: dict[Lang, list[str]] = Field(default_factory=dict)

    @field_validator("levels")
    @classmethod
    def _five_levels(cls, levels: list[LevelAnchor]) -> list[LevelAnchor]:
        found = sorted(level.level for level in levels)
        if found != list(range(LEVEL_MIN, LEVEL_MAX + 1)):
            raise ValueError(f"levels must be exactly 1..5 once each, got {found}")
        return sorted(levels, key=lambda lv: lv.level)

    def level(self, level: int) -> LevelAnchor:
        """Return the anchor of one level (1..5)."""
        return self.levels[level - LEVEL_MIN]


class Competency(_Model):
    """A technical competency a target profile can require."""

    key: str = Field(min_length=1)
    label: LocalText
    description: LocalText
    patterns: dict[Lang, list[str]] = Field(default_factory=dict)


class Rubric(_Model):
    """The six-trait BARS rubric and the programme's technical competencies."""

    version: str
    level_labels: dict[int, LocalText]
    insufficient_evidence: LocalText
    policy: LocalText
    traits: list[TraitDef]
    competencies: list[Competency]

    @field_validator("traits")
    @classmethod
    def _all_six(cls, traits: list[TraitDef]) -> list[TraitDef]:
        keys = [t.key for t in traits]
        if sorted(keys) != sorted(TRAITS) or len(keys) != len(TRAITS):
            raise ValueError(f"the rubric must define the six traits once each, got {keys}")
        order = {t: i for i, t in enumerate(TRAITS)}
        return sorted(traits, key=lambda t: order[t.key])

    @field_validator("level_labels")
    @classmethod
    def _labels(cls, labels: dict[int, LocalText]) -> dict[int, LocalText]:
        if sorted(labels) != list(range(LEVEL_MIN, LEVEL_MAX + 1)):
            raise ValueError("scale labels must cover levels 1..5")
        return labels

    def trait(self, key: Trait | str) -> TraitDef:
        """Return one trait's definition."""
        for trait in self.traits:
            if trait.key == key:
                return trait
        raise KeyError(key)

    def competency(self, key: str) -> Competency:
        """Return one competency's definition."""
        for competency in self.competencies:
            if competency.key == key:
                return competency
        raise KeyError(key)

    def competency_keys(self) -> list[str]:
        """Return the keys of every competency, in rubric order."""
        return [c.key for c in self.competencies]


# --- target profile ------------------------------------------------------------------


class TargetProfile(_Model):
    """What the programme needs: trait weights ("the cursor"), floors and competencies.

    Weights are integers over the six traits and sum to 100. ``min_levels`` are floors
    below which no candidate is acceptable whatever the total; ``target_levels`` are the
    levels a fully fitting person reaches (4, "Advanced", unless the programme says
    otherwise). Every edit of a preset is recorded in ``adjustments`` with its reason.
    """

    key: str = Field(min_length=1)
    name: LocalText
    archetype: str | None = None
    weights: dict[Trait, int]
    min_levels: dict[Trait, int] = Field(default_factory=dict)
    target_levels: dict[Trait, int] = Field(default_factory=dict)
    required_competencies: list[str] = Field(default_factory=list)
    adjustments: list[str] = Field(default_factory=list)

    @field_validator("weights")
    @classmethod
    def _weights(cls, weights: dict[Trait, int]) -> dict[Trait, int]:
        missing = [t.value for t in TRAITS if t not in weights]
        if missing:
            raise ValueError(f"weights must cover the six traits; missing: {missing}")
        bad = {k.value: v for k, v in weights.items() if not 0 <= v <= 100}
        if bad:
            raise ValueError(f"weights must be between 0 and 100, got {bad}")
        total = sum(weights.values())
        if total != 100:
            raise ValueError(f"weights must sum to 100, got {total}")
        return {t: weights[t] for t in TRAITS}

    @field_validator("min_levels", "target_levels")
    @classmethod
    def _levels(cls, levels: dict[Trait, int]) -> dict[Trait, int]:
        bad = {k.value: v for k, v in levels.items() if not LEVEL_MIN <= v <= LEVEL_MAX}
        if bad:
            raise ValueError(f"levels must be between 1 and 5, got {bad}")
        return levels

    @model_validator(mode="after")
    def _floors_below_targets(self) -> TargetProfile:
        for trait, floor in self.min_levels.items():
            if floor > self.target_level(trait):
                raise ValueError(
                    f"the floor of {trait.value} ({floor}) is above its target level "
                    f"({self.target_level(trait)})"
                )
        return self

    def target_level(self, trait: Trait) -> int:
        """Return the level a fully fitting person reaches on a trait (4 by default)."""
        return self.target_levels.get(trait, 4)

    def adjust(
        self,
        reason: str,
        *,
        weights: Mapping[Trait, int] | None = None,
        min_levels: Mapping[Trait, int] | None = None,
        required_competencies: list[str] | None = None,
    ) -> TargetProfile:
        """Return a copy with the cursor moved, recording why.

        Args:
            reason: why the programme departs from the preset (required).
            weights: new weights for some traits; the result must still sum to 100.
            min_levels: new floors for some traits.
            required_competencies: the new list of required competencies.

        Returns:
            The edited profile (validated again).

        Raises:
            ValueError: the reason is empty or the result is invalid.
        """
        if not reason.strip():
            raise ValueError("moving the cursor needs a reason")
        data = self.model_dump()
        if weights:
            data["weights"] = {**self.weights, **weights}
        if min_levels:
            data["min_levels"] = {**self.min_levels, **min_levels}
        if required_competencies is not None:
            data["required_competencies"] = list(required_competencies)
        data["adjustments"] = [*self.adjustments, reason.strip()]
        return TargetProfile.model_validate(data)


# --- evidence and scores -------------------------------------------------------------


class Evidence(_Model):
    """A verbatim quote supporting a trait, where it stands and what it shows.

    ``quote`` is the sentence or bullet as it reads in the source, with protected
    attributes masked (``[name]``, ``[pronoun]``...). ``start``/``end`` are character
    offsets in the extracted text of the source document and ``line`` its 1-based line.
    ``level`` is None for a context mention: a rubric hint matched, but the snippet
    shows no behaviour that supports a level; it is shown, never scored.
    """

    id: str
    trait: Trait
    quote: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    line: int = Field(ge=1)
    source: SourceKind
    indicator: str
    indicator_ref: str | None = None
    rule: str
    level: int | None = Field(default=None, ge=LEVEL_MIN, le=LEVEL_MAX)
    strong: bool = False
    origin: Literal["rule", "model"] = "rule"

    @model_validator(mode="after")
    def _span(self) -> Evidence:
        if self.end < self.start:
            raise ValueError("evidence end is before its start")
        return self


class CompetencyEvidence(_Model):
    """A quote showing a technical competency."""

    id: str
    competency: str
    quote: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    line: int = Field(ge=1)
    source: SourceKind


class TraitScore(_Model):
    """The proposed level of one trait, or "not enough evidence"."""

    trait: Trait
    status: ScoreStatus
    level: int | None = Field(default=None, ge=LEVEL_MIN, le=LEVEL_MAX)
    confidence: float = Field(ge=0.0, le=1.0)
    evidence_ids: list[str] = Field(default_factory=list)
    basis: str = ""
    weak: bool = False

    @model_validator(mode="after")
    def _status_matches_level(self) -> TraitScore:
        if (self.status == ScoreStatus.SCORED) != (self.level is not None):
            raise ValueError("a scored trait has a level; not_enough_evidence has none")
        return self


class FlagKind(StrEnum):
    """Injection and gaming markers shown to the reviewer."""

    ZERO_WIDTH = "zero_width"
    UNICODE_TAGS = "unicode_tags"
    BIDI_OVERRIDE = "bidi_override"
    HIDDEN_TEXT = "hidden_text"
    INSTRUCTION = "instruction_to_assessor"
    KEYWORD_STUFFING = "keyword_stuffing"
    DUPLICATED_SECTION = "duplicated_section"
    MODEL_QUOTE_DROPPED = "model_quote_dropped"
    MODEL_LEVEL_CAPPED = "model_level_capped"
    MODEL_FALLBACK = "model_fallback"


class Flag(_Model):
    """A marker of injection or gaming found in an input (never raises a score)."""

    kind: FlagKind
    severity: Literal["info", "warning", "alert"]
    source: SourceKind
    message: str
    line: int | None = None
    excerpt: str | None = None
    count: int = 1


class Fit(_Model):
    """Fit of the assessed person to the target profile.

    ``score_pct`` is the weighted mean, over the traits that could be scored, of
    ``min(level, target) / target``; traits without enough evidence are listed in
    ``not_assessed`` and left out (never counted as 0); ``assessed_weight`` says how much
    of the profile's weight the figure covers.
    """

    score_pct: float | None = Field(default=None, ge=0.0, le=100.0)
    weighted_level: float | None = None
    assessed_weight: int = Field(ge=0, le=100)
    not_assessed: list[Trait] = Field(default_factory=list)
    floors_missed: list[Trait] = Field(default_factory=list)
    competencies_found: list[str] = Field(default_factory=list)
    competencies_missing: list[str] = Field(default_factory=list)


class Gap(_Model):
    """A trait or competency below the target, and the response it calls for."""

    kind: Literal["trait", "competency"]
    key: str
    current: int | None = None
    target: int | None = None
    floor: int | None = None
    floor_missed: bool = False
    recommendation: Recommendation
    rationale: str


class InterviewQuestion(_Model):
    """A structured-interview question for a trait with weak or missing evidence."""

    trait: Trait
    question: str
    reason: str


class Decision(_Model):
    """A human reviewer's decision on an assessment (confirm, or override with reason)."""

    kind: DecisionKind
    reviewer: str = Field(min_length=1)
    reason: str | None = None
    levels: dict[Trait, int | None] = Field(default_factory=dict)
    at: datetime

    @model_validator(mode="after")
    def _reason_for_override(self) -> Decision:
        if not self.reviewer.strip():
            raise ValueError("a decision needs a reviewer")
        if self.kind == DecisionKind.OVERRIDDEN and not (self.reason or "").strip():
            raise ValueError("an override needs a written reason")
        for trait, level in self.levels.items():
            if level is not None and not LEVEL_MIN <= level <= LEVEL_MAX:
                raise ValueError(f"override level of {trait.value} must be 1..5")
        return self


class SourceInfo(_Model):
    """A document that was assessed (its text is not kept)."""

    kind: SourceKind
    name: str
    format: str
    sha256: str
    chars: int


class Assessment(_Model):
    """A proposed assessment: levels, evidence, fit, gaps, questions and flags."""

    run_id: int | None = None
    candidate_ref: str
    status: AssessmentStatus = AssessmentStatus.PROPOSAL
    lang: Lang
    target: TargetProfile
    scores: list[TraitScore]
    evidence: list[Evidence]
    competency_evidence: list[CompetencyEvidence] = Field(default_factory=list)
    fit: Fit
    gaps: list[Gap] = Field(default_factory=list)
    overall_recommendation: Recommendation | None = None
    alternative_profile: str | None = None
    questions: list[InterviewQuestion] = Field(default_factory=list)
    flags: list[Flag] = Field(default_factory=list)
    redactions: dict[str, int] = Field(default_factory=dict)
    sources: list[SourceInfo] = Field(default_factory=list)
    input_sha256: str
    rubric_version: str
    prompt_version: str
    model: str = "offline"
    created_at: datetime
    decision: Decision | None = None

    def score(self, trait: Trait | str) -> TraitScore:
        """Return the score of one trait."""
        for score in self.scores:
            if score.trait == trait:
                return score
        raise KeyError(trait)

    def levels(self) -> dict[Trait, int | None]:
        """Return the proposed level of each trait (None: not enough evidence)."""
        return {s.trait: s.level for s in self.scores}

    def evidence_for(self, trait: Trait | str) -> list[Evidence]:
        """Return the evidence items of one trait, strongest first."""
        items = [e for e in self.evidence if e.trait == trait]
        return sorted(items, key=lambda e: (-(e.level or 0), e.start))
