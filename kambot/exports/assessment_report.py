"""HR report of an assessment, in Markdown and DOCX.

The report shows everything the proposal rests on: the target profile, each trait's
level with its confidence and the rule that set it, the fit and its coverage, gaps and
recommended responses, interview questions, every evidence quote with its line, the
injection and gaming flags, what was redacted, the human decision and the provenance
(input fingerprint, rubric and prompt versions, model). Quotes come from CVs and are
untrusted: they are escaped so that they cannot inject Markdown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from io import BytesIO
from pathlib import Path

from kambot.domain.assessment import (
    TRAITS,
    Assessment,
    DecisionKind,
    Evidence,
    Lang,
    Trait,
)

_L: dict[str, tuple[str, str]] = {
    "title": ("Assessment of {ref} against the {profile} profile",
              "Évaluation de {ref} au regard du profil {profile}"),
    "proposal": ("PROPOSAL: to be confirmed or overridden by an HR reviewer",
                 "PROPOSITION : à confirmer ou modifier par un examinateur RH"),
    "confirmed": ("CONFIRMED", "CONFIRMÉE"),
    "overridden": ("OVERRIDDEN", "MODIFIÉE"),
    "notice": ("Scores are proposals built only from job-related evidence; protected "
               "characteristics were masked before reading and are never used; no emotion, "
               "face or voice analysis is performed.",
               "Les notes sont des propositions fondées uniquement sur des preuves liées au "
               "poste ; les caractéristiques protégées ont été masquées avant lecture et ne "
               "sont jamais utilisées ; aucune analyse des émotions, du visage ou de la voix "
               "n'est pratiquée."),
    "scores": ("Traits", "Traits"),
    "trait": ("Trait", "Trait"),
    "weight": ("Weight", "Poids"),
    "target": ("Target", "Cible"),
    "floor": ("Floor", "Plancher"),
    "level": ("Level", "Niveau"),
    "confidence": ("Confidence", "Confiance"),
    "basis": ("Basis", "Fondement"),
    "nee": ("not enough evidence", "preuves insuffisantes"),
    "fit": ("Fit to the target profile", "Adéquation au profil cible"),
    "fit_line": ("Fit {fit} over the traits that could be scored ({weight} of 100 weight "
                 "points); weighted level {wl}.",
                 "Adéquation {fit} sur les traits notés ({weight} points de poids sur 100) ; "
                 "niveau pondéré {wl}."),
    "not_assessed": ("Not assessed (not counted as zero): {items}.",
                     "Non évalués (pas comptés comme zéro) : {items}."),
    "floors_missed": ("Floors missed: {items}.", "Planchers non atteints : {items}."),
    "competencies": ("Competencies shown: {found}. Required but not shown: {missing}.",
                     "Compétences démontrées : {found}. Requises mais non démontrées : "
                     "{missing}."),
    "none": ("none", "aucune"),
    "recommendation": ("Recommendation", "Recommandation"),
    "overall": ("Overall: {rec}.", "Globalement : {rec}."),
    "overall_none": ("Overall: no gap calls for action, or too little could be assessed to "
                     "conclude.", "Globalement : aucun écart n'appelle d'action, ou trop peu a "
                     "pu être évalué pour conclure."),
    "alternative": ("Fits the {profile} profile markedly better: consider an internal move.",
                    "Correspond nettement mieux au profil {profile} : envisager une mobilité "
                    "interne."),
    "questions": ("Structured-interview questions", "Questions d'entretien structuré"),
    "evidence": ("Evidence", "Preuves"),
    "context": ("context (no level)", "contexte (sans niveau)"),
    "line": ("line", "ligne"),
    "competency_evidence": ("Competency evidence", "Preuves de compétences"),
    "flags": ("Injection and gaming flags", "Signalements d'injection et de manipulation"),
    "no_flags": ("No flag.", "Aucun signalement."),
    "redactions": ("Masked before reading", "Masqué avant lecture"),
    "decision": ("Decision", "Décision"),
    "no_decision": ("No decision yet.", "Pas encore de décision."),
    "decided": ("{kind} by {reviewer} on {at}.", "{kind} par {reviewer} le {at}."),
    "reason": ("Reason: {reason}", "Motif : {reason}"),
    "levels_set": ("Levels set by the reviewer: {levels}.",
                   "Niveaux fixés par l'examinateur : {levels}."),
    "provenance": ("Provenance", "Traçabilité"),
    "training": ("training", "formation"),
    "mentoring": ("mentoring", "accompagnement par un mentor"),
    "internal_move": ("internal move", "mobilité interne"),
    "hire_profile": ("hire the missing profile", "recruter le profil manquant"),
    "cv": ("CV", "CV"),
    "interview": ("interview", "entretien"),
}
_DECISION_WORD = {DecisionKind.CONFIRMED: ("Confirmed", "Confirmée"),
                  DecisionKind.OVERRIDDEN: ("Overridden", "Modifiée")}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def _t(key: str, lang: Lang, **values: object) -> str:
    en, fr = _L[key]
    return (fr if lang == "fr" else en).format(**values)


def escape_markdown(text: str) -> str:
    """Escape untrusted text (CV quotes) so that it renders literally in Markdown."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _name(trait: Trait, names: Mapping[Trait, str] | None) -> str:
    return (names or {}).get(trait) or trait.value.capitalize()


