"""The interview with a model: generated follow-ups, extracted records, verified by code.

The model never decides the flow: rules decide *whether* to probe and *why*; the model
only words the follow-up, and a follow-up that is not one plain question (too long, no
question mark, markup, injection markers) is replaced by the guide's probe. At the end,
the model proposes the structured record; then code checks it:

1. **Quotes are verified.** A quote must appear in one of the executive's answers
   (never a question) after normalisation (case, accents, whitespace, quote marks) and
   be at least ``min_quote_chars`` long; a kept quote is re-cut from the answer, so it
   is verbatim. A position, a priority or a commitment left without a verified quote is
   dropped, and the rules' reading of that theme is kept instead.
2. **Labels are closed lists.** Stances, tags and causes outside the guide's lists go.
3. **Accounts are matched and checked.** A commitment's account is fuzzy-matched with
   the store's accounts and must be named in its own quote.
4. **Failure falls back.** Any model error gives the rules' record, flagged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from kambot.assistant.interview.extract import (
    AnswerItem,
    InterviewContext,
)
from kambot.assistant.interview.guide import Theme
from kambot.assistant.interview.models import (
    CausePriority,
    CommitmentStatus,
    InterviewRecord,
    Quote,
    SponsorshipCommitment,
    ThemePosition,
)
from kambot.core.interview_coverage import fold
from kambot.domain.documents import Lang
from kambot.domain.programme import StrategicCause
from kambot.errors import ConfigError, ModelError

if TYPE_CHECKING:
    from kambot.config import Settings
    from kambot.llm.model_writer import StructuredModel

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
PROBE_PROMPT = "interview_probe"
RECORD_PROMPT = "interview_record"
MAX_PROBE_CHARS = 300
MAX_SUMMARY_CHARS = 400
_MARKUP = re.compile(r"[<>{}\[\]`]|https?://", re.IGNORECASE)


class ProbeAnswer(BaseModel):
    """A follow-up question as the model words it."""

    model_config = ConfigDict(extra="forbid")
    question: str


class ModelPosition(BaseModel):
    """A position on one theme as the model answers it."""

    model_config = ConfigDict(extra="forbid")
    theme: str
    stance: str | None
    tags: list[str]
    summary: str
    quotes: list[str]


class ModelPriority(BaseModel):
    """A ranked strategic cause as the model answers it."""

    model_config = ConfigDict(extra="forbid")
    cause: StrategicCause
    quote: str


class ModelCommitment(BaseModel):
    """A sponsorship commitment as the model answers it."""

    model_config = ConfigDict(extra="forbid")
    account: str
    status: CommitmentStatus
    quote: str


class ModelRecord(BaseModel):
    """The structured record asked of the model."""

    model_config = ConfigDict(extra="forbid")
    positions: list[ModelPosition]
    priorities: list[ModelPriority]
    commitments: list[ModelCommitment]


# --- choosing the model -------------------------------------------------------------------


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


def resolve_model(settings: Settings, writer: Any = None) -> StructuredModel | None:
    """Return the model to use: one given (a model or a model writer), else the settings'.

    A writer without a model (the offline writer) means offline.
    """
    if writer is not None:
        if callable(getattr(writer, "complete", None)):
            model: StructuredModel = writer
            return model
        inner = getattr(writer, "model", None)
        if inner is not None and callable(getattr(inner, "complete", None)):
            found: StructuredModel = inner
            return found
        return None
    return model_from_settings(settings)


# --- follow-ups ------------------------------------------------------------------------------


def _untrusted_block(ident: str, text: str) -> str:
    from kambot.llm.model_writer import UNTRUSTED_TAG, sanitise_untrusted

    return f'<{UNTRUSTED_TAG} id="{ident}">\n{sanitise_untrusted(text)}\n</{UNTRUSTED_TAG}>'


def valid_probe(text: str) -> str | None:
    """Return a generated follow-up cleaned up, or None when it is not one plain question."""
    from kambot.retrieval.injection import scan_untrusted, strip_hidden

    cleaned = " ".join(strip_hidden(text).split())
    if not 8 <= len(cleaned) <= MAX_PROBE_CHARS or "?" not in cleaned:
        return None
    if cleaned.count("?") > 2 or _MARKUP.search(cleaned) or scan_untrusted(text):
        return None
    return cleaned


def generate_probe(
    model: StructuredModel,
    ctx: InterviewContext,
    theme: Theme,
    reason: str,
    question: str,
    answers: Sequence[str],
    lang: Lang,
) -> str | None:
    """Ask the model to word a follow-up; None when it fails or words it badly.

    Raises:
        ConfigError: the prompt file is missing or invalid.
    """
    from kambot.llm.model_writer import ChatMessage
    from kambot.llm.prompts import load_prompt

    prompt = load_prompt(PROMPTS_DIR, PROBE_PROMPT, lang)
    guidance = prompt.kinds.get(reason) or prompt.kinds.get("short", "")
    guidance = guidance.replace("{tags}", ", ".join(
        ctx.tag_label(theme, t.key, lang) for t in theme.tags) or "-")
    guidance = guidance.replace("{stances}", ", ".join(
        s.label.get(lang) for s in theme.stances) or "-")
    blocks = "\n".join(_untrusted_block(f"answer-{i}", a) for i, a in enumerate(answers, 1))
    system, user = prompt.render(theme=theme.title.get(lang), goal=theme.goal.get(lang),
                                 reason=guidance, question=question, answers=blocks or "-")
    try:
        answer = model.complete([ChatMessage("system", system), ChatMessage("user", user)],
                                ProbeAnswer)
    except ModelError:
        return None
    if not isinstance(answer, ProbeAnswer):
        return None
    return valid_probe(answer.question)


# --- the record ------------------------------------------------------------------------------

_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"',
                         "\u2018": "'", "\u2019": "'"})


def _normalise(text: str) -> tuple[str, list[int]]:
    """Return a normalised text and, for each of its characters, the raw index."""
    out: list[str] = []
    index: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            space = bool(out)
            continue
        if space:
            out.append(" ")
            index.append(i)
            space = False
        for piece in fold(ch.translate(_QUOTES)):
            out.append(piece)
            index.append(i)
    return "".join(out), index


class QuoteChecker:
    """Locate quotes in the executive's answers and re-cut them verbatim."""

    def __init__(self, items: Sequence[AnswerItem], min_chars: int) -> None:
        """Index the answers (never the questions)."""
        self.items = list(items)
        self.min_chars = min_chars
        self._norms = [_normalise(i.text) for i in self.items]

    def locate(self, quote: str) -> tuple[AnswerItem, str] | None:
        """Return the answer holding a quote and the quote as written there, or None."""
        wanted, _ = _normalise(quote)
        wanted = wanted.strip(" \"'.,;:-…")
        if len(wanted) < self.min_chars:
            return None
        for item, (norm, raw_index) in zip(self.items, self._norms, strict=True):
            at = norm.find(wanted)
            if at >= 0:
                start, end = raw_index[at], raw_index[at + len(wanted) - 1] + 1
                return item, item.text[start:end]
        return None

    def quote(self, text: str, interview_id: int) -> Quote | None:
        """Return a verified :class:`Quote`, or None when the text is not in the answers."""
        found = self.locate(text)
        if found is None:
            return None
        item, verbatim = found
        return Quote(interview_id=interview_id, theme=item.theme, text=verbatim,
                     position=item.position)


