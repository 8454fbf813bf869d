"""Fairness check: counterfactual CV pairs and the four-fifths rule on a shortlist.

For each CV, variants are built that change one protected attribute only: the name,
the gender markers (titles, pronouns, gendered job titles), the age, the nationality.
When the CV does not state the attribute, both sides of the pair get it, with different
values, in a header line. Each side is assessed offline; any difference in a level, a
not-enough-evidence status or the fit is reported. With group labels supplied by HR's
monitoring (never an input of the assessment), the shortlist's selection rate per group
and its impact ratio are reported too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kambot.assistant.assessment.intake import SourceDocument, read_path, text_document
from kambot.assistant.assessment.redact import header_name_lines
from kambot.assistant.assessment.rubric import load_rubric
from kambot.assistant.assessment.service import assess_documents
from kambot.core.fairness import (
    GroupRate,
    LevelDifference,
    fit_difference,
    impact_ratios,
    level_differences,
    shortlist,
)
from kambot.core.traits import ranking_key
from kambot.domain.assessment import Lang, SourceKind, TargetProfile, Trait

if TYPE_CHECKING:
    from kambot.config import Settings

ALTERNATIVE_NAMES = (
    "Fatima Benali", "John Smith", "Nguyen Van An", "Olusegun Adeyemi", "Marie Dupont",
    "Piotr Kowalski", "Aiko Tanaka", "Carlos Mendes",
)
NATIONALITIES = ("French", "Moroccan", "Nigerian", "Vietnamese", "Polish", "Brazilian")
NATIONALITES_FR = ("française", "marocaine", "nigériane", "vietnamienne", "polonaise",
                   "brésilienne")

_SWAP_PAIRS = (
    ("he", "she"), ("him", "her"), ("his", "her"), ("himself", "herself"), ("mr", "ms"),
    ("mrs", "mr"), ("monsieur", "madame"), ("mme", "m."), ("il", "elle"), ("ils", "elles"),
    ("né", "née"), ("directeur", "directrice"), ("vendeur", "vendeuse"),
    ("consultant", "consultante"), ("ingénieur", "ingénieure"), ("chargé", "chargée"),
    ("salesman", "saleswoman"),
    ("chairman", "chairwoman"), ("businessman", "businesswoman"), ("promu", "promue"),
    ("diplômé", "diplômée"), ("associé", "associée"), ("président", "présidente"),
    ("fondateur", "fondatrice"), ("conseiller", "conseillère"), ("délégué", "déléguée"),
    ("attaché", "attachée"), ("assistant", "assistante"), ("expert", "experte"),
)
_SWAP: dict[str, str] = {}
for _a, _b in _SWAP_PAIRS:
    _SWAP.setdefault(_a, _b)
    _SWAP.setdefault(_b, _a)
_SWAP_RX = re.compile(
    r"(?<![\w.])(?:" + "|".join(re.escape(w) for w in sorted(_SWAP, key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)
_AGE_RX = re.compile(
    r"(?i)(\bage[d]?\s*[:=]?\s*|\bâgée?\s+de\s+)(\d{2})\b|\b(\d{2})(\s*(?:years?|yrs?)[- ]old\b)"
)
_BIRTH_YEAR_RX = re.compile(r"(?i)(\b(?:born|née?|birth|naissance)\b[^\n]{0,30}?)((?:19|20)\d\d)")
_NATIONALITY_RX = re.compile(
    r"(?i)(\b(?:nationality|nationalité|citizenship)\s*[:.]?\s*|\bde\s+nationalité\s+)"
    r"([A-Za-zÀ-ÿ-]+)|\b([A-Z][a-z]+)(\s+citizen\b)"
)


@dataclass(frozen=True)
class Counterfactual:
    """Two versions of a CV that differ by one protected attribute."""

    attribute: str  # name, gender, age, nationality
    description: str
    base: str
    variant: str
    base_name: str | None
    variant_name: str | None


@dataclass(frozen=True)
class PairResult:
    """The assessment difference on one counterfactual pair."""

    candidate: str
    attribute: str
    description: str
    level_differences: list[LevelDifference]
    fit_difference: float

    @property
    def differs(self) -> bool:
        """Tell whether the protected attribute changed anything."""
        return bool(self.level_differences) or self.fit_difference > 0


@dataclass
class FairnessReport:
    """Counterfactual differences and shortlist impact ratios."""

    pairs: list[PairResult] = field(default_factory=list)
    shortlist: list[str] = field(default_factory=list)
    rates: list[GroupRate] = field(default_factory=list)

    @property
    def pairs_with_difference(self) -> int:
        """Return the number of pairs where the attribute changed a score."""
        return sum(1 for p in self.pairs if p.differs)

    @property
    def max_fit_difference(self) -> float:
        """Return the largest fit difference over all pairs, in points."""
        return max((p.fit_difference for p in self.pairs), default=0.0)

    @property
    def groups_below_four_fifths(self) -> list[str]:
        """Return the groups whose impact ratio is under 0.8."""
        return [r.group for r in self.rates if r.below_four_fifths]

    def summary(self) -> list[str]:
        """Return plain-text lines summarising the check."""
        lines = [f"counterfactual pairs: {len(self.pairs)}, with a score difference: "
                 f"{self.pairs_with_difference}, largest fit difference: "
                 f"{self.max_fit_difference:.1f} points"]
        for pair in self.pairs:
            if pair.differs:
                changed = ", ".join(f"{d.trait.value} {d.base}->{d.variant}"
                                    for d in pair.level_differences) or "fit only"
                lines.append(f"  {pair.candidate} [{pair.attribute}] {pair.description}: "
                             f"{changed}")
        if self.rates:
            lines.append(f"shortlist: {len(self.shortlist)} candidates")
            for rate in self.rates:
                ratio = "n/a" if rate.impact_ratio is None else f"{rate.impact_ratio:.2f}"
                mark = "  <- below four fifths: investigate" if rate.below_four_fifths else ""
                lines.append(f"  {rate.group}: {rate.selected}/{rate.candidates} selected, "
                             f"rate {rate.rate:.2f}, impact ratio {ratio}{mark}")
        return lines


def _case_like(original: str, replacement: str) -> str:
    if original.isupper() and len(original) > 1:
        return replacement.upper()
    if original[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement


def swap_gender(text: str) -> str:
    """Swap gender markers: titles, pronouns and gendered job titles, both ways."""
    return _SWAP_RX.sub(lambda m: _case_like(m.group(0), _SWAP[m.group(0).lower()]), text)


def _replace_name(text: str, old: str, new: str) -> str:
    old_parts = [p for p in old.split() if len(p) >= 2]
    new_parts = new.split()
    for i, part in enumerate(old_parts):
        repl = new_parts[min(i, len(new_parts) - 1)]
        text = re.sub(rf"(?<!\w){re.escape(part)}(?!\w)", repl, text, flags=re.IGNORECASE)
    return text


def _with_header(text: str, line: str) -> str:
    return f"{line}\n{text}"


def counterfactuals(text: str, name: str | None = None, lang: Lang = "en") -> list[Counterfactual]:
    """Build one counterfactual pair per protected attribute for a CV.

    Args:
        text: the CV text.
        name: the candidate's name, when known.
        lang: language of inserted header lines.

    Returns:
        Pairs for name, gender, age and nationality.
    """
    pairs: list[Counterfactual] = []
    header = header_name_lines(text)
    current = name or (text[header[0][0]:header[0][1]].strip() if header else None)
    if current:
        other = next(n for n in ALTERNATIVE_NAMES if n.split()[0].lower()
                     != current.split()[0].lower())
        pairs.append(Counterfactual("name", f"{current} -> {other}", text,
                                    _replace_name(text, current, other), current, other))
    else:
        a, b = ALTERNATIVE_NAMES[0], ALTERNATIVE_NAMES[1]
        pairs.append(Counterfactual("name", f"{a} -> {b}", _with_header(text, a),
                                    _with_header(text, b), a, b))
    swapped = swap_gender(text)
    if swapped != text:
        pairs.append(Counterfactual("gender", "gender markers swapped", text, swapped,
                                    current, current))
    else:
        a_line, b_line = ("M. Alex Martin", "Mme Alex Martin") if lang == "fr" else (
            "Mr Alex Martin", "Ms Alex Martin")
        pairs.append(Counterfactual("gender", f"{a_line} -> {b_line}", _with_header(text, a_line),
                                    _with_header(text, b_line), "Alex Martin", "Alex Martin"))
    aged = _AGE_RX.sub(lambda m: (m.group(1) + str(int(m.group(2)) + 25 if int(m.group(2)) < 40
                                                  else int(m.group(2)) - 25)) if m.group(2)
                       else str(int(m.group(3)) + 25 if int(m.group(3)) < 40
                                else int(m.group(3)) - 25) + m.group(4), text)
    aged = _BIRTH_YEAR_RX.sub(lambda m: m.group(1) + str(int(m.group(2)) - 25
                                                         if int(m.group(2)) > 1975
                                                         else int(m.group(2)) + 25), aged)
    if aged != text:
        pairs.append(Counterfactual("age", "ages shifted by 25 years", text, aged,
                                    current, current))
    else:
        label = "Âge : {} ans" if lang == "fr" else "Age: {}"
        pairs.append(Counterfactual("age", "age 29 -> 58", _with_header(text, label.format(29)),
                                    _with_header(text, label.format(58)), current, current))
    values = NATIONALITES_FR if lang == "fr" else NATIONALITIES

    def other_nationality(found: str) -> str:
        pool = NATIONALITES_FR if found.lower() in NATIONALITES_FR or not found[:1].isupper() \
            else NATIONALITIES
        return next(v for v in pool if v.lower() != found.lower())

    nationals = _NATIONALITY_RX.sub(
        lambda m: (m.group(1) + other_nationality(m.group(2))) if m.group(1)
        else other_nationality(m.group(3)) + m.group(4), text)
    if nationals != text:
        pairs.append(Counterfactual("nationality", "nationality changed", text, nationals,
                                    current, current))
    else:
        label = "Nationalité : {}" if lang == "fr" else "Nationality: {}"
        pairs.append(Counterfactual("nationality", f"{values[0]} -> {values[2]}",
                                    _with_header(text, label.format(values[0])),
                                    _with_header(text, label.format(values[2])),
                                    current, current))
    return pairs


def _assess_text(settings: Settings, text: str, name: str | None, target: str | TargetProfile,
                 lang: Lang) -> tuple[dict[Trait, int | None], float | None, tuple[float, int]]:
    bundle = load_rubric(settings.knowledge_dir)
    document = text_document(text, name="cv.txt", kind=SourceKind.CV)
    assessment = assess_documents(bundle, [document], target=target, lang=lang,
                                  candidate_ref="fairness", candidate_name=name)
    return assessment.levels(), assessment.fit.score_pct, ranking_key(assessment.fit)


def fairness_check(
    settings: Settings,
    inputs: Sequence[Path | SourceDocument],
    *,
    target: str | TargetProfile = "hunter",
    lang: Lang | None = None,
    names: Mapping[str, str] | None = None,
    groups: Mapping[str, str] | None = None,
    shortlist_size: int | None = None,
) -> FairnessReport:
    """Run counterfactual pairs on CVs and, with group labels, the four-fifths rule.

    Args:
        settings: knowledge folder, size limit, default language.
        inputs: CV files (or documents already read); a candidate's id is the file stem.
        target: the target profile the shortlist is ranked on.
        lang: language of inserted header lines and of the assessment texts.
        names: candidate id -> name, to mask and to swap (optional).
        groups: candidate id -> group label from HR's monitoring data (optional).
        shortlist_size: how many candidates the shortlist keeps (half, rounded up, by
            default).

    Returns:
        The report.

    Raises:
        LimitExceededError: a file is over ``settings.max_import_bytes``.
        DataError: a file is unreadable or the target unknown.
    """
    language: Lang = lang or settings.lang
    report = FairnessReport()
    ranked: list[tuple[str, tuple[float, int]]] = []
    for item in inputs:
        document = item if isinstance(item, SourceDocument) else read_path(
            Path(item), settings.max_import_bytes, SourceKind.CV)
        candidate = Path(document.name).stem
        name = (names or {}).get(candidate)
        for pair in counterfactuals(document.text, name, language):
            base_levels, base_fit, _ = _assess_text(settings, pair.base, pair.base_name,
                                                    target, language)
            var_levels, var_fit, _ = _assess_text(settings, pair.variant, pair.variant_name,
                                                  target, language)
            report.pairs.append(PairResult(
                candidate, pair.attribute, pair.description,
                level_differences(base_levels, var_levels),
                fit_difference(base_fit, var_fit)))
        _, _, key = _assess_text(settings, document.text, name, target, language)
        ranked.append((candidate, key))
    if groups:
        size = shortlist_size if shortlist_size is not None else (len(ranked) + 1) // 2
        report.shortlist = shortlist(ranked, size)
        report.rates = impact_ratios({c: g for c, g in groups.items()
                                      if c in {r[0] for r in ranked}}, report.shortlist)
    return report