def _level(value: int | None, lang: Lang) -> str:
    return str(value) if value is not None else _t("nee", lang)


def _quote_line(item: Evidence, lang: Lang) -> str:
    level = str(item.level) if item.level is not None else _t("context", lang)
    return (f"\"{escape_markdown(item.quote)}\" ({_t(item.source.value, lang)}, "
            f"{_t('line', lang)} {item.line}; {level}; {escape_markdown(item.indicator)}; "
            f"`{item.rule}`)")


def _status_line(assessment: Assessment, lang: Lang) -> str:
    decision = assessment.decision
    if decision is None:
        return _t("proposal", lang)
    return _t("confirmed" if decision.kind == DecisionKind.CONFIRMED else "overridden", lang)


def _sections(
    assessment: Assessment, lang: Lang, names: Mapping[Trait, str] | None
) -> list[tuple[str, list[str]]]:
    """Build the report as (heading, lines) pairs shared by both renderers."""
    target = assessment.target
    sections: list[tuple[str, list[str]]] = []
    rows = []
    for score in assessment.scores:
        floor = target.min_levels.get(score.trait)
        rows.append(" | ".join([
            _name(score.trait, names), str(target.weights[score.trait]),
            str(target.target_level(score.trait)), str(floor) if floor else "-",
            _level(score.level, lang), f"{score.confidence:.2f}", score.basis]))
    head = " | ".join(_t(k, lang) for k in ("trait", "weight", "target", "floor", "level",
                                             "confidence", "basis"))
    sections.append((_t("scores", lang), [f"| {head} |", "|" + "---|" * 7]
                     + [f"| {r} |" for r in rows]))
    fit = assessment.fit
    fit_lines = [_t("fit_line", lang,
                    fit=f"{fit.score_pct:.1f} %" if fit.score_pct is not None else "-",
                    weight=fit.assessed_weight,
                    wl=f"{fit.weighted_level:.2f}" if fit.weighted_level is not None else "-")]
    if fit.not_assessed:
        fit_lines.append(_t("not_assessed", lang,
                            items=", ".join(_name(t, names) for t in fit.not_assessed)))
    if fit.floors_missed:
        fit_lines.append(_t("floors_missed", lang,
                            items=", ".join(_name(t, names) for t in fit.floors_missed)))
    fit_lines.append(_t("competencies", lang,
                        found=", ".join(fit.competencies_found) or _t("none", lang),
                        missing=", ".join(fit.competencies_missing) or _t("none", lang)))
    sections.append((_t("fit", lang), fit_lines))
    rec_lines: list[str] = []
    if assessment.overall_recommendation is not None:
        rec_lines.append(_t("overall", lang, rec=_t(assessment.overall_recommendation.value,
                                                    lang)))
    else:
        rec_lines.append(_t("overall_none", lang))
    if assessment.alternative_profile:
        rec_lines.append(_t("alternative", lang, profile=assessment.alternative_profile))
    for gap in assessment.gaps:
        rec_lines.append(f"- {_t(gap.recommendation.value, lang)}: {gap.rationale}")
    sections.append((_t("recommendation", lang), rec_lines))
    if assessment.questions:
        sections.append((_t("questions", lang), [
            f"- {_name(q.trait, names)}: {q.question} ({q.reason})"
            for q in assessment.questions]))
    evidence_lines: list[str] = []
    for trait in TRAITS:
        items = assessment.evidence_for(trait)
        if not items:
            continue
        evidence_lines.append(f"**{_name(trait, names)}**")
        evidence_lines.extend(f"- {_quote_line(item, lang)}" for item in items)
    sections.append((_t("evidence", lang), evidence_lines or [_t("none", lang)]))
    if assessment.competency_evidence:
        sections.append((_t("competency_evidence", lang), [
            f"- {c.competency}: \"{escape_markdown(c.quote)}\" ({_t(c.source.value, lang)}, "
            f"{_t('line', lang)} {c.line})" for c in assessment.competency_evidence]))
    flag_lines = []
    for flag in assessment.flags:
        where = f" ({_t('line', lang)} {flag.line})" if flag.line else ""
        excerpt = f": \"{escape_markdown(flag.excerpt)}\"" if flag.excerpt else ""
        flag_lines.append(f"- [{flag.severity}] {flag.kind.value}{where} — "
                          f"{escape_markdown(flag.message)}{excerpt}")
    sections.append((_t("flags", lang), flag_lines or [_t("no_flags", lang)]))
    if assessment.redactions:
        sections.append((_t("redactions", lang), [", ".join(
            f"{k}: {v}" for k, v in sorted(assessment.redactions.items()))]))
    decision = assessment.decision
    if decision is None:
        decision_lines = [_t("no_decision", lang)]
    else:
        en, fr = _DECISION_WORD[decision.kind]
        decision_lines = [_t("decided", lang, kind=fr if lang == "fr" else en,
                             reviewer=escape_markdown(decision.reviewer),
                             at=f"{decision.at:%Y-%m-%d %H:%M} UTC")]
        if decision.reason:
            decision_lines.append(_t("reason", lang, reason=escape_markdown(decision.reason)))
        if decision.levels:
            decision_lines.append(_t("levels_set", lang, levels=", ".join(
                f"{_name(t, names)} {_level(v, lang)}" for t, v in decision.levels.items())))
    sections.append((_t("decision", lang), decision_lines))
    sources = ", ".join(f"{s.kind.value}:{escape_markdown(s.name)} ({s.format}, "
                        f"sha256 {s.sha256[:12]})" for s in assessment.sources)
    sections.append((_t("provenance", lang), [
        f"- run: {assessment.run_id if assessment.run_id is not None else '-'}; created "
        f"{assessment.created_at:%Y-%m-%d %H:%M} UTC",
        f"- input sha256: {assessment.input_sha256}",
        f"- rubric {assessment.rubric_version}; rules/prompt {assessment.prompt_version}; "
        f"model {assessment.model}",
        f"- sources: {sources or '-'}",
        *([f"- target adjustments: {'; '.join(target.adjustments)}"]
          if target.adjustments else []),
    ]))
    return sections


