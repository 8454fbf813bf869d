"""Evidence without a model: the level rules and the rubric's hints over prepared text.

For every unit (sentence or bullet) a gaming review left eligible, each rule of
:mod:`kambot.assistant.assessment.rules` that matches inside the unit proposes a level
from the unit's facts; per unit and trait the highest proposal is kept as one evidence
item (a quote cannot count twice for a trait). A unit that only matches a rubric hint
becomes a context mention with no level (at most :data:`MAX_MENTIONS` per trait).
Competencies are found with the rubric's competency patterns, lists included.

Every quote is the unit's text exactly as it stands in the redacted source, located in
the original by its offsets; nothing is paraphrased.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from kambot.assistant.assessment.facts import Facts, read_facts
from kambot.assistant.assessment.fastre import Matcher
from kambot.assistant.assessment.prepare import PreparedSource
from kambot.assistant.assessment.rubric import RubricBundle
from kambot.assistant.assessment.rules import RULES, Rule
from kambot.domain.assessment import (
    TRAITS,
    CompetencyEvidence,
    Evidence,
    Lang,
    Trait,
)

MAX_MENTIONS = 3
_RULES: tuple[tuple[Rule, Matcher], ...] = tuple((rule, Matcher(rule.regex)) for rule in RULES)


@dataclass
class Extraction:
    """Evidence found in the inputs."""

    evidence: list[Evidence] = field(default_factory=list)
    competencies: list[CompetencyEvidence] = field(default_factory=list)


def indicator_text(bundle: RubricBundle, trait: Trait, level: int | None,
                   index: int | None, lang: Lang) -> tuple[str, str | None]:
    """Return the rubric text a piece of evidence illustrates, and its reference.

    A rule names the indicator it illustrates at a level; without one, the level's
    anchor stands in; a context mention points to the trait definition.
    """
    trait_def = bundle.rubric.trait(trait)
    if level is None:
        return trait_def.definition.get(lang), None
    anchor = trait_def.level(level)
    if index is not None and 0 <= index < len(anchor.indicators):
        return anchor.indicators[index].get(lang), f"{trait.value}.{level}.{index + 1}"
    return anchor.anchor.get(lang), f"{trait.value}.{level}"


def _unit_of(starts: list[int], units: list[tuple[int, int]], start: int, end: int) -> int:
    index = bisect.bisect_right(starts, start) - 1
    if index < 0:
        return -1
    u_start, u_end = units[index]
    return index if u_start <= start and end <= u_end else -1


def rule_hits(source: PreparedSource) -> tuple[dict[tuple[int, Trait], tuple[int, Rule]],
                                                 dict[int, Facts]]:
    """Return, per (unit, trait), the highest level a rule proposes, and unit facts."""
    units, folded, review = source.units, source.folded, source.review
    starts = [s for s, _ in units]
    facts_cache: dict[int, Facts] = {}
    best: dict[tuple[int, Trait], tuple[int, Rule]] = {}
    for rule, matcher in _RULES:
        seen_units: set[int] = set()
        for match in matcher.finditer(folded):
            index = _unit_of(starts, units, match.start(), match.end())
            if index < 0 or index in seen_units or not review.trait_eligible(index):
                continue
            seen_units.add(index)
            u_start, u_end = units[index]
            facts = facts_cache.get(index)
            if facts is None:
                facts = facts_cache[index] = read_facts(folded[u_start:u_end])
            level = rule.level(facts, folded[u_start:u_end])
            current = best.get((index, rule.trait))
            if current is None or level > current[0]:
                best[(index, rule.trait)] = (level, rule)
    return best, facts_cache


def _mentions(source: PreparedSource, bundle: RubricBundle,
              levelled: set[tuple[int, Trait]]) -> dict[Trait, list[tuple[int, str]]]:
    """Return units matching a rubric hint but no rule: context for the reviewer."""
    units, folded, review = source.units, source.folded, source.review
    starts = [s for s, _ in units]
    mentions: dict[Trait, list[tuple[int, str]]] = {t: [] for t in TRAITS}
    for trait in TRAITS:
        for pattern in bundle.trait_patterns[trait]:
            if len(mentions[trait]) >= MAX_MENTIONS:
                break
            for match in pattern.matcher.finditer(folded):
                index = _unit_of(starts, units, match.start(), match.end())
                if (index < 0 or (index, trait) in levelled
                        or not review.trait_eligible(index)
                        or any(i == index for i, _ in mentions[trait])):
                    continue
                mentions[trait].append((index, pattern.ref))
                break
    return mentions


def _competency_units(source: PreparedSource, bundle: RubricBundle) -> list[tuple[str, int]]:
    """Return the first unit showing each competency (lists count, exclusions do not)."""
    units, folded, review = source.units, source.folded, source.review
    starts = [s for s, _ in units]
    found: list[tuple[str, int]] = []
    for key, patterns in bundle.competency_patterns.items():
        hit: int | None = None
        for pattern in patterns:
            for match in pattern.matcher.finditer(folded):
                index = _unit_of(starts, units, match.start(), match.end())
                if index >= 0 and not review.excluded(index):
                    hit = index
                    break
            if hit is not None:
                break
        if hit is not None:
            found.append((key, hit))
    return found


def extract(
    sources: Sequence[PreparedSource], bundle: RubricBundle, lang: Lang
) -> Extraction:
    """Extract trait and competency evidence from prepared inputs.

    Args:
        sources: the prepared CV and/or interview notes.
        bundle: the rubric (indicator texts and hint patterns).
        lang: language of the indicator texts.

    Returns:
        Evidence in document order per source (CV first).
    """
    result = Extraction()
    counters: dict[str, int] = {}

    def next_id(prefix: str) -> str:
        counters[prefix] = counters.get(prefix, 0) + 1
        return f"{prefix}-{counters[prefix]}"

    for source in sources:
        best, facts = rule_hits(source)
        items: list[tuple[int, Trait, int | None, str, bool, int | None]] = [
            (index, trait, level, rule.id, facts[index].strong, rule.indicators.get(level))
            for (index, trait), (level, rule) in best.items()
        ]
        for trait, found in _mentions(source, bundle, set(best)).items():
            items.extend((index, trait, None, f"hint:{ref}", False, None) for index, ref in found)
        items.sort(key=lambda item: (item[0], TRAITS.index(item[1])))
        for index, trait, level_found, rule_id, strong, indicator in items:
            o_start, o_end = source.unit_spans[index]
            shown, indicator_ref = indicator_text(bundle, trait, level_found, indicator, lang)
            result.evidence.append(Evidence(
                id=next_id(f"{source.kind.value}-{trait.value}"),
                trait=trait,
                quote=source.quote(index),
                start=o_start,
                end=o_end,
                line=source.unit_lines[index],
                source=source.kind,
                indicator=shown,
                indicator_ref=indicator_ref,
                rule=rule_id,
                level=level_found,
                strong=strong,
            ))
        for key, index in _competency_units(source, bundle):
            o_start, o_end = source.unit_spans[index]
            result.competencies.append(CompetencyEvidence(
                id=next_id(f"{source.kind.value}-comp-{key}"),
                competency=key,
                quote=source.quote(index),
                start=o_start,
                end=o_end,
                line=source.unit_lines[index],
                source=source.kind,
            ))
    return result
