"""Assess a person against a target profile: the use case behind `kambot assess`.

Inputs are read (:mod:`.intake`), prepared (hidden text out, protected attributes masked,
gaming reviewed: :mod:`.prepare`), evidence is extracted without a model
(:mod:`.extract_offline`), and the deterministic core scores it
(:mod:`kambot.core.traits`). The result is a *proposal*: a human confirms or overrides it
(:func:`kambot.assistant.assessment.records.decide`). :func:`assess_file` also logs the
run, append-only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kambot.assistant.assessment.extract_offline import extract
from kambot.assistant.assessment.intake import (
    SourceDocument,
    read_path,
    text_document,
)
from kambot.assistant.assessment.prepare import PreparedSource, prepare
from kambot.assistant.assessment.rubric import RubricBundle, load_rubric
from kambot.core.traits import (
    analyse_gaps,
    fit_to_target,
    score_traits,
    traits_needing_questions,
)
from kambot.domain.assessment import (
    Assessment,
    CompetencyEvidence,
    Evidence,
    Flag,
    InterviewQuestion,
    Lang,
    SourceInfo,
    SourceKind,
    TargetProfile,
    TraitScore,
)
from kambot.errors import DataError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.config import Settings
    from kambot.llm.model_writer import StructuredModel

OFFLINE_MODEL = "offline"
RULES_VERSION = "rules-1"

_QUESTION_REASON = {
    "nee": ("no evidence on this trait: ask rather than score low",
            "aucune preuve sur ce trait : interroger plutôt que noter bas"),
    "weak": ("evidence on this trait is thin (confidence {c:.2f})",
             "les preuves sur ce trait sont minces (confiance {c:.2f})"),
}


def resolve_target(bundle: RubricBundle, target: str | TargetProfile) -> TargetProfile:
    """Return the target profile: an archetype key, or a profile the programme edited.

    Raises:
        DataError: unknown archetype, or a profile requiring unknown competencies.
    """
    profile = bundle.profile(target) if isinstance(target, str) else target
    known = set(bundle.rubric.competency_keys())
    unknown = [c for c in profile.required_competencies if c not in known]
    if unknown:
        raise DataError(f"target profile {profile.key!r} requires unknown competencies {unknown}",
                        hint=f"use: {', '.join(sorted(known))}")
    return profile


def fingerprint(documents: Sequence[SourceDocument]) -> str:
    """Return the sha256 of the inputs (their kinds and file fingerprints)."""
    joined = "|".join(f"{d.kind.value}:{d.sha256}" for d in documents)
    return hashlib.sha256(joined.encode()).hexdigest()


def _questions(bundle: RubricBundle, scores: Sequence[TraitScore], target: TargetProfile,
               lang: Lang) -> list[InterviewQuestion]:
    by_trait = {s.trait: s for s in scores}
    questions: list[InterviewQuestion] = []
    for trait, count in traits_needing_questions(scores, target):
        score = by_trait[trait]
        en, fr = _QUESTION_REASON["nee" if score.level is None else "weak"]
        reason = (fr if lang == "fr" else en).format(c=score.confidence)
        for question in bundle.questions[trait][:count]:
            text = question.text.get(lang)
            if question.probe is not None:
                listen = "À écouter" if lang == "fr" else "Listen for"
                text = f"{text} ({listen}: {question.probe.get(lang)})"
            questions.append(InterviewQuestion(trait=trait, question=text, reason=reason))
    return questions


def assess_prepared(
    bundle: RubricBundle,
    sources: Sequence[PreparedSource],
    *,
    target: TargetProfile,
    lang: Lang,
    candidate_ref: str,
    evidence: list[Evidence] | None = None,
    competencies: list[CompetencyEvidence] | None = None,
    extra_flags: Sequence[Flag] = (),
    model: str = OFFLINE_MODEL,
    prompt_version: str = RULES_VERSION,
) -> Assessment:
    """Score prepared inputs and build the proposal.

    Args:
        bundle: the rubric.
        sources: prepared CV and/or interview notes.
        target: the profile to assess against.
        lang: language of texts in the result.
        candidate_ref: the person's reference (never their name).
        evidence: verified evidence from another extractor; offline rules when None.
        competencies: competency evidence to go with ``evidence``.
        extra_flags: flags raised by that extractor.
        model: the model name, or ``offline``.
        prompt_version: the prompt or rule-set version used.

    Returns:
        The proposed assessment (status ``proposal``).
    """
    if evidence is None:
        extraction = extract(sources, bundle, lang)
        evidence, competencies = extraction.evidence, extraction.competencies
    competencies = competencies or []
    scores = score_traits(evidence, lang)
    found = sorted({c.competency for c in competencies})
    fit = fit_to_target(scores, target, found)
    trait_names = {t.key: t.name.get(lang) for t in bundle.rubric.traits}
    comp_names = {c.key: c.label.get(lang) for c in bundle.rubric.competencies}
    analysis = analyse_gaps(scores, fit, target, alternatives=bundle.archetypes,
                            trait_names=trait_names, competency_names=comp_names, lang=lang)
    flags: list[Flag] = [f for s in sources for f in s.flags]
    flags.extend(extra_flags)
    redactions: dict[str, int] = {}
    for source in sources:
        for key, count in source.redactions.items():
            redactions[key] = redactions.get(key, 0) + count
    documents = [s.document for s in sources]
    return Assessment(
        candidate_ref=candidate_ref,
        lang=lang,
        target=target,
        scores=scores,
        evidence=evidence,
        competency_evidence=competencies,
        fit=fit,
        gaps=analysis.gaps,
        overall_recommendation=analysis.overall,
        alternative_profile=analysis.alternative_profile,
        questions=_questions(bundle, scores, target, lang),
        flags=flags,
        redactions=dict(sorted(redactions.items())),
        sources=[SourceInfo(kind=d.kind, name=d.name, format=d.format, sha256=d.sha256,
                            chars=len(d.text)) for d in documents],
        input_sha256=fingerprint(documents),
        rubric_version=bundle.version,
        prompt_version=prompt_version,
        model=model,
        created_at=datetime.now(UTC),
    )


def assess_documents(
    bundle: RubricBundle,
    documents: Sequence[SourceDocument],
    *,
    target: str | TargetProfile,
    lang: Lang,
    candidate_ref: str,
    candidate_name: str | None = None,
    model: StructuredModel | None = None,
) -> Assessment:
    """Assess documents already read (no database).

    Args:
        bundle: the rubric.
        documents: the CV and/or interview notes.
        target: an archetype key or an edited profile.
        lang: language of texts in the result.
        candidate_ref: the person's reference.
        candidate_name: the person's name, only to mask it.
        model: a structured-output model; offline rules when None. Its evidence is
            verified and capped by the rules (:mod:`.extract_model`).

    Raises:
        DataError: no document, or an unknown target profile.
    """
    if not documents:
        raise DataError("nothing to assess", hint="give a CV and/or interview notes")
    profile = resolve_target(bundle, target)
    sources = [prepare(d, candidate_name) for d in documents]
    if model is None:
        return assess_prepared(bundle, sources, target=profile, lang=lang,
                               candidate_ref=candidate_ref)
    from kambot.assistant.assessment.extract_model import extract_with_model

    found = extract_with_model(model, sources, bundle, lang)
    return assess_prepared(
        bundle, sources, target=profile, lang=lang, candidate_ref=candidate_ref,
        evidence=found.extraction.evidence, competencies=found.extraction.competencies,
        extra_flags=found.flags,
        model=OFFLINE_MODEL if found.fell_back else found.model,
        prompt_version=RULES_VERSION if found.fell_back else
        f"{found.prompt_ref}+{RULES_VERSION}")


def read_inputs(
    settings: Settings,
    path: Path | None,
    interview_notes: str | Path | None = None,
) -> list[SourceDocument]:
    """Read a CV file and/or interview notes (a file, or the text itself).

    Raises:
        LimitExceededError: an input is over ``settings.max_import_bytes``.
        DataError: an input is unreadable or nothing was given.
    """
    documents: list[SourceDocument] = []
    if path is not None:
        documents.append(read_path(Path(path), settings.max_import_bytes, SourceKind.CV))
    if isinstance(interview_notes, Path):
        documents.append(read_path(interview_notes, settings.max_import_bytes,
                                   SourceKind.INTERVIEW))
    elif interview_notes is not None:
        documents.append(text_document(interview_notes, name="interview notes",
                                       kind=SourceKind.INTERVIEW,
                                       max_bytes=settings.max_import_bytes))
    if not documents:
        raise DataError("nothing to assess", hint="give a CV file and/or interview notes")
    return documents


def assess_text(
    settings: Settings,
    cv_text: str | None,
    *,
    target: str | TargetProfile,
    lang: Lang | None = None,
    candidate_ref: str = "",
    candidate_name: str | None = None,
    interview_notes: str | None = None,
) -> Assessment:
    """Assess CV text and/or interview notes held in memory, offline, without logging.

    Used by evaluations, benchmarks and the fairness check; :func:`assess_file` is the
    logged use case.
    """
    bundle = load_rubric(settings.knowledge_dir)
    documents: list[SourceDocument] = []
    if cv_text is not None:
        documents.append(text_document(cv_text, name="cv.txt", kind=SourceKind.CV,
                                       max_bytes=settings.max_import_bytes))
    if interview_notes is not None:
        documents.append(text_document(interview_notes, name="interview notes",
                                       kind=SourceKind.INTERVIEW,
                                       max_bytes=settings.max_import_bytes))
    return assess_documents(bundle, documents, target=target, lang=lang or settings.lang,
                            candidate_ref=candidate_ref, candidate_name=candidate_name)


def assess_file(
    settings: Settings,
    engine: Engine,
    path: Path | None,
    *,
    target: str | TargetProfile,
    lang: Lang | None = None,
    candidate_ref: str,
    candidate_name: str | None = None,
    interview_notes: str | Path | None = None,
    use_model: bool = True,
) -> Assessment:
    """Assess a CV file (and/or interview notes) and log the run; return the proposal.

    Args:
        settings: knowledge folder, size limit, default language.
        engine: the database holding the assessment tables.
        path: the CV (txt, md, docx or pdf); None when only notes are assessed.
        target: an archetype key (``hunter``, ``farmer``, ``project_director``) or an
            edited :class:`~kambot.domain.assessment.TargetProfile`.
        lang: language of indicator texts, questions and rationales.
        candidate_ref: the person's reference in the HR process (not their name).
        candidate_name: the person's name, only to mask it; never stored.
        interview_notes: structured-interview notes, as text or a file.
        use_model: use the model configured in the settings (if any); its quotes are
            verified and its levels capped by the rules; it falls back to the rules.

    Returns:
        The proposal, with ``run_id`` set.

    Raises:
        LimitExceededError: an input is over ``settings.max_import_bytes``.
        DataError: an input is unreadable, the reference is empty, or the target unknown.
    """
    from kambot.assistant.assessment.records import create_run

    if not candidate_ref.strip():
        raise DataError("a candidate reference is needed",
                        hint="pass the HR reference of the person, not their name")
    from kambot.assistant.assessment.extract_model import model_from_settings

    bundle = load_rubric(settings.knowledge_dir)
    documents = read_inputs(settings, path, interview_notes)
    model = model_from_settings(settings) if use_model else None
    assessment = assess_documents(bundle, documents, target=target, lang=lang or settings.lang,
                                  candidate_ref=candidate_ref.strip(),
                                  candidate_name=candidate_name, model=model)
    run_id = create_run(engine, assessment)
    return assessment.model_copy(update={"run_id": run_id})