def render_themes(ctx: InterviewContext, lang: Lang) -> str:
    """Return the themes with their allowed stances and tags, one line each."""
    lines = []
    for t in ctx.guide.themes:
        if t.stance_from == "priorities":
            stances = [c.key for c in ctx.guide.causes]
        else:
            stances = [s.key for s in t.stances]
        tags = [x.key for x in t.tags]
        if t.tags_from == "causes":
            tags += [c.key for c in ctx.guide.causes if c.key not in tags]
        if t.tags_from == "segments":
            tags += [s.key for s in ctx.segments]
        lines.append(f"- {t.id} ({t.title.get(lang)}): {', '.join(stances) or '-'} | "
                     f"{', '.join(tags) or '-'}")
    return "\n".join(lines)


def render_transcript(ctx: InterviewContext, questions: Sequence[tuple[int, str, str]],
                      items: Sequence[AnswerItem]) -> str:
    """Return questions (trusted) and answers (delimited as untrusted) in order.

    Args:
        ctx: the guide.
        questions: ``(position, theme, text)`` of the interviewer's lines.
        items: the executive's answers.
    """
    lines: list[tuple[int, str]] = [(p, f"Q [{theme}]: {text}") for p, theme, text in questions]
    lines += [(i.position, _untrusted_block(f"answer-{i.position}", i.text)) for i in items]
    return "\n".join(text for _, text in sorted(lines))


