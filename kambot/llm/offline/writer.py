"""The offline writer: every statement composed from facts and passages, and cited.

It is the default writer, the fallback when a model fails, and the source of the
replacement statements when a model's draft fails the grounding guard. It needs no
network and always produces every section of the outline.
"""

from __future__ import annotations

from collections.abc import Sequence

from kambot.domain.documents import (
    DocumentDraft,
    DocumentKind,
    Fact,
    Lang,
    Passage,
    Section,
    Statement,
    document_title,
    outline,
)
from kambot.errors import DataError
from kambot.llm.base import DraftContext
from kambot.llm.offline.ceb import ceb
from kambot.llm.offline.composer import Composer
from kambot.llm.offline.programme import review, sponsorship
from kambot.llm.offline.strategy import strategy, summary

OFFLINE_NAME = "offline"


class OfflineWriter:
    """Draft documents with rules and templates (French and English)."""

    name = OFFLINE_NAME

    def draft(
        self,
        kind: DocumentKind,
        facts: Sequence[Fact],
        passages: Sequence[Passage],
        lang: Lang,
        instructions: str | None = None,
        *,
        context: DraftContext | None = None,
    ) -> DocumentDraft:
        """Compose a document from the facts and passages of one request.

        ``instructions`` (a user's wish for a revision) cannot change what a template
        says; it is ignored here, and honoured by model writers.

        Raises:
            DataError: an account document without its account's facts.
        """
        ctx = context or DraftContext()
        c = Composer(facts, passages, lang, ctx.account, names=ctx.names, terms=ctx.terms)
        if kind in ("account_strategy", "executive_summary", "ceb") and (
                ctx.account is None or c.acct("name") not in c.facts):
            raise DataError(f"a {kind} needs the facts of its account",
                            hint="draft it through kambot.assistant.drafting")
        if kind == "account_strategy":
            body = strategy(c)
        elif kind == "executive_summary":
            body = summary(c)
        elif kind == "ceb":
            body = ceb(c, ctx.options.get("reader"), ctx.options.get("counterpart"))
        elif kind == "sponsorship_plan":
            body = sponsorship(c)
        else:
            body = review(c)
        subject = str(c.v(c.acct("name"))) if ctx.account else str(c.v("prog:name") or "")
        sections = []
        for spec in outline(kind):
            if ctx.sections is not None and spec.key not in ctx.sections:
                continue
            statements: list[Statement] = body.get(spec.key, [])
            sections.append(Section(key=spec.key, title=spec.title(lang),
                                    statements=statements))
        return DocumentDraft(title=document_title(kind, lang, subject or None),
                             sections=sections)
