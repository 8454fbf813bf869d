"""The read-only tools the MCP server exposes, each run for one principal.

Every tool applies the same authorization rules as the HTTP API
(:mod:`kambot.auth.access`): an account outside the caller's scope answers exactly like
an unknown one (``NotFoundError``, suggestions drawn from the caller's scope only); a
kind of use the role may not have answers ``PermissionDeniedError``. Nothing here
changes stored data: a drafted document is returned, never saved.

The tools raise kambot errors; :mod:`kambot.mcp_server.server` turns them into MCP tool
errors. They are plain methods so that they can be tested and reused without ``mcp``.
"""

from __future__ import annotations

import math
import threading
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from kambot.assistant.chat.models import Citation as SourceCitation
from kambot.assistant.chat.models import CitationKind
from kambot.config import Settings
from kambot.domain.analysis import (
    AccountKPIs,
    AccountScore,
    SegmentRanking,
    TierAssignment,
)
from kambot.domain.documents import DocumentKind, SponsorAssignment, SponsorLoad
from kambot.domain.identity import Principal

if TYPE_CHECKING:
    from kambot.assistant.portfolio import PortfolioService
    from kambot.retrieval.index import SearchIndex
    from kambot.retrieval.models import Answer

Lang = Literal["fr", "en"]
DraftKind = DocumentKind
SNIPPET_CHARS = 280
_CHUNK_KINDS: dict[str, CitationKind] = {
    "methodology": "methodology", "account_note": "note", "account_document": "document",
}


# --- results ------------------------------------------------------------------------------


class MethodologyAnswer(BaseModel):
    """A grounded answer: every sentence ends with the id of the passage it comes from."""

    answer: str
    citations: list[SourceCitation]
    confidence: float
    abstained: bool = Field(description="true when the indexed material does not answer")
    language: Lang


class AccountLine(BaseModel):
    """One account the caller may see, with its position and headline figures."""

    id: int
    external_id: str
    name: str
    segment: str | None
    quadrant: str
    tier: str
    key_account: bool
    revenue_ttm: float
    share_of_wallet: float | None


class AccountList(BaseModel):
    """The accounts in the caller's scope, by revenue."""

    total: int
    accounts: list[AccountLine]


class AccountFigures(BaseModel):
    """Everything computed about one account: KPIs, matrix position, tier."""

    kpis: AccountKPIs
    score: AccountScore
    tier: TierAssignment


class SegmentationView(BaseModel):
    """Strategic segments, ranked, and the number of accounts per matrix quadrant."""

    segments: list[SegmentRanking]
    quadrants: dict[str, int]


class DraftView(BaseModel):
    """A grounded draft, returned without being stored."""

    kind: DraftKind
    title: str
    account: str | None
    language: Lang
    markdown: str = Field(description="the document, citations as footnotes")
    citations: list[SourceCitation]
    guard_passed: bool = Field(description="the grounding guard found no unsupported figure")
    writer: str
    saved: bool = Field(default=False, description="always false: drafts are not stored")


class SponsorshipView(BaseModel):
    """The deterministic assignment of executive sponsors to key accounts."""

    assignments: list[SponsorAssignment]
    loads: list[SponsorLoad]
    unassigned: list[str]
    total_capacity: int
    meetings_per_year: dict[str, int]


# --- the tools ----------------------------------------------------------------------------


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[: SNIPPET_CHARS - 1].rsplit(" ", 1)[0] + "…"


def answer_citations(answer: Answer) -> list[SourceCitation]:
    """Return the citations of a retrieval answer in the shared citation shape."""
    kinds = {h.chunk_id: str(h.metadata.get("kind", "methodology")) for h in answer.found}
    out: list[SourceCitation] = []
    for c in answer.citations:
        label = f"{c.title} — {c.section}" if c.section and c.section != c.title else c.title
        out.append(SourceCitation(id=c.chunk_id, kind=_CHUNK_KINDS.get(kinds.get(c.chunk_id, ""),
                                                                       "methodology"),
                                  label=label, snippet=_snippet(c.text)))
    return out


