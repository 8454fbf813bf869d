"""Evidence with a model: structured extraction, then verification by code.

The model (any :class:`~kambot.llm.model_writer.StructuredModel`: the OpenAI-compatible
adapter or a scripted test model) sees only the redacted text of the units a gaming
review left eligible, delimited as untrusted data, and answers a list of
``(trait, quote, level, indicator)`` items. Then code takes over:

1. **Quotes are verified.** A quote must appear in one eligible unit after
   normalisation (case, accents, whitespace, quote marks and dashes) and be at least
   :data:`MIN_QUOTE_CHARS` long; otherwise it is dropped and the drop is flagged. A kept
   quote is re-cut from the source, so it is verbatim and located by offsets.
2. **Levels are capped by the rules.** The level a model gives never exceeds the level
   the deterministic rules give the same unit for that trait; a unit no rule supports
   becomes a context mention (no level). The model can lower a level or pick the
   evidence, never raise a score.
3. **Failure falls back.** Any model error gives the offline extraction, flagged.

Competencies always come from the offline patterns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from kambot.assistant.assessment.extract_offline import (
    Extraction,
    extract,
    indicator_text,
    rule_hits,
)
from kambot.assistant.assessment.prepare import PreparedSource
from kambot.assistant.assessment.rubric import RubricBundle
from kambot.assistant.assessment.text import fold
from kambot.domain.assessment import (
    TRAITS,
    Evidence,
    Flag,
    FlagKind,
    Lang,
    Trait,
)
from kambot.errors import ConfigError, ModelError

if TYPE_CHECKING:
    from kambot.config import Settings
    from kambot.llm.model_writer import StructuredModel

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
PROMPT_NAME = "assess_evidence"
MIN_QUOTE_CHARS = 12
EXCERPT_CHARS = 120


class ModelItem(BaseModel):
    """One piece of evidence as the model answers it."""

    model_config = ConfigDict(extra="forbid")
    trait: Trait
    quote: str
    level: int = Field(ge=1, le=5)
    indicator: str = ""


class ModelAnswer(BaseModel):
    """The structured answer asked of the model."""

    model_config = ConfigDict(extra="forbid")
    items: list[ModelItem]


@dataclass
class ModelExtraction:
    """Verified evidence from a model, and what verification did."""

    extraction: Extraction
    flags: list[Flag] = field(default_factory=list)
    model: str = ""
    prompt_ref: str = ""
    fell_back: bool = False


_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"',
                         "\u2018": "'", "\u2019": "'"})


def _normalise(text: str) -> tuple[str, list[int]]:
    """Return a normalised text and, for each of its characters, the raw index."""
    folded = fold(text).translate(_QUOTES)
    out: list[str] = []
    index: list[int] = []
    space = False
    for i, ch in enumerate(folded):
        if ch.isspace():
            space = bool(out)
            continue
        if space:
            out.append(" ")
            index.append(i)
            space = False
        out.append(ch)
        index.append(i)
    return "".join(out), index


def _clean_quote(quote: str) -> str:
    norm, _ = _normalise(quote)
    return norm.strip(" \"'.,;:-…")


def render_rubric(bundle: RubricBundle, lang: Lang) -> str:
    """Return the six traits and their anchored levels as prompt text."""
    lines: list[str] = []
    for trait in bundle.rubric.traits:
        lines.append(f"- {trait.key.value} ({trait.name.get(lang)}): {trait.definition.get(lang)}")
        lines.extend(f"  {lv.level}. {lv.anchor.get(lang)}" for lv in trait.levels)
    return "\n".join(lines)


def render_documents(sources: Sequence[PreparedSource]) -> str:
    """Return the eligible units of each source, delimited as untrusted data."""
    from kambot.llm.model_writer import UNTRUSTED_TAG, sanitise_untrusted

    blocks = []
    for number, source in enumerate(sources, start=1):
        kept = [source.quote(i) for i in range(len(source.units))
                if not source.review.excluded(i)]
        body = sanitise_untrusted("\n".join(kept))
        blocks.append(f'<{UNTRUSTED_TAG} id="{source.kind.value}-{number}">\n{body}\n'
                      f"</{UNTRUSTED_TAG}>")
    return "\n".join(blocks)


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_CHARS else flat[: EXCERPT_CHARS - 1] + "…"


def _locate(quote: str, sources: Sequence[PreparedSource],
            norms: list[list[tuple[str, list[int]]]]) -> tuple[int, int, int, int] | None:
    """Find a quote in an eligible unit: (source, unit, raw start, raw end in the unit)."""
    wanted = _clean_quote(quote)
    if len(wanted) < MIN_QUOTE_CHARS:
        return None
    for s_index, source in enumerate(sources):
        for u_index, (norm, raw_index) in enumerate(norms[s_index]):
            if not norm or not source.review.trait_eligible(u_index):
                continue
            at = norm.find(wanted)
            if at >= 0:
                return s_index, u_index, raw_index[at], raw_index[at + len(wanted) - 1] + 1
    return None


def verify(
    answer: ModelAnswer,
    sources: Sequence[PreparedSource],
    bundle: RubricBundle,
    lang: Lang,
) -> tuple[list[Evidence], list[Flag]]:
    """Keep the model's items whose quotes exist, capped at the rules' levels.

    Args:
        answer: the model's items.
        sources: the prepared inputs the model saw.
        bundle: the rubric (indicator texts).
        lang: language of indicator texts.

    Returns:
        The verified evidence and the flags saying what was dropped or capped.
    """
    norms = [[_normalise(s.quote(i)) for i in range(len(s.units))] for s in sources]
    hits = [rule_hits(s) for s in sources]
    evidence: list[Evidence] = []
    dropped: list[str] = []
    capped = 0
    seen: set[tuple[int, int, Trait]] = set()
    counters: dict[str, int] = {}
    for item in answer.items:
        found = _locate(item.quote, sources, norms)
        if found is None:
            dropped.append(item.quote)
            continue
        s_index, u_index, raw_start, raw_end = found
        if (s_index, u_index, item.trait) in seen:
            continue
        seen.add((s_index, u_index, item.trait))
        source = sources[s_index]
        best, facts = hits[s_index]
        rule = best.get((u_index, item.trait))
        cap = rule[0] if rule is not None else None
        level = min(item.level, cap) if cap is not None else None
        if cap is None or item.level > cap:
            capped += 1
        u_start, _ = source.units[u_index]
        o_start, o_end = source.view.to_original(u_start + raw_start, u_start + raw_end)
        indicator_index = rule[1].indicators.get(level) if rule and level else None
        shown, ref = indicator_text(bundle, item.trait, level, indicator_index, lang)
        prefix = f"{source.kind.value}-{item.trait.value}"
        counters[prefix] = counters.get(prefix, 0) + 1
        evidence.append(Evidence(
            id=f"{prefix}-m{counters[prefix]}",
            trait=item.trait,
            quote=source.view.text[u_start + raw_start:u_start + raw_end],
            start=o_start,
            end=o_end,
            line=source.unit_lines[u_index],
            source=source.kind,
            indicator=shown,
            indicator_ref=ref,
            rule=rule[1].id if rule else "model:unsupported",
            level=level,
            strong=bool(rule and facts[u_index].strong),
            origin="model",
        ))
    flags: list[Flag] = []
    kind = sources[0].kind if sources else None
    if dropped and kind is not None:
        flags.append(Flag(kind=FlagKind.MODEL_QUOTE_DROPPED, severity="warning", source=kind,
                          count=len(dropped), excerpt=_excerpt(dropped[0]),
                          message=f"{len(dropped)} quote(s) from the model were not found in "
                          "the documents and were dropped"))
    if capped and kind is not None:
        flags.append(Flag(kind=FlagKind.MODEL_LEVEL_CAPPED, severity="info", source=kind,
                          count=capped,
                          message=f"{capped} level(s) proposed by the model were above what "
                          "the evidence rules support and were capped"))
    evidence.sort(key=lambda e: (e.source != sources[0].kind if sources else False, e.start,
                                 TRAITS.index(e.trait)))
    return evidence, flags


def extract_with_model(
    model: StructuredModel,
    sources: Sequence[PreparedSource],
    bundle: RubricBundle,
    lang: Lang,
) -> ModelExtraction:
    """Ask a model for evidence, verify it, and fall back offline if the model fails.

    Args:
        model: the structured-output model.
        sources: the prepared (hidden text removed, redacted) inputs.
        bundle: the rubric.
        lang: language of the prompt and of indicator texts.

    Returns:
        Verified evidence (competencies from the offline patterns) and flags.

    Raises:
        ConfigError: the prompt file is missing or invalid.
    """
    from kambot.llm.model_writer import ChatMessage
    from kambot.llm.prompts import load_prompt

    prompt = load_prompt(PROMPTS_DIR, PROMPT_NAME, lang)
    system, user = prompt.render(rubric=render_rubric(bundle, lang),
                                 documents=render_documents(sources))
    offline = extract(sources, bundle, lang)
    result = ModelExtraction(Extraction(competencies=offline.competencies), model=model.name,
                             prompt_ref=prompt.ref)
    try:
        answer = model.complete([ChatMessage("system", system), ChatMessage("user", user)],
                                ModelAnswer)
        if not isinstance(answer, ModelAnswer):
            raise ModelError("the model answered something that is not evidence",
                             reason="validation")
    except ModelError as exc:
        kind = sources[0].kind if sources else None
        result.extraction = offline
        result.fell_back = True
        if kind is not None:
            result.flags.append(Flag(kind=FlagKind.MODEL_FALLBACK, severity="info",
                                     source=kind, message=f"the model failed ({exc.message}); "
                                     "the offline rules were used"))
        return result
    evidence, flags = verify(answer, sources, bundle, lang)
    result.extraction.evidence = evidence
    result.flags.extend(flags)
    return result


def model_from_settings(settings: Settings) -> StructuredModel | None:
    """Return the configured structured-output model, or None when offline.

    Raises:
        ConfigError: ``openai`` without a model, or api.openai.com without a key.
    """
    if settings.llm_provider != "openai":
        return None
    from kambot.llm.openai_model import OpenAIChatModel

    if not settings.llm_model:
        raise ConfigError("KAMBOT_LLM_PROVIDER=openai needs KAMBOT_LLM_MODEL",
                          hint="set the model name")
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
    if not settings.llm_base_url and not key:
        raise ConfigError("api.openai.com needs an API key",
                          hint="set KAMBOT_LLM_API_KEY, or KAMBOT_LLM_BASE_URL for a local "
                               "server")
    return OpenAIChatModel(model=settings.llm_model, base_url=settings.llm_base_url,
                           api_key=key, timeout=settings.llm_timeout_s,
                           max_retries=settings.llm_max_retries)