def _allowed(ctx: InterviewContext, theme: Theme) -> tuple[set[str], set[str]]:
    causes = {c.key for c in ctx.guide.causes}
    stances = causes if theme.stance_from == "priorities" else {s.key for s in theme.stances}
    tags = {t.key for t in theme.tags}
    if theme.tags_from == "causes":
        tags |= causes
    if theme.tags_from == "segments":
        tags |= {s.key for s in ctx.segments}
    return stances, tags


def _clean_summary(text: str) -> str | None:
    from kambot.retrieval.injection import scan_untrusted, strip_hidden

    cleaned = " ".join(strip_hidden(text).split())
    if not cleaned or scan_untrusted(text) or _MARKUP.search(cleaned):
        return None
    return cleaned[:MAX_SUMMARY_CHARS]


def verify_record(
    answer: ModelRecord,
    offline: InterviewRecord,
    ctx: InterviewContext,
    items: Sequence[AnswerItem],
    model_name: str,
) -> InterviewRecord:
    """Merge a model's record into the rules' record, keeping only what checks out.

    Args:
        answer: what the model proposed.
        offline: the rules' record of the same interview (the fallback per theme).
        ctx: guide, accounts and programme.
        items: the executive's answers.
        model_name: stored as ``extracted_by``.

    Returns:
        The record; ``flags["model_quote_dropped"]`` counts the quotes not found and
        ``flags["model_item_dropped"]`` the positions, priorities and commitments
        dropped for lack of a verified quote or a matching account.
    """
    lang = offline.lang
    checker = QuoteChecker(items, ctx.guide.min_quote_chars)
    dropped_quotes = 0
    dropped_items = 0
    iid = offline.interview_id

    priorities: list[CausePriority] = []
    for mp in answer.priorities:
        q = checker.quote(mp.quote, iid)
        if q is None:
            dropped_quotes += 1
            dropped_items += 1
            continue
        if any(p.cause == mp.cause for p in priorities):
            continue
        prior = next((p for p in offline.priorities if p.cause == mp.cause), None)
        priorities.append(CausePriority(cause=mp.cause, rank=len(priorities) + 1,
                                        emphasised=prior.emphasised if prior else False,
                                        mentions=prior.mentions if prior else 1, quotes=[q]))
    if not priorities:
        priorities = list(offline.priorities)
    primary = priorities[0].cause.value if priorities else None

    by_theme = {p.theme: p for p in offline.positions}
    positions: list[ThemePosition] = []
    for theme in ctx.guide.themes:
        base = by_theme[theme.id]
        proposal = next((m for m in answer.positions if m.theme == theme.id), None)
        if proposal is None:
            positions.append(base)
            continue
        quotes = []
        for text in proposal.quotes:
            q = checker.quote(text, iid)
            if q is None:
                dropped_quotes += 1
            elif q not in quotes:
                quotes.append(q)
        if not quotes:
            dropped_items += 1
            positions.append(base)
            continue
        stances, allowed_tags = _allowed(ctx, theme)
        stance = primary if theme.stance_from == "priorities" else (
            proposal.stance if proposal.stance in stances else None)
        tags = [t for t in dict.fromkeys(proposal.tags) if t in allowed_tags]
        tags += [t for t in base.tags if t.startswith("acct:") and t not in tags]
        summary = _clean_summary(proposal.summary) or base.summary
        positions.append(ThemePosition(
            theme=theme.id, stance=stance, stance_label=ctx.stance_label(theme, stance, lang),
            tags=tags, tag_labels=[ctx.tag_label(theme, t, lang) for t in tags],
            summary=summary, quotes=quotes[:3], coverage=base.coverage, source="model"))

    commitments: list[SponsorshipCommitment] = []
    for mc in answer.commitments:
        q = checker.quote(mc.quote, iid)
        if q is None:
            dropped_quotes += 1
            dropped_items += 1
            continue
        match = ctx.matcher.match(mc.account)
        in_quote = ctx.matcher.find(q.text)
        if match is not None:
            if not any(m.external_id == match.external_id for m in in_quote):
                dropped_items += 1
                continue
            if any(c.account_external_id == match.external_id for c in commitments):
                continue
            commitments.append(SponsorshipCommitment(
                interview_id=iid, executive=offline.executive,
                executive_key=offline.executive_key, account_external_id=match.external_id,
                account_name=match.name, mentioned=mc.account.strip()[:200],
                match_score=round(match.score, 1), status=mc.status, quote=q))
        else:
            said = fold(" ".join(mc.account.split()))
            if len(said) < 3 or said not in fold(q.text):
                dropped_items += 1
                continue
            commitments.append(SponsorshipCommitment(
                interview_id=iid, executive=offline.executive,
                executive_key=offline.executive_key, mentioned=mc.account.strip()[:200],
                status=mc.status, quote=q))
    known = {c.account_external_id or f"?{fold(c.mentioned)}" for c in commitments}
    commitments += [c for c in offline.commitments
                    if (c.account_external_id or f"?{fold(c.mentioned)}") not in known]

    flags = dict(offline.flags)
    if dropped_quotes:
        flags["model_quote_dropped"] = dropped_quotes
    if dropped_items:
        flags["model_item_dropped"] = dropped_items
    return offline.model_copy(update={
        "positions": positions, "priorities": priorities, "commitments": commitments,
        "extracted_by": model_name, "flags": flags})