class KambotTools:
    """The read-only use cases of the MCP server over one data directory.

    Args:
        settings: the settings (data directory, language, writer).
        service: the portfolio service; opened from the settings when None.
    """

    def __init__(self, settings: Settings, service: PortfolioService | None = None) -> None:
        """Keep the settings; open the store when no service is given."""
        from kambot.assistant.portfolio import PortfolioService

        self.settings = settings
        self.service = service if service is not None else PortfolioService(settings)
        self._index: SearchIndex | None = None
        self._index_lock = threading.Lock()

    # -- helpers ---------------------------------------------------------------------------

    def index(self) -> SearchIndex:
        """Return the search index, opened (and rebuilt when stale) on first use."""
        from kambot.retrieval.index import open_index

        with self._index_lock:
            if self._index is None:
                self._index = open_index(self.settings, self.service.engine)
            return self._index

    def resolve_account(self, principal: Principal, ref: str) -> str:
        """Return the external id of an account the principal may see.

        Raises:
            NotFoundError: unknown, or outside the principal's scope (same message).
        """
        from kambot.auth.access import resolve_in_scope

        if principal.sees_all_accounts:
            return self.service.resolve_account(ref)
        accounts = self.service.analysis().portfolio.accounts
        return resolve_in_scope(principal, ref, [int(i) for i in accounts.ids],
                                list(accounts.external_ids), list(accounts.names))

    def _account_db_id(self, external_id: str) -> int:
        analysis = self.service.analysis()
        return int(analysis.portfolio.accounts.ids[analysis.index_of(external_id)])

    # -- tools -----------------------------------------------------------------------------

    def ask_methodology(self, principal: Principal, question: str, lang: Lang | None = None,
                        account: str | None = None) -> MethodologyAnswer:
        """Answer a question from the KAM methodology (and one account's notes), cited.

        Methodology questions are open to every role; with ``account`` the account's
        notes are searched too, which needs the account in the principal's scope.

        Raises:
            NotFoundError: the account is unknown or outside the scope.
        """
        from kambot.auth.access import retrieval_roles
        from kambot.retrieval.answer import answer_question
        from kambot.retrieval.models import Scope

        roles = retrieval_roles(principal)
        scope = Scope(account_ids=frozenset(), roles=roles)
        if account is not None:
            ext = self.resolve_account(principal, account)
            scope = Scope(account_ids=frozenset({self._account_db_id(ext)}), roles=roles)
        answer = answer_question(self.index(), question, lang, scope=scope)
        language: Lang = "fr" if answer.language == "fr" else "en"
        return MethodologyAnswer(answer=answer.answer, citations=answer_citations(answer),
                                 confidence=round(float(answer.confidence), 3),
                                 abstained=answer.abstained, language=language)

    def list_accounts(self, principal: Principal) -> AccountList:
        """List the accounts the principal may see, by revenue.

        Raises:
            PermissionDeniedError: the role sees no account (HR).
        """
        from kambot.auth.access import require_account_reader
        from kambot.core.matrix import QUADRANTS
        from kambot.core.tiers import TIERS

        require_account_reader(principal)
        analysis = self.service.analysis()
        a = analysis.portfolio.accounts
        k = analysis.kpis
        lines = [
            AccountLine(
                id=int(a.ids[i]), external_id=a.external_ids[i], name=a.names[i],
                segment=analysis.segments.segment_key(i),
                quadrant=QUADRANTS[int(analysis.matrix.quadrant[i])].value,
                tier=TIERS[int(analysis.tiers.tier[i])].value,
                key_account=bool(a.is_key_account[i]),
                revenue_ttm=float(k.revenue_ttm[i]),
                share_of_wallet=_finite(float(k.share_of_wallet[i])),
            )
            for i in range(len(a)) if principal.can_see_account(int(a.ids[i]))
        ]
        lines.sort(key=lambda line: (-line.revenue_ttm, line.external_id))
        return AccountList(total=len(lines), accounts=lines)

    def account_kpis(self, principal: Principal, account: str) -> AccountFigures:
        """Return one account's KPIs, matrix position and tier.

        Raises:
            PermissionDeniedError: the role sees no account (HR).
            NotFoundError: the account is unknown or outside the scope.
        """
        from kambot.auth.access import require_account_reader

        require_account_reader(principal)
        ext = self.resolve_account(principal, account)
        analysis = self.service.analysis()
        return AccountFigures(kpis=analysis.account_kpis(ext), score=analysis.account_score(ext),
                              tier=analysis.tier_assignment(ext))

    def segmentation(self, principal: Principal) -> SegmentationView:
        """Return the ranked strategic segments and the quadrant counts.

        Raises:
            PermissionDeniedError: the role may not read portfolio-wide analyses.
        """
        from kambot.auth.access import require_portfolio_reader

        require_portfolio_reader(principal)
        analysis = self.service.analysis()
        return SegmentationView(segments=list(analysis.segments.rankings),
                                quadrants=dict(analysis.matrix.quadrant_counts()))

    def draft_document(self, principal: Principal, kind: DraftKind, account: str | None = None,
                       lang: Lang | None = None, instructions: str | None = None) -> DraftView:
        """Draft a grounded document and return it without storing it.

        The rules are those of ``POST /documents``: account documents for KAMs (their
        accounts), leads and admins; programme documents for leads and admins.

        Raises:
            PermissionDeniedError: the role may not draft this kind.
            NotFoundError: the account is unknown or outside the scope.
            DataError: an account missing for an account document, or given for a
                programme document.
        """
        from kambot.assistant.drafting import draft_document
        from kambot.auth.access import require_document_reader, require_drafter
        from kambot.exports.markdown import render_markdown

        require_document_reader(principal)
        require_drafter(principal, kind)
        if account is not None and not principal.sees_all_accounts:
            account = self.resolve_account(principal, account)
        doc = draft_document(self.settings, self.service, kind, account, lang,
                             instructions=instructions, save=False)
        citations = [SourceCitation(id=s.id, kind="fact" if s.kind == "fact" else (
            "methodology" if not s.untrusted else "note"), label=s.label,
            snippet=_snippet(s.detail)) for s in doc.sources]
        language: Lang = "fr" if doc.language == "fr" else "en"
        return DraftView(kind=doc.kind, title=doc.title, account=doc.account_external_id,
                         language=language, markdown=render_markdown(doc), citations=citations,
                         guard_passed=doc.guard.passed, writer=doc.writer)

    def sponsorship_plan(self, principal: Principal) -> SponsorshipView:
        """Return the deterministic sponsor assignment of the key accounts.

        Raises:
            PermissionDeniedError: the role may not read portfolio-wide analyses.
        """
        from kambot.assistant.drafting import drafting_context
        from kambot.auth.access import require_portfolio_reader

        require_portfolio_reader(principal)
        plan = drafting_context(self.settings, self.service).sponsorship_plan()
        return SponsorshipView(assignments=list(plan.assignments), loads=list(plan.loads),
                               unassigned=list(plan.unassigned),
                               total_capacity=plan.total_capacity,
                               meetings_per_year=dict(plan.meetings_per_year))
