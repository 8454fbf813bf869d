"""The assistant's abilities as tools over the use cases, run with the user's permissions.

Every tool takes a :class:`ToolContext` (who asks, in which language, in which
conversation) and validated arguments, and returns a :class:`ToolResult`: the answer's
text (templates, figures from the deterministic core), its citations, and any change
to the conversation (account or document in focus, a stored change awaiting
confirmation, the interview mode). The rule-based router and the model's tool calls
reach exactly the tools of :data:`TOOLS`, through :func:`run_tool`, which applies the
same checks whoever chose the tool.

Permissions: accounts are found only among those the principal sees (an account
outside the scope answers exactly like an unknown one); portfolio-wide analyses need
:attr:`Principal.can_see_portfolio`; documents are changed only by who may change the
account's (or the programme's) plans, and only after the user confirms; candidate
assessments are for HR.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kambot.assistant.chat.models import Citation, Lang, PendingAction
from kambot.assistant.chat.scope import (
    AccountDirectory,
    AccountEntry,
    can_interview,
    can_read_document,
    can_write_document,
)
from kambot.assistant.chat.texts import KIND_NAMES, QUADRANT_NAMES, SCENARIO_NAMES, join, pick, t
from kambot.config import Settings
from kambot.domain.documents import (
    ACCOUNT_KINDS,
    Document,
    DocumentKind,
    Fact,
    outline,
)
from kambot.domain.identity import Principal, Role
from kambot.errors import DataError, KambotError, NotFoundError, PermissionDeniedError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.assistant.drafting.inputs import DraftingContext
    from kambot.assistant.portfolio import PortfolioService
    from kambot.core.analyse import PortfolioAnalysis
    from kambot.llm.base import Writer
    from kambot.retrieval.index import SearchIndex

SNIPPET_CHARS = 240
KEEP: Any = object()  # "leave unchanged" for ToolResult.mode / interview_id


@dataclass
class ToolContext:
    """Everything a tool may use: who asks, where, in which language.

    Attributes:
        settings: the settings.
        engine: the database.
        service: the portfolio service (analysis cache).
        principal: who asks; every tool checks it.
        lang: the language of this answer.
        context: the conversation's memory (account, document in focus).
        pending: the change awaiting confirmation in this conversation, if any.
        confirmed: the user confirmed in advance (``confirm=True``): apply changes now.
        writer: the document writer (None: from the settings).
        index: returns the search index (opened once and shared).
        interview_id: the interview conducted in this conversation, if any.
        interviews: returns the interview service (shared).
    """

    settings: Settings
    engine: Engine
    service: PortfolioService
    principal: Principal
    lang: Lang
    context: dict[str, Any] = field(default_factory=dict)
    pending: PendingAction | None = None
    confirmed: bool = False
    writer: Writer | None = None
    index: Callable[[], SearchIndex] | None = None
    interview_id: int | None = None
    interviews: Callable[[], Any] | None = None
    _directory: AccountDirectory | None = None
    _analysis: PortfolioAnalysis | None = None

    def analysis(self) -> PortfolioAnalysis:
        """Return the portfolio analysis (read once per turn; cached by the service)."""
        if self._analysis is None:
            self._analysis = self.service.analysis()
        return self._analysis

    def directory(self) -> AccountDirectory:
        """Return the accounts the principal may see."""
        if self._directory is None:
            self._directory = directory_for(self.principal, self.analysis())
        return self._directory

    def drafting(self) -> DraftingContext:
        """Return the drafting context of the current data version (shared, cached)."""
        from kambot.assistant.drafting import drafting_context

        return drafting_context(self.settings, self.service)


@dataclass
class ToolResult:
    """What a tool answers and how the conversation changes.

    Attributes:
        text: the answer.
        citations: the sources it rests on.
        tool: the tool that answered (``clarify`` for a clarifying question).
        pending: a stored change prepared and awaiting confirmation.
        clear_pending: drop the change that was awaiting confirmation.
        context: keys to set in the conversation's memory (None removes a key).
        mode: the conversation's new mode (KEEP: unchanged).
        interview_id: the interview now conducted (KEEP: unchanged).
        session_lang: the conversation's new language (set_language).
        lock_lang: keep that language whatever later messages are written in.
    """

    text: str
    citations: list[Citation] = field(default_factory=list)
    tool: str = ""
    pending: PendingAction | None = None
    clear_pending: bool = False
    context: dict[str, Any] = field(default_factory=dict)
    mode: Any = KEEP
    interview_id: Any = KEEP
    session_lang: Lang | None = None
    lock_lang: bool = False


class Refusal(Exception):  # noqa: N818 - a reply, not an error
    """Raised inside a tool to answer with ``result`` instead (refusal, clarification)."""

    def __init__(self, result: ToolResult) -> None:
        """Carry the reply."""
        super().__init__(result.text)
        self.result = result


# Per analysis (kept in the entry, so that its id cannot be reused while cached): the
# accounts with their name tokens worked out once, and each scope's directory.
_ENTRIES: OrderedDict[int, tuple[object, list[AccountEntry]]] = OrderedDict()
_DIRECTORIES: OrderedDict[tuple[int, Role, frozenset[int]], tuple[object, AccountDirectory]] = (
    OrderedDict())
_CACHE_LOCK = threading.Lock()
_MAX_ANALYSES = 4
_MAX_DIRECTORIES = 256


def directory_for(principal: Principal, analysis: PortfolioAnalysis) -> AccountDirectory:
    """Return the directory of the accounts ``principal`` sees in ``analysis`` (cached)."""
    key = (id(analysis), principal.role, principal.account_ids)
    with _CACHE_LOCK:
        found = _DIRECTORIES.get(key)
        if found is not None and found[0] is analysis:
            _DIRECTORIES.move_to_end(key)
            return found[1]
        cached = _ENTRIES.get(id(analysis))
        entries = cached[1] if cached is not None and cached[0] is analysis else None
    if entries is None:
        accounts = analysis.portfolio.accounts
        entries = [AccountEntry(int(i), str(x), str(n)) for i, x, n in
                   zip(accounts.ids, accounts.external_ids, accounts.names, strict=True)]
        for entry in entries:
            _ = entry.brand, entry.qualifiers, entry.folded_external_id  # work them out once
    directory = AccountDirectory.of(principal, entries)
    with _CACHE_LOCK:
        _ENTRIES[id(analysis)] = (analysis, entries)
        while len(_ENTRIES) > _MAX_ANALYSES:
            _ENTRIES.popitem(last=False)
        _DIRECTORIES[key] = (analysis, directory)
        while len(_DIRECTORIES) > _MAX_DIRECTORIES:
            _DIRECTORIES.popitem(last=False)
    return directory


# --- arguments (the JSON schemas the model sees) ----------------------------------------


class _Args(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoArgs(_Args):
    """No argument."""


class AskArgs(_Args):
    """A methodology question."""

    question: str = Field(min_length=1, max_length=2000,
                          description="the question, in the user's words")
    account: str | None = Field(default=None, description="an account whose notes to search "
                                "too (name or external id); omit for the methodology only")


class AccountArgs(_Args):
    """An account, or the whole programme."""

    account: str | None = Field(default=None, description="account name or external id; "
                                "omit for the whole programme")


class DraftArgs(_Args):
    """A document to draft."""

    kind: DocumentKind = Field(description="account_strategy, executive_summary, ceb "
                               "(Customer Executive Brief), sponsorship_plan or "
                               "programme_review")
    account: str | None = Field(default=None, description="account name or external id "
                                "(account documents only)")


class DocumentArgs(_Args):
    """A stored document; the one the conversation works on when omitted."""

    kind: DocumentKind | None = None
    account: str | None = None


class ReviseArgs(_Args):
    """A revision of one section of the document in focus."""

    section: str = Field(description="the section key (e.g. initiatives, "
                         "executive_actions) or its title")
    instruction: str = Field(min_length=1, max_length=2000,
                             description="what to change, in the user's words")


class CompareArgs(_Args):
    """Two versions to compare (the last two by default)."""

    from_version: int | None = Field(default=None, ge=1)
    to_version: int | None = Field(default=None, ge=1)
    kind: DocumentKind | None = None
    account: str | None = None


class LanguageArgs(_Args):
    """The conversation's language."""

    lang: Literal["fr", "en"]


