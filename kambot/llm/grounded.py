"""Draft under the grounding guard: check, retry once with the errors, repair, fall back.

1. The writer drafts. A :class:`~kambot.errors.ModelError` (timeout, 5xx, 429,
   malformed answer...) means the offline writer drafts instead, and the result says
   so (``fallback_used``, ``fallback_reason``).
2. The guard checks the draft. When it finds issues, the writer is asked once more
   with the issues as feedback.
3. Sections that still have failing statements (or are missing) are replaced by the
   offline writer's version of the section, and listed in ``repaired_sections``.
4. The final draft is checked again; the verdict goes with the document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from kambot.domain.documents import (
    DocumentDraft,
    DocumentKind,
    Fact,
    GuardIssue,
    GuardVerdict,
    Lang,
    Passage,
    Section,
    outline,
)
from kambot.errors import ModelError
from kambot.llm.base import DraftContext, Writer
from kambot.llm.guard import GuardContext
from kambot.llm.offline import OfflineWriter


@dataclass(frozen=True)
class GroundedDraft:
    """A guarded draft and how it was obtained."""

    draft: DocumentDraft
    verdict: GuardVerdict
    writer: str
    fallback_used: bool
    fallback_reason: str | None
    attempts: int
    prompt_ref: str | None = None


def _verdict(draft: DocumentDraft, issues: list[GuardIssue], *, first: list[GuardIssue],
             retried: bool, repaired: list[str]) -> GuardVerdict:
    statements = [st for s in draft.sections for st in s.statements]
    return GuardVerdict(
        passed=not issues,
        statements=len(statements),
        cited_statements=sum(1 for st in statements if st.citations),
        issues=issues,
        first_issues=first,
        retried=retried,
        repaired_sections=repaired,
    )


def grounded_draft(
    writer: Writer,
    kind: DocumentKind,
    facts: Sequence[Fact],
    passages: Sequence[Passage],
    lang: Lang,
    instructions: str | None = None,
    *,
    context: DraftContext | None = None,
    fallback: Writer | None = None,
) -> GroundedDraft:
    """Draft with ``writer`` and make the result pass the grounding guard.

    Args:
        writer: the writer to use (a model writer, or the offline writer).
        kind: the document kind.
        facts: the facts the draft may cite.
        passages: the passages the draft may cite (untrusted ones included).
        lang: fr or en.
        instructions: the user's instructions (revisions).
        context: account, options, sections to draft, names and terms of the data.
        fallback: the writer that replaces failing sections; the offline writer by
            default.

    Returns:
        The final draft, its verdict and how it was obtained.

    Raises:
        DataError: when even the offline writer cannot draft (missing account facts).
    """
    ctx = context or DraftContext()
    backup: Writer = fallback or OfflineWriter()
    guard = GuardContext.build(facts, passages, names=ctx.names, terms=ctx.terms)
    specs = [s for s in outline(kind) if ctx.sections is None or s.key in ctx.sections]
    offline_cache: list[DocumentDraft] = []

    def offline() -> DocumentDraft:
        if not offline_cache:
            offline_cache.append(backup.draft(kind, facts, passages, lang, instructions,
                                              context=replace(ctx, feedback=())))
        return offline_cache[0]

    def prompt_ref() -> str | None:
        ref = getattr(writer, "last_prompt_ref", None)
        return ref if isinstance(ref, str) else None

    if writer.name == backup.name:
        draft = offline()
        issues = guard.check_draft(draft, specs)
        return GroundedDraft(draft, _verdict(draft, issues, first=issues, retried=False,
                                             repaired=[]),
                             writer=backup.name, fallback_used=False, fallback_reason=None,
                             attempts=1)
    try:
        draft = writer.draft(kind, facts, passages, lang, instructions, context=ctx)
    except ModelError as exc:
        draft = offline()
        issues = guard.check_draft(draft, specs)
        return GroundedDraft(draft, _verdict(draft, issues, first=[], retried=False,
                                             repaired=[]),
                             writer=backup.name, fallback_used=True, fallback_reason=str(exc),
                             attempts=1, prompt_ref=prompt_ref())
    first = guard.check_draft(draft, specs)
    issues = first
    attempts, retried = 1, False
    retry_error: str | None = None
    if first:
        retried = True
        attempts = 2
        try:
            second = writer.draft(kind, facts, passages, lang, instructions,
                                  context=replace(ctx, feedback=tuple(first)))
            draft, issues = second, guard.check_draft(second, specs)
        except ModelError as exc:
            retry_error = str(exc)
    repaired: list[str] = []
    if issues:
        failing = {i.section for i in issues}
        replacement = {s.key: s for s in offline().sections}
        sections: list[Section] = []
        for s in draft.sections:
            if s.key in failing and s.key in replacement:
                sections.append(replacement[s.key])
                repaired.append(s.key)
            else:
                sections.append(s)
        draft = DocumentDraft(title=draft.title, sections=sections)
        issues = guard.check_draft(draft, specs)
    reason = None
    if repaired:
        reason = ("sections replaced by the offline writer after a failed retry: "
                  + ", ".join(repaired))
        if retry_error:
            reason += f" (the retry failed: {retry_error})"
    return GroundedDraft(draft, _verdict(draft, issues, first=first, retried=retried,
                                         repaired=repaired),
                         writer=writer.name, fallback_used=bool(repaired),
                         fallback_reason=reason, attempts=attempts, prompt_ref=prompt_ref())