def extract_with_model(
    model: StructuredModel,
    ctx: InterviewContext,
    offline: InterviewRecord,
    items: Sequence[AnswerItem],
    questions: Sequence[tuple[int, str, str]],
) -> InterviewRecord:
    """Ask the model for the record, verify it, and fall back to the rules if it fails.

    Raises:
        ConfigError: the prompt file is missing or invalid.
    """
    from kambot.llm.model_writer import ChatMessage
    from kambot.llm.prompts import load_prompt

    lang = offline.lang
    prompt = load_prompt(PROMPTS_DIR, RECORD_PROMPT, lang)
    causes = "\n".join(f"- {c.key}: {c.label.get(lang)}" for c in ctx.guide.causes)
    system, user = prompt.render(themes=render_themes(ctx, lang), causes=causes,
                                 transcript=render_transcript(ctx, questions, items))
    try:
        answer = model.complete([ChatMessage("system", system), ChatMessage("user", user)],
                                ModelRecord)
        if not isinstance(answer, ModelRecord):
            raise ModelError("the model answered something that is not a record",
                             reason="validation")
    except ModelError:
        flags = dict(offline.flags)
        flags["model_fallback"] = 1
        return offline.model_copy(update={"flags": flags})
    return verify_record(answer, offline, ctx, items, getattr(model, "name", "model"))