class InterviewStartArgs(_Args):
    """Who is interviewed."""

    executive: str | None = Field(default=None, description="the executive's name; omit "
                                  "when executives interview themselves")


class InterviewResumeArgs(_Args):
    """Which interview to resume (the last paused one by default)."""

    interview_id: int | None = None


class TextArgs(_Args):
    """A text given by the user."""

    text: str = Field(min_length=1, max_length=4000)


class CandidateArgs(_Args):
    """A candidate reference."""

    candidate: str = Field(min_length=1, max_length=200)


# --- helpers ------------------------------------------------------------------------------


def _snippet(text: str, limit: int = SNIPPET_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rsplit(" ", 1)[0] + "…"


def _reply(key: str, ctx: ToolContext, tool: str = "clarify", **values: Any) -> Refusal:
    return Refusal(ToolResult(text=t(key, ctx.lang, **values), tool=tool))


def resolve_account(ctx: ToolContext, ref: str | None) -> AccountEntry:
    """Return the visible account named ``ref``, or raise a reply saying what is wrong.

    Raises:
        Refusal: no account named (asks which), several match (lists them), or none
            matches in the principal's scope (same answer as an unknown account).
    """
    if ctx.principal.role == Role.HR:
        raise _reply("deny_accounts", ctx, "denied")
    if not ref or not ref.strip():
        remembered = ctx.context.get("account")
        entry = ctx.directory().get(remembered) if remembered else None
        if entry is None:
            raise _reply("clarify_account", ctx)
        return entry
    try:
        return ctx.directory().resolve(ref)
    except NotFoundError as exc:
        raise Refusal(unknown_account_reply(ctx, ref, exc)) from exc


def unknown_account_reply(ctx: ToolContext, ref: str, exc: NotFoundError | None = None
                          ) -> ToolResult:
    """Return the answer to an account reference that matched nothing or several."""
    hint = exc.hint if exc is not None else None
    if exc is not None and exc.message.startswith("several"):
        options = (hint or "").split(": ", 1)[-1]
        return ToolResult(text=t("clarify_ambiguous_account", ctx.lang, ref=ref,
                                 options=options), tool="clarify")
    text = t("clarify_unknown_account", ctx.lang, ref=ref)
    suggestions = ctx.directory().suggest(ref)
    if suggestions:
        text += " " + t("did_you_mean", ctx.lang, options="; ".join(suggestions))
    return ToolResult(text=text, tool="clarify")


def _require_portfolio(ctx: ToolContext) -> None:
    if not ctx.principal.can_see_portfolio:
        raise _reply("deny_accounts" if ctx.principal.role == Role.HR else "deny_portfolio",
                     ctx, "denied")


def fact_citation(fact: Fact, lang: Lang) -> Citation:
    """Return the citation of a data fact (labelled in ``lang`` when the fact says how)."""
    label = fact.label
    if lang == "fr":
        # A value fact reads "<label> : <value>." in French: its label is before the colon.
        head, sep, _ = fact.text_fr.partition(" :")
        if sep and len(head) <= 80:
            label = head
    return Citation(id=fact.id, kind="fact", label=label, snippet=fact.text(lang))


def _facts(ctx: ToolContext, kind: DocumentKind, account: str | None) -> dict[str, Fact]:
    inputs = ctx.drafting().inputs(kind, ctx.lang, account)
    return {f.id: f for f in inputs.facts}


@lru_cache(maxsize=64)
def _method_citations_of(knowledge_dir: str, stamp: float, lang: Lang,
                         refs: tuple[str, ...]) -> tuple[Citation, ...]:
    from kambot.assistant.facts import methodology_passages

    passages = methodology_passages(Path(knowledge_dir), lang, refs)
    return tuple(Citation(id=p.id, kind="methodology", label=p.title, snippet=_snippet(p.text))
                 for p in passages)


def _method_citations(ctx: ToolContext, refs: tuple[str, ...]) -> list[Citation]:
    from kambot.assistant.chat.sources import corpus_stamp

    knowledge = ctx.settings.knowledge_dir
    return list(_method_citations_of(str(knowledge), corpus_stamp(knowledge), ctx.lang, refs))


def _lines_from_facts(facts: dict[str, Fact], ids: list[str], lang: Lang
                      ) -> tuple[list[str], list[Citation]]:
    lines: list[str] = []
    cites: list[Citation] = []
    for fid in ids:
        fact = facts.get(fid)
        if fact is None:
            continue
        cites.append(fact_citation(fact, lang))
        lines.append(f"- {fact.text(lang)} [{len(cites)}]")
    return lines, cites


def _money(value: float, ctx: ToolContext) -> str:
    from kambot.llm.formatting import fmt_money

    return fmt_money(value, ctx.lang, ctx.analysis().programme.currency)


def _date(value: date, lang: Lang) -> str:
    from kambot.llm.formatting import fmt_date

    return fmt_date(value, lang)


# --- help ---------------------------------------------------------------------------------


def help_text(principal: Principal, lang: Lang, example: str | None) -> str:
    """Return what the assistant can do for this principal, with examples."""
    account = example or "Acme"
    items = [t("cap_method", lang)]
    if principal.role != Role.HR:
        items.append(t("cap_account", lang, account=account))
    if principal.can_see_portfolio:
        items.append(t("cap_portfolio", lang))
    if principal.role in (Role.KAM, Role.LEAD, Role.ADMIN):
        items.append(t("cap_draft", lang, account=account))
    if principal.can_see_portfolio:
        items.append(t("cap_coaching", lang))
    if can_interview(principal):
        items.append(t("cap_interview", lang))
    items.append(t("cap_feedback", lang))
    if principal.can_assess_people:
        items.append(t("cap_candidate", lang))
    return "\n".join([t("help_intro", lang), *[f"- {i}" for i in items],
                      t("cap_language", lang)])


def _example_account(ctx: ToolContext) -> str | None:
    if ctx.principal.role == Role.HR:
        return None
    try:
        entries = ctx.directory().entries
    except DataError:
        return None
    if not entries:
        return None
    remembered = ctx.context.get("account")
    chosen = ctx.directory().get(remembered) if remembered else None
    return (chosen or entries[0]).brand.title()


def tool_help(ctx: ToolContext, args: NoArgs) -> ToolResult:
    """List what the assistant can do for this user."""
    return ToolResult(text=help_text(ctx.principal, ctx.lang, _example_account(ctx)),
                      tool="help")


def clarify_result(ctx: ToolContext, reason: str, options: tuple[str, ...] = (),
                   ref: str | None = None) -> ToolResult:
    """Return the answer to a router's ``clarify`` decision.

    A role that sees no account at all is told so rather than asked which account.
    """
    if ctx.principal.role == Role.HR and reason in ("account", "unknown_account",
                                                    "ambiguous_account"):
        return ToolResult(text=t("deny_accounts", ctx.lang), tool="denied")
    return ToolResult(text=clarify_text(ctx, reason, options, ref), tool="clarify")


def clarify_text(ctx: ToolContext, reason: str, options: tuple[str, ...] = (),
                 ref: str | None = None) -> str:
    """Return the clarifying question for a router's ``clarify`` decision."""
    lang = ctx.lang
    if reason == "ambiguous_account":
        if ref:
            return t("clarify_ambiguous_account", lang, ref=ref, options="; ".join(options))
        return t("clarify_several_accounts", lang, options="; ".join(options))
    if reason == "unknown_account" and ref:
        return unknown_account_reply(ctx, ref).text
    if reason == "account":
        return t("clarify_account", lang)
    if reason == "document":
        return t("clarify_document", lang, account=_example_account(ctx) or "…")
    if reason == "document_kind":
        return t("clarify_document_kind", lang)
    if reason == "section":
        return t("clarify_section", lang, options=", ".join(options))
    if reason == "candidate":
        return t("clarify_candidate", lang)
    if reason == "interview":
        return t("clarify_interview", lang)
    return t("clarify_unknown", lang)


# --- methodology ----------------------------------------------------------------------------


_CHUNK_MARK = re.compile(r"\[([^\[\]\s]+#[^\[\]\s]+)\]")


def tool_ask(ctx: ToolContext, args: AskArgs) -> ToolResult:
    """Answer a methodology question from the indexed corpus, citing each sentence."""
    from kambot.retrieval.answer import answer_question
    from kambot.retrieval.models import Scope

    roles = frozenset({ctx.principal.role.value})
    scope = Scope(account_ids=frozenset(), roles=roles)
    context: dict[str, Any] = {}
    if args.account:
        entry = resolve_account(ctx, args.account)
        scope = Scope(account_ids=frozenset({entry.id}), roles=roles)
        context["account"] = entry.external_id
    if ctx.index is None:
        raise DataError("no search index is available to this conversation",
                        hint="run `kambot reindex`")
    answer = answer_question(ctx.index(), args.question, ctx.lang, scope=scope)
    cites: list[Citation] = []
    numbers: dict[str, int] = {}
    flagged: list[str] = []
    index = ctx.index()
    for c in answer.citations:
        chunk = index.get_chunk(c.chunk_id)
        untrusted = chunk is not None and chunk.kind != "methodology"
        if chunk is not None and chunk.flagged:
            flagged.extend(chunk.flags)
        label = f"{c.title} — {c.section}" if c.section else c.title
        cites.append(Citation(id=c.chunk_id, kind="note" if untrusted else "methodology",
                              label=label, snippet=_snippet(c.text)))
        numbers[c.chunk_id] = len(cites)
    text = _CHUNK_MARK.sub(lambda m: f"[{numbers[m.group(1)]}]" if m.group(1) in numbers
                           else m.group(0), answer.answer)
    if any(c.kind == "note" for c in cites):
        text += "\n\n" + t("untrusted_note", ctx.lang)
    if flagged:
        text += "\n" + t("flagged_note", ctx.lang, flags=", ".join(dict.fromkeys(flagged)))
    return ToolResult(text=text, citations=cites, tool="ask_methodology", context=context)


# --- figures ---------------------------------------------------------------------------------

ACCOUNT_FACTS = ("tier", "quadrant", "segment", "kpi:revenue_ttm", "kpi:revenue_growth",
                 "kpi:share_of_wallet", "kpi:margin_pct", "kpi:open_pipeline",
                 "kpi:weighted_pipeline", "kpi:win_rate", "kpi:satisfaction",
                 "kpi:days_since_executive_contact", "kpi:open_escalations",
                 "kpi:overdue_escalations", "kam", "sponsor")
PROGRAMME_FACTS = ("prog:kpi:key_accounts", "prog:kpi:key_revenue_share",
                   "prog:kpi:key_growth", "prog:kpi:rest_growth", "prog:kpi:growth_gap",
                   "prog:kpi:share_validated_plan", "prog:kpi:share_with_sponsor",
                   "prog:kpi:share_full_coverage", "prog:kpi:ramp_up_median_days",
                   "prog:kpi:kam_mean_load", "prog:kpi:unassigned_key_accounts",
                   "prog:maturity:phase")


def tool_kpis(ctx: ToolContext, args: AccountArgs) -> ToolResult:
    """Show an account's key figures, or the programme's when no account is named."""
    analysis = ctx.analysis()
    as_of = _date(analysis.portfolio.as_of, ctx.lang)
    if not args.account:
        _require_portfolio(ctx)
        facts = _facts(ctx, "programme_review", None)
        ids = [f for f in PROGRAMME_FACTS if f in facts]
        lines, cites = _lines_from_facts(facts, ids, ctx.lang)
        cites += _method_citations(ctx, ("kpis-per-block:2",))
        text = "\n".join([t("programme_kpis_title", ctx.lang, date=as_of), *lines])
        return ToolResult(text=text, citations=cites, tool="kpis")
    entry = resolve_account(ctx, args.account)
    facts = _facts(ctx, "executive_summary", entry.external_id)
    lines, cites = _lines_from_facts(
        facts, [f"acct:{entry.external_id}/{k}" for k in ACCOUNT_FACTS], ctx.lang)
    cites += _method_citations(ctx, ("tools-data-kpis:4",))
    text = "\n".join([t("kpis_title", ctx.lang, account=entry.name, ext=entry.external_id,
                        date=as_of), *lines])
    return ToolResult(text=text, citations=cites, tool="kpis",
                      context={"account": entry.external_id})


def tool_scenarios(ctx: ToolContext, args: AccountArgs) -> ToolResult:
    """Show the base, upside and downside over three years (account or programme)."""
    analysis = ctx.analysis()
    if not args.account:
        _require_portfolio(ctx)
        scen = analysis.programme_scenarios()
        prefix = "prog:scenario"
        title = t("programme_scenarios_title", ctx.lang, accounts=scen.accounts,
                  ttm=_money(scen.revenue_ttm, ctx))
        facts = _facts(ctx, "programme_review", None)
        context: dict[str, Any] = {}
    else:
        entry = resolve_account(ctx, args.account)
        scen = analysis.account_scenarios(entry.external_id)
        prefix = f"acct:{entry.external_id}/scenario"
        title = t("scenarios_title", ctx.lang, account=entry.name, ext=entry.external_id,
                  ttm=_money(scen.revenue_ttm, ctx))
        facts = _facts(ctx, "executive_summary", entry.external_id)
        context = {"account": entry.external_id}
    lines: list[str] = []
    cites: list[Citation] = []
    for s in scen.scenarios:
        fact = facts.get(f"{prefix}:{s.name}:total")
        marker = ""
        if fact is not None:
            cites.append(fact_citation(fact, ctx.lang))
            marker = f" [{len(cites)}]"
        years = ", ".join(f"{_money(v, ctx)}" for v in s.years)
        lines.append("- " + t("scenario_line", ctx.lang, name=pick(SCENARIO_NAMES[s.name],
                                                                   ctx.lang),
                              years=years, total=_money(s.total, ctx)) + marker)
    risks = facts.get(f"{prefix}:risks")
    if risks is not None:
        cites.append(fact_citation(risks, ctx.lang))
        lines.append(f"- {risks.text(ctx.lang)} [{len(cites)}]")
    cites += _method_citations(ctx, ("tools-data-kpis:5",))
    return ToolResult(text="\n".join([title, *lines]), citations=cites, tool="scenarios",
                      context=context)


def tool_segmentation(ctx: ToolContext, args: NoArgs) -> ToolResult:
    """Show the strategic segments by rank and the accounts per quadrant."""
    from kambot.llm.formatting import fmt_number, fmt_ratio

    _require_portfolio(ctx)
    analysis = ctx.analysis()
    lang = ctx.lang
    lines = [t("segments_title", lang)]
    for s in analysis.segments.rankings:
        lines.append("- " + t(
            "segment_line", lang, rank=s.rank, name=s.name,
            strategic=t("strategic_mark", lang) if s.strategic else "", accounts=s.accounts,
            potential=_money(s.aggregate_potential, ctx),
            share=fmt_ratio(s.potential_share, lang),
            fit=fmt_number(s.value_proposition_fit, lang, 1)))
    counts = analysis.matrix.quadrant_counts()
    parts = [f"{pick(QUADRANT_NAMES.get(q, (q, q)), lang)} {n}" for q, n in counts.items()]
    lines.append(t("quadrants", lang, counts=", ".join(parts)))
    cites = _method_citations(ctx, ("segmentation:3", "portfolio-matrix:5"))
    return ToolResult(text="\n".join(lines), citations=cites, tool="segmentation")


def tool_selection(ctx: ToolContext, args: NoArgs) -> ToolResult:
    """Show the key accounts selected under capacity, and the runners-up."""
    from kambot.llm.formatting import fmt_score

    _require_portfolio(ctx)
    result = ctx.analysis().selection_result
    lang = ctx.lang
    # The capacity's reason is written by the core in English only.
    reason = result.capacity_reason if lang == "en" else pick(("", "règle du programme"), lang)
    lines = [t("selection_title", lang, n=len(result.selected), capacity=result.capacity,
               reason=reason)]
    for s in result.selected:
        made_by = ", ".join(c.label for c in s.top_criteria)
        quadrant = pick(QUADRANT_NAMES.get(s.quadrant.value, (s.quadrant.value,) * 2), lang)
        lines.append("- " + t("selection_line", lang, rank=s.rank, name=s.name,
                              ext=s.external_id, score=fmt_score(s.score, lang),
                              rationale=f"{quadrant}; {made_by}"))
    if result.runners_up:
        lines.append(t("runners_up", lang, names=join(
            [f"{r.name} ({r.external_id})" for r in result.runners_up[:5]], lang)))
    cites = _method_citations(ctx, ("segmentation:4",))
    return ToolResult(text="\n".join(lines), citations=cites, tool="selection")


def _person(ctx: ToolContext, key: str | None) -> str:
    if key is None:
        return t("sponsor_none", ctx.lang)
    people = {p.key: p.name for p in ctx.analysis().programme.people}
    return people.get(key, key)


def tool_sponsorship(ctx: ToolContext, args: AccountArgs) -> ToolResult:
    """Show the proposed sponsor of each key account (or of one account) and the loads."""
    lang = ctx.lang
    if args.account:
        entry = resolve_account(ctx, args.account)
        plan = ctx.drafting().sponsorship_plan()
        assignment = plan.assignment(entry.external_id)
        context = {"account": entry.external_id}
        if assignment is None:
            return ToolResult(text=t("not_key_account", lang, account=entry.name),
                              tool="sponsorship_plan", context=context)
        facts = _facts(ctx, "executive_summary", entry.external_id)
        lines, cites = _lines_from_facts(facts, [f"acct:{entry.external_id}/sponsorship",
                                                 f"acct:{entry.external_id}/sponsorship:cadence"],
                                         lang)
        text = "\n".join([t("sponsorship_account", lang, account=entry.name,
                            sponsor=_person(ctx, assignment.sponsor),
                            meetings=assignment.meetings_per_year), *lines])
        return ToolResult(text=text, citations=cites, tool="sponsorship_plan", context=context)
    _require_portfolio(ctx)
    plan = ctx.drafting().sponsorship_plan()
    lines = [t("sponsorship_title", lang, n=len(plan.assignments))]
    for a in plan.assignments:
        change = (t("sponsor_changed", lang, previous=_person(ctx, a.previous_sponsor))
                  if a.changed and a.previous_sponsor else "")
        lines.append("- " + t("sponsorship_line", lang, account=f"{a.name} ({a.external_id})",
                              sponsor=_person(ctx, a.sponsor), meetings=a.meetings_per_year,
                              change=change))
    lines.append(t("loads_title", lang))
    for lo in plan.loads:
        lines.append("- " + t("load_line", lang, name=lo.name, load=lo.load,
                              capacity=lo.capacity))
    if plan.unassigned:
        lines.append(t("unassigned", lang, names=join(plan.unassigned, lang)))
    cites = _method_citations(ctx, ("executive-sponsorship:3", "executive-sponsorship:4"))
    return ToolResult(text="\n".join(lines), citations=cites, tool="sponsorship_plan")


# --- documents -------------------------------------------------------------------------------


def _account_id_of(ctx: ToolContext, external_id: str | None) -> int | None:
    """Return the database id of a document's account (-1 for an account that is gone)."""
    if external_id is None:
        return None
    accounts = ctx.analysis().portfolio.accounts
    for i, x in zip(accounts.ids, accounts.external_ids, strict=True):
        if x == external_id:
            return int(i)
    return -1


def check_readable(ctx: ToolContext, doc: Document, what: str) -> None:
    """Refuse a document the principal may not read, as if it did not exist."""
    if ctx.principal.role == Role.HR:
        raise _reply("deny_documents", ctx, "denied")
    if not can_read_document(ctx.principal, _account_id_of(ctx, doc.account_external_id)):
        raise NotFoundError(f"no stored document {what}",
                            hint="list the stored documents, or draft it first")


def check_writable(ctx: ToolContext, kind: DocumentKind, account_external_id: str | None
                   ) -> None:
    """Refuse a change to a document the principal may not change."""
    account_id = _account_id_of(ctx, account_external_id)
    if not can_write_document(ctx.principal, kind, account_id):
        raise _reply("deny_write" if kind in ACCOUNT_KINDS else "deny_programme_doc",
                     ctx, "denied")


def _document_account(ctx: ToolContext, kind: DocumentKind, account: str | None
                      ) -> AccountEntry | None:
    if kind not in ACCOUNT_KINDS:
        return None
    return resolve_account(ctx, account)


def render_document(doc: Document, lang: Lang, *, sections: list[str] | None = None
                    ) -> tuple[str, list[Citation]]:
    """Return a document as chat text (statements numbered by source) and its citations."""
    by_id = {s.id: s for s in doc.sources}
    cites: list[Citation] = []
    numbers: dict[str, int] = {}
    lines = [f"# {doc.title}"]
    for section in doc.sections:
        if sections is not None and section.key not in sections:
            continue
        lines.append(f"\n## {section.title}")
        for st in section.statements:
            marks = []
            for cid in st.citations:
                if cid not in numbers:
                    source = by_id.get(cid)
                    kind: Literal["fact", "methodology", "note"] = "fact"
                    label, snippet = cid, ""
                    if source is not None:
                        label, snippet = source.label, _snippet(source.detail)
                        if source.kind == "passage":
                            kind = "note" if source.untrusted else "methodology"
                    cites.append(Citation(id=cid, kind=kind, label=label, snippet=snippet))
                    numbers[cid] = len(cites)
                marks.append(f"[{numbers[cid]}]")
            lines.append(f"- {st.text} {''.join(marks)}".rstrip())
    return "\n".join(lines), cites


def _pending_document(ctx: ToolContext) -> Document | None:
    if ctx.pending is not None and ctx.pending.action == "save_document":
        return Document.model_validate(ctx.pending.payload["document"])
    return None


def current_document(ctx: ToolContext, kind: DocumentKind | None = None,
                     account: str | None = None) -> Document:
    """Return the document a request is about: named, unsaved in focus, or stored in focus.

    Raises:
        Refusal: no document is named nor in focus (asks which).
        NotFoundError: the named document was never stored (or is out of scope).
    """
    from kambot.assistant.drafting.storage import list_documents, load_document

    if kind is not None:
        entry = _document_account(ctx, kind, account)
        ext = entry.external_id if entry else None
        unsaved = _pending_document(ctx)
        if unsaved is not None and unsaved.kind == kind and unsaved.account_external_id == ext:
            return unsaved
        found = list_documents(ctx.engine, kind=kind, account=ext)
        if ext is None:
            found = [d for d in found if d.account_external_id is None]
        if not found:
            subject = entry.name if entry else pick(("the programme", "le programme"),
                                                     ctx.lang)
            raise Refusal(ToolResult(text=t("no_document", ctx.lang,
                                            kind=pick(KIND_NAMES[kind], ctx.lang),
                                            subject=subject), tool="clarify",
                                     context={"account": ext} if ext else {}))
        chosen = next((d for d in found if d.language == ctx.lang), found[0])
        doc = load_document(ctx.engine, chosen.key)
        check_readable(ctx, doc, chosen.key)
        return doc
    unsaved = _pending_document(ctx)
    if unsaved is not None:
        return unsaved
    key = ctx.context.get("document_key")
    if not key:
        raise _reply("clarify_document", ctx, account=_example_account(ctx) or "…")
    doc = load_document(ctx.engine, str(key))
    check_readable(ctx, doc, str(key))
    return doc


def _latest_version(ctx: ToolContext, key: str) -> int | None:
    from kambot.assistant.drafting.storage import list_versions

    versions = list_versions(ctx.engine, key)
    return versions[-1].version if versions else None


def save_pending(ctx: ToolContext, pending: PendingAction) -> ToolResult:
    """Store the document a pending action holds (after the user confirmed)."""
    from kambot.assistant.drafting.storage import list_versions, save_document

    doc = Document.model_validate(pending.payload["document"])
    check_writable(ctx, doc.kind, doc.account_external_id)
    versions = list_versions(ctx.engine, doc.key)
    parent = versions[-1].version if versions else None
    stored = save_document(ctx.engine, doc.model_copy(update={"parent_version": parent}))
    row_id = next(v.id for v in list_versions(ctx.engine, stored.key)
                  if v.version == stored.version)
    text = t("saved", ctx.lang, title=stored.title, version=stored.version, id=row_id)
    cite = Citation(id=f"doc:{row_id}", kind="document", label=stored.title,
                    snippet=_snippet(" ".join(st.text for st in stored.statements()[:3])))
    return ToolResult(text=text, citations=[cite], tool="save_document", clear_pending=True,
                      context={"document_key": stored.key, "document_id": row_id,
                               "account": stored.account_external_id
                               or ctx.context.get("account")})


def _propose(ctx: ToolContext, doc: Document, tool: str, intro: list[str],
             body: str, cites: list[Citation]) -> ToolResult:
    """Ask to save ``doc`` (or save it now when the user confirmed in advance)."""
    next_version = (_latest_version(ctx, doc.key) or 0) + 1
    pending = PendingAction(
        action="save_document", tool=tool,
        summary=t("summary_save", ctx.lang, title=doc.title, version=next_version),
        payload={"document": doc.model_dump(mode="json")})
    context = {"account": doc.account_external_id} if doc.account_external_id else {}
    if ctx.confirmed:
        saved = save_pending(ctx, pending)
        return ToolResult(text="\n".join([*intro, "", body, "", saved.text]),
                          citations=[*cites, *saved.citations], tool=tool, clear_pending=True,
                          context={**context, **saved.context})
    question = t("confirm_save_new", ctx.lang, version=next_version) + " " + t(
        "confirm_hint", ctx.lang)
    replaced = [t("pending_replaced", ctx.lang)] if (
        ctx.pending is not None and _pending_document(ctx) is not None
        and _pending_document(ctx) != doc and tool == "draft_document") else []
    return ToolResult(text="\n".join([*intro, *replaced, "", body, "", question]),
                      citations=cites, tool=tool, pending=pending, context=context)


def _writer_note(doc: Document, lang: Lang) -> list[str]:
    if doc.fallback_used:
        return [t("fallback", lang, reason=doc.fallback_reason or "?")]
    return []


def tool_draft(ctx: ToolContext, args: DraftArgs) -> ToolResult:
    """Draft a document (grounding guard on) and ask before storing it as a new version."""
    from kambot.assistant.drafting import draft_document

    if ctx.principal.role == Role.HR:
        raise _reply("deny_documents", ctx, "denied")
    entry = _document_account(ctx, args.kind, args.account)
    ext = entry.external_id if entry else None
    check_writable(ctx, args.kind, ext)
    doc = draft_document(ctx.settings, ctx.service, args.kind, ext, ctx.lang, ctx.writer,
                         save=False)
    return _present_draft(ctx, doc, "draft_document")


def _present_draft(ctx: ToolContext, doc: Document, tool: str) -> ToolResult:
    guard = (t("guard_passed", ctx.lang) if doc.guard.passed else
             t("guard_failed", ctx.lang, n=len(doc.guard.issues)))
    intro = [t("draft_ready", ctx.lang, title=doc.title, writer=doc.writer, guard=guard),
             *_writer_note(doc, ctx.lang)]
    body, cites = render_document(doc, ctx.lang)
    return _propose(ctx, doc, tool, intro, body, cites)


def _section_key(doc: Document, wanted: str) -> str | None:
    from kambot.assistant.chat.lang import fold
    from kambot.assistant.chat.router import SECTION_PATTERNS

    keys = [s.key for s in outline(doc.kind)]
    if wanted in keys:
        return wanted
    folded = fold(wanted).strip()
    for spec in outline(doc.kind):
        if folded in (fold(spec.title_en), fold(spec.title_fr), spec.key.replace("_", " ")):
            return spec.key
    found = [k for k in keys if k in SECTION_PATTERNS and SECTION_PATTERNS[k].search(folded)]
    return found[0] if len(found) == 1 else None


def tool_revise(ctx: ToolContext, args: ReviseArgs) -> ToolResult:
    """Revise one section of the document in focus; the guard runs; ask before storing."""
    from kambot.assistant.drafting import compare_versions, revise_section

    doc = current_document(ctx)
    check_writable(ctx, doc.kind, doc.account_external_id)
    section = _section_key(doc, args.section)
    if section is None:
        options = ", ".join(s.title(ctx.lang) for s in outline(doc.kind))
        raise _reply("clarify_section", ctx, options=options)
    revised = revise_section(doc, section, args.instruction, settings=ctx.settings,
                             service=ctx.service, writer=ctx.writer, save=False)
    diff = compare_versions(doc, revised)
    changed = next(s for s in diff.sections if s.key == section)
    title = next(s.title(doc.language) for s in outline(doc.kind) if s.key == section)
    intro = [t("revised", ctx.lang, section=title, title=doc.title, added=len(changed.added),
               removed=len(changed.removed)), *_writer_note(revised, ctx.lang)]
    if not diff.changed:
        intro.append(t("revised_unchanged", ctx.lang))
    repaired = [s for s in revised.guard.repaired_sections if s != section]
    if repaired:
        intro.append(t("repaired", ctx.lang, sections=", ".join(repaired)))
    body, cites = render_document(revised, ctx.lang, sections=[section, *repaired])
    return _propose(ctx, revised, "revise_section", intro, body, cites)


def tool_show(ctx: ToolContext, args: DocumentArgs) -> ToolResult:
    """Show the latest stored version of a document."""
    from kambot.assistant.drafting.storage import list_versions

    if ctx.principal.role == Role.HR:
        raise _reply("deny_documents", ctx, "denied")
    doc = current_document(ctx, args.kind, args.account)
    body, cites = render_document(doc, ctx.lang)
    versions = list_versions(ctx.engine, doc.key)
    row = next((v for v in versions if v.version == doc.version), None)
    context: dict[str, Any] = {"document_key": doc.key}
    header: list[str] = []
    if row is not None:
        context["document_id"] = row.id
        header.append(t("stored_document", ctx.lang, title=doc.title, version=doc.version,
                        date=_date(row.created_at.date(), ctx.lang), id=row.id))
    if doc.account_external_id:
        context["account"] = doc.account_external_id
    return ToolResult(text="\n".join([*header, body]), citations=cites, tool="show_document",
                      context=context)


def tool_versions(ctx: ToolContext, args: DocumentArgs) -> ToolResult:
    """List the stored versions of the document in focus (or the one named)."""
    from kambot.assistant.drafting.storage import list_versions, load_document

    doc = current_document(ctx, args.kind, args.account)
    versions = list_versions(ctx.engine, doc.key)
    lines = [t("versions_title", ctx.lang, title=doc.title)]
    for v in versions:
        stored = load_document(ctx.engine, v.key, v.version)
        note = f" — “{_snippet(stored.instructions, 80)}”" if stored.instructions else ""
        lines.append("- " + t("version_line", ctx.lang, version=v.version,
                              date=_date(v.created_at.date(), ctx.lang), writer=v.writer,
                              instructions=note) + f" (document {v.id})")
    cites = [Citation(id=f"doc:{v.id}", kind="document", label=f"{v.title} v{v.version}",
                      snippet="") for v in versions]
    return ToolResult(text="\n".join(lines), citations=cites, tool="list_versions",
                      context={"document_key": doc.key})


def tool_compare(ctx: ToolContext, args: CompareArgs) -> ToolResult:
    """Compare two stored versions of the document in focus (the last two by default)."""
    from kambot.assistant.drafting import compare_versions
    from kambot.assistant.drafting.storage import list_versions, load_document

    doc = current_document(ctx, args.kind, args.account)
    numbers = [v.version for v in list_versions(ctx.engine, doc.key)]
    if len(numbers) < 2:
        return ToolResult(text=t("compare_need_two", ctx.lang), tool="compare_versions",
                          context={"document_key": doc.key})
    a = args.from_version or numbers[-2]
    b = args.to_version or numbers[-1]
    for v in (a, b):
        if v not in numbers:
            raise _reply("unknown_version", ctx, "compare_versions", v=v,
                         versions=", ".join(str(n) for n in numbers))
    old, new = load_document(ctx.engine, doc.key, a), load_document(ctx.engine, doc.key, b)
    diff = compare_versions(old, new)
    if not diff.changed:
        return ToolResult(text=t("compare_same", ctx.lang, a=a, b=b), tool="compare_versions",
                          context={"document_key": doc.key})
    lines = [t("compare_title", ctx.lang, a=a, b=b)]
    for s in diff.sections:
        if not (s.added or s.removed):
            continue
        lines.append(f"\n## {s.title}")
        lines += [f"+ {x}" for x in s.added]
        lines += [f"- {x}" for x in s.removed]
    return ToolResult(text="\n".join(lines), tool="compare_versions",
                      context={"document_key": doc.key})


def tool_language(ctx: ToolContext, args: LanguageArgs) -> ToolResult:
    """Switch the conversation's language; offer the document in focus in that language."""
    lang: Lang = args.lang
    text = t("lang_set", lang)
    result = ToolResult(text=text, tool="set_language", session_lang=lang, lock_lang=True)
    key = ctx.context.get("document_key")
    doc: Document | None = _pending_document(ctx)
    if doc is None and key:
        try:
            doc = current_document(ctx)
        except (Refusal, KambotError):
            doc = None
    if doc is None or doc.language == lang:
        return result
    try:
        check_writable(ctx, doc.kind, doc.account_external_id)
    except Refusal:
        return result
    from kambot.assistant.drafting import draft_document

    translated = draft_document(ctx.settings, ctx.service, doc.kind, doc.account_external_id,
                                lang, ctx.writer, options=doc.options or None, save=False)
    inner = replace(ctx, lang=lang)
    drafted = _present_draft(inner, translated, "set_language")
    drafted.text = text + "\n\n" + drafted.text
    drafted.session_lang = lang
    drafted.lock_lang = True
    return drafted


# --- coaching, interviews, feedback, candidates ------------------------------------------


def _unavailable(ctx: ToolContext, what: str) -> Refusal:
    return Refusal(ToolResult(text=t("not_available", ctx.lang, what=what), tool="unavailable"))


def tool_status(ctx: ToolContext, args: NoArgs) -> ToolResult:
    """Show every checkpoint of the methodology's path, met or not, with its evidence."""
    try:
        from kambot.assistant.coaching import path_status
    except ImportError as exc:
        raise _unavailable(ctx, "coaching") from exc
    try:
        checkpoints = path_status(ctx.settings, ctx.engine, ctx.lang, principal=ctx.principal)
    except PermissionDeniedError as exc:
        raise _reply("deny_portfolio", ctx, "denied") from exc
    lines = [t("path_title", ctx.lang)]
    for c in checkpoints:
        lines.append(f"- {'✓' if c.done else '✗'} {c.step}. {c.title} — {c.evidence}")
    return ToolResult(text="\n".join(lines), tool="programme_status")


def _methodology_citation(ctx: ToolContext, chunk_id: str) -> Citation | None:
    from kambot.assistant.chat.sources import methodology_chunk

    chunk = methodology_chunk(ctx.settings.knowledge_dir, chunk_id)
    if chunk is None:
        return None
    return Citation(id=chunk.id, kind="methodology", label=f"{chunk.title} — {chunk.section}",
                    snippet=_snippet(chunk.text))


def tool_next_step(ctx: ToolContext, args: NoArgs) -> ToolResult:
    """Answer "what should I do next?": the next checkpoint, why and how, cited."""
    try:
        from kambot.assistant.coaching import next_step
    except ImportError as exc:
        raise _unavailable(ctx, "coaching") from exc
    try:
        advice = next_step(ctx.settings, ctx.engine, ctx.lang, principal=ctx.principal)
    except PermissionDeniedError as exc:
        raise _reply("deny_portfolio", ctx, "denied") from exc
    cites = [c for c in (_methodology_citation(ctx, cid) for cid in advice.citations) if c]
    return ToolResult(text=advice.text, citations=cites, tool="next_step")


def _interviews(ctx: ToolContext) -> Any:
    if ctx.interviews is not None:
        return ctx.interviews()
    from kambot.assistant.interview import InterviewService

    return InterviewService(ctx.settings, ctx.engine, ctx.writer)


def _interview_text(ctx: ToolContext, turn: Any, intro: list[str]) -> str:
    lines = list(intro)
    if getattr(turn, "preamble", None):
        lines.append(str(turn.preamble))
    if getattr(turn, "flags", None):
        lines.append(t("interview_flagged", ctx.lang))
    if turn.done:
        if turn.question:
            lines.append(str(turn.question))
        lines.append(t("interview_done", ctx.lang))
        return "\n\n".join(lines)
    if turn.theme_title:
        lines.append(t("interview_theme", ctx.lang, theme=turn.theme_title))
    lines.append(str(turn.question))
    return "\n\n".join(lines)


def _require_interviewer(ctx: ToolContext) -> None:
    if not can_interview(ctx.principal):
        raise _reply("deny_interview", ctx, "denied")


def tool_interview_start(ctx: ToolContext, args: InterviewStartArgs) -> ToolResult:
    """Start an executive alignment interview and ask its first question."""
    _require_interviewer(ctx)
    try:
        service = _interviews(ctx)
    except ImportError as exc:
        raise _unavailable(ctx, "interviews") from exc
    turn = service.start(ctx.principal, args.executive, ctx.lang)
    text = _interview_text(ctx, turn, [t("interview_started", ctx.lang,
                                         executive=turn.executive, id=turn.id)])
    return ToolResult(text=text, tool="interview_start", mode="interview",
                      interview_id=turn.id, context={"interview_id": turn.id})


def tool_interview_answer(ctx: ToolContext, args: TextArgs) -> ToolResult:
    """Record the executive's answer (untrusted data) and ask the next question."""
    _require_interviewer(ctx)
    if ctx.interview_id is None:
        raise _reply("interview_not_active", ctx, "interview_answer")
    service = _interviews(ctx)
    turn = service.answer(ctx.principal, ctx.interview_id, args.text)
    done = bool(turn.done)
    return ToolResult(text=_interview_text(ctx, turn, []), tool="interview_answer",
                      mode="chat" if done else "interview",
                      interview_id=None if done else ctx.interview_id)


def tool_interview_pause(ctx: ToolContext, args: NoArgs) -> ToolResult:
    """Pause the interview of this conversation."""
    _require_interviewer(ctx)
    interview_id = ctx.interview_id or ctx.context.get("interview_id")
    if interview_id is None:
        raise _reply("interview_not_active", ctx, "interview_pause")
    service = _interviews(ctx)
    turn = service.pause(ctx.principal, int(interview_id))
    return ToolResult(text=t("interview_paused", ctx.lang, id=turn.id), tool="interview_pause",
                      mode="chat", interview_id=None, context={"interview_id": turn.id})


def tool_interview_resume(ctx: ToolContext, args: InterviewResumeArgs) -> ToolResult:
    """Resume a paused interview (the one of this conversation, or the last paused one)."""
    _require_interviewer(ctx)
    service = _interviews(ctx)
    interview_id = args.interview_id or ctx.context.get("interview_id")
    if interview_id is None:
        paused = [s for s in service.list_interviews(ctx.principal) if s.status == "paused"]
        if not paused:
            raise _reply("interview_none", ctx, "interview_resume")
        interview_id = max(paused, key=lambda s: s.updated_at).id
    turn = service.resume(ctx.principal, int(interview_id))
    text = _interview_text(ctx, turn, [t("interview_resumed", ctx.lang, id=turn.id,
                                         executive=turn.executive)])
    return ToolResult(text=text, tool="interview_resume", mode="interview",
                      interview_id=turn.id, context={"interview_id": turn.id})


def tool_interview_synthesis(ctx: ToolContext, args: NoArgs) -> ToolResult:
    """Show the synthesis across interviews: consensus, divergence, causes, commitments."""
    _require_interviewer(ctx)
    service = _interviews(ctx)
    synthesis = service.synthesise(ctx.principal, ctx.lang)
    return ToolResult(text=service.render_synthesis(synthesis, ctx.lang),
                      tool="interview_synthesis")


def tool_feedback(ctx: ToolContext, args: TextArgs) -> ToolResult:
    """Record the user's feedback or concern about the programme (untrusted text)."""
    try:
        from kambot.assistant.feedback import record_feedback
    except ImportError as exc:
        raise _unavailable(ctx, "feedback") from exc
    text = re.sub(r"(?i)^\s*(feedback|retour|suggestion)\s*[:\-–]\s*", "", args.text).strip()
    item = record_feedback(ctx.engine, ctx.principal, text or args.text, ctx.lang)
    label = getattr(item, "theme_label", None) or item.theme
    return ToolResult(text=t("feedback_noted", ctx.lang, theme=label, id=item.id),
                      tool="give_feedback")


def tool_candidate(ctx: ToolContext, args: CandidateArgs) -> ToolResult:
    """Summarise a candidate's latest assessment (HR users only)."""
    if not ctx.principal.can_assess_people:
        raise _reply("deny_candidates", ctx, "denied")
    from kambot.assistant.assessment import get_run, list_runs

    runs = list_runs(ctx.engine, candidate_ref=args.candidate.strip(), limit=1)
    if not runs:
        raise _reply("unknown_candidate", ctx, "candidate_summary", ref=args.candidate)
    run = get_run(ctx.engine, runs[0].run_id)
    lang = ctx.lang
    from kambot.llm.formatting import fmt_percent

    lines = [t("candidate_title", lang, ref=run.candidate_ref, run=run.run_id,
               status=run.status.value, target=getattr(run.target, "name", None)
               or getattr(run.target, "key", "")),
             t("candidate_fit", lang, fit=fmt_percent(run.fit.score_pct, lang)
               if getattr(run.fit, "score_pct", None) is not None else "n/a")]
    for score in run.scores:
        level = (str(score.level) if score.level is not None
                 else t("candidate_no_evidence", lang))
        lines.append("- " + t("candidate_trait", lang, trait=str(score.trait), level=level))
    if run.flags:
        lines.append(t("candidate_flags", lang, n=len(run.flags)))
    lines.append(t("candidate_human", lang))
    return ToolResult(text="\n".join(lines), tool="candidate_summary")


# --- registry -------------------------------------------------------------------------------


def _everyone(principal: Principal) -> bool:
    return True


def _not_hr(principal: Principal) -> bool:
    return principal.role != Role.HR


def _portfolio(principal: Principal) -> bool:
    return principal.can_see_portfolio


def _drafters(principal: Principal) -> bool:
    return principal.role in (Role.KAM, Role.LEAD, Role.ADMIN)


def _hr(principal: Principal) -> bool:
    return principal.can_assess_people


@dataclass(frozen=True)
class ToolSpec:
    """One ability of the assistant.

    Attributes:
        name: the tool name (what the router and the model choose).
        description: what it does, for the model.
        args: the pydantic model of its arguments.
        run: the implementation.
        available: who may be offered the tool (the implementation checks again).
        for_model: offered to the model (interview answers are not: they are routed by
            the conversation's mode, never by a model reading them).
    """

    name: str
    description: str
    args: type[_Args]
    run: Callable[[ToolContext, Any], ToolResult]
    available: Callable[[Principal], bool] = _everyone
    for_model: bool = True

    def schema(self) -> dict[str, Any]:
        """Return the OpenAI tool definition (``{"type": "function", ...}``)."""
        parameters = self.args.model_json_schema()
        parameters.pop("title", None)
        parameters.pop("description", None)
        return {"type": "function", "function": {
            "name": self.name, "description": self.description, "parameters": parameters}}


TOOLS: dict[str, ToolSpec] = {spec.name: spec for spec in (
    ToolSpec("ask_methodology", "Answer a question about the KAM methodology from the "
             "knowledge base, citing passages.", AskArgs, tool_ask),
    ToolSpec("kpis", "Show the key figures (KPIs) of one account, or of the whole programme "
             "when no account is given.", AccountArgs, tool_kpis, _not_hr),
    ToolSpec("scenarios", "Show base, upside and downside revenue scenarios over three "
             "years, for one account or the programme.", AccountArgs, tool_scenarios, _not_hr),
    ToolSpec("segmentation", "Show the strategic segments and the portfolio matrix "
             "quadrants.", NoArgs, tool_segmentation, _portfolio),
    ToolSpec("selection", "Show the key accounts selected under capacity and the "
             "runners-up.", NoArgs, tool_selection, _portfolio),
    ToolSpec("sponsorship_plan", "Show the proposed executive sponsor per key account (or "
             "for one account).", AccountArgs, tool_sponsorship, _not_hr),
    ToolSpec("draft_document", "Draft a grounded document; it is stored only after the "
             "user confirms.", DraftArgs, tool_draft, _drafters),
    ToolSpec("revise_section", "Revise one section of the document the conversation works "
             "on, following the user's instruction; stored only after confirmation.",
             ReviseArgs, tool_revise, _drafters),
    ToolSpec("show_document", "Show the latest stored version of a document.",
             DocumentArgs, tool_show, _not_hr),
    ToolSpec("list_versions", "List the stored versions of a document.", DocumentArgs,
             tool_versions, _not_hr),
    ToolSpec("compare_versions", "Compare two stored versions of a document (the last two "
             "by default).", CompareArgs, tool_compare, _not_hr),
    ToolSpec("set_language", "Switch the conversation to French or English.", LanguageArgs,
             tool_language),
    ToolSpec("programme_status", "Show where the programme stands on the methodology's "
             "path (checkpoints met or not).", NoArgs, tool_status, _portfolio),
    ToolSpec("next_step", "Say what to do next in the programme, why and how.", NoArgs,
             tool_next_step, _portfolio),
    ToolSpec("interview_start", "Start an executive alignment interview.",
             InterviewStartArgs, tool_interview_start, can_interview),
    ToolSpec("interview_answer", "Record an interview answer.", TextArgs,
             tool_interview_answer, can_interview, for_model=False),
    ToolSpec("interview_pause", "Pause the interview in progress.", NoArgs,
             tool_interview_pause, can_interview),
    ToolSpec("interview_resume", "Resume a paused interview.", InterviewResumeArgs,
             tool_interview_resume, can_interview),
    ToolSpec("interview_synthesis", "Show the synthesis across executive interviews.",
             NoArgs, tool_interview_synthesis, can_interview),
    ToolSpec("give_feedback", "Record the user's feedback or concern about the programme.",
             TextArgs, tool_feedback),
    ToolSpec("candidate_summary", "Summarise a candidate's latest assessment (HR only).",
             CandidateArgs, tool_candidate, _hr),
    ToolSpec("help", "List what the assistant can do for this user.", NoArgs, tool_help),
)}


def tools_for(principal: Principal) -> list[ToolSpec]:
    """Return the tools offered to a model for this principal."""
    return [s for s in TOOLS.values() if s.for_model and s.available(principal)]


def run_tool(ctx: ToolContext, name: str, raw_args: dict[str, Any]) -> ToolResult:
    """Validate the arguments and run a tool with the principal's permissions.

    Refusals and clarifications come back as results; a reference to an account or a
    document outside the principal's scope answers like an unknown one.

    Raises:
        KambotError: an unexpected failure of the use case (database, index...).
    """
    spec = TOOLS.get(name)
    if spec is None:
        return ToolResult(text=t("clarify_unknown", ctx.lang), tool="clarify")
    try:
        args = spec.args.model_validate(raw_args)
    except ValidationError:
        return ToolResult(text=t("clarify_unknown", ctx.lang), tool="clarify")
    try:
        result = spec.run(ctx, args)
    except Refusal as refusal:
        return refusal.result
    except NotFoundError as exc:
        return ToolResult(text=t("error_tool", ctx.lang, message=exc.message)
                          + (f" ({exc.hint})" if exc.hint else ""), tool="not_found")
    except PermissionDeniedError as exc:
        return ToolResult(text=t("error_tool", ctx.lang, message=exc.message), tool="denied")
    except DataError as exc:
        return ToolResult(text=t("error_tool", ctx.lang, message=exc.message)
                          + (f" ({exc.hint})" if exc.hint else ""), tool=name)
    if not result.tool:
        result.tool = name
    return result