def assessment_markdown(
    assessment: Assessment,
    *,
    lang: Lang | None = None,
    trait_names: Mapping[Trait, str] | None = None,
) -> str:
    """Render the HR report of an assessment as Markdown."""
    lang = lang or assessment.lang
    title = _t("title", lang, ref=escape_markdown(assessment.candidate_ref),
               profile=assessment.target.name.get(lang))
    lines = [f"# {title}", "", f"**{_status_line(assessment, lang)}**", "",
             f"_{_t('notice', lang)}_", ""]
    for heading, body in _sections(assessment, lang, trait_names):
        lines += [f"## {heading}", "", *body, ""]
    return "\n".join(lines)


def _plain(text: str) -> str:
    """Undo Markdown escaping and emphasis for the DOCX rendering."""
    text = re.sub(r"\\(.)", r"\1", text)
    return text.replace("`", "")


def assessment_docx(
    assessment: Assessment,
    path: Path | None = None,
    *,
    lang: Lang | None = None,
    trait_names: Mapping[Trait, str] | None = None,
) -> bytes:
    """Render the HR report of an assessment as a Word document.

    Args:
        assessment: the assessment (with its decision, if any).
        path: where to write the file too (optional).
        lang: report language (the assessment's by default).
        trait_names: display names of the traits.

    Returns:
        The DOCX bytes.
    """
    import docx

    lang = lang or assessment.lang
    document = docx.Document()
    document.add_heading(_t("title", lang, ref=assessment.candidate_ref,
                            profile=assessment.target.name.get(lang)), level=0)
    status = document.add_paragraph()
    status.add_run(_status_line(assessment, lang)).bold = True
    document.add_paragraph(_t("notice", lang)).runs[0].italic = True
    for heading, body in _sections(assessment, lang, trait_names):
        document.add_heading(heading, level=1)
        table_rows = [line for line in body if line.startswith("|")]
        if table_rows:
            cells = [[_plain(c.strip()) for c in row.strip("|").split(" | ")]
                     for row in table_rows if not row.startswith("|---")]
            table = document.add_table(rows=len(cells), cols=len(cells[0]))
            table.style = "Table Grid"
            for r, row in enumerate(cells):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
            continue
        for line in body:
            if line.startswith("**") and line.endswith("**"):
                document.add_paragraph().add_run(line.strip("*")).bold = True
            elif line.startswith("- "):
                document.add_paragraph(_plain(line[2:]), style="List Bullet")
            else:
                document.add_paragraph(_plain(line))
    buffer = BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    if path is not None:
        path.write_bytes(data)
    return data
