"""Drafting use cases: draft, draft in batch, revise a section, compare versions, staleness.

Every document goes through the same path: gather the facts and passages
(:mod:`kambot.assistant.drafting.inputs`), draft with the configured writer under the
grounding guard (:func:`kambot.llm.grounded.grounded_draft`), assemble a
:class:`~kambot.domain.documents.Document` that carries its sources, its verdict and the
fingerprints of its inputs, and store it as a new version.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from kambot.assistant.drafting.inputs import DocumentInputs, DraftingContext
from kambot.assistant.drafting.sources import DraftingSource, StoreSource, as_source
from kambot.config import Settings
from kambot.domain.documents import (
    ACCOUNT_KINDS,
    Document,
    DocumentDraft,
    DocumentKind,
    InputChange,
    InputStamp,
    Lang,
    SectionDiff,
    SourceRef,
    Staleness,
    VersionDiff,
    fingerprint_inputs,
    outline,
)
from kambot.errors import DataError, NotFoundError
from kambot.llm.base import DraftContext, Writer

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from kambot.assistant.drafting.storage import DocumentSummary
    from kambot.assistant.portfolio import PortfolioService
    from kambot.llm.grounded import GroundedDraft

Progress = Callable[[int, int], None]
# Keyed by the identity of the service (or source) and its data version; the owner is
# kept in the entry so that its id cannot be reused by another object while cached.
_CONTEXTS: OrderedDict[tuple[int, tuple[object, ...]], tuple[object, DraftingContext]] = (
    OrderedDict())
_CONTEXTS_LOCK = threading.Lock()
_MAX_CONTEXTS = 4


def _version(source: DraftingSource) -> tuple[object, ...]:
    if isinstance(source, StoreSource):
        return (*source.service.current_version(), *source.interviews_version())
    return ("memory", getattr(source, "revision", 0))


def drafting_context(settings: Settings, service: PortfolioService | DraftingSource
                     ) -> DraftingContext:
    """Return the shared inputs of the current data version (cached per data version)."""
    source = as_source(service)
    owner = source.service if isinstance(source, StoreSource) else source
    key = (id(owner), _version(source))
    with _CONTEXTS_LOCK:
        entry = _CONTEXTS.get(key)
        if entry is not None and entry[0] is owner and entry[1].settings == settings:
            _CONTEXTS.move_to_end(key)
            return entry[1]
    context = DraftingContext.create(settings, source)
    with _CONTEXTS_LOCK:
        _CONTEXTS[key] = (owner, context)
        while len(_CONTEXTS) > _MAX_CONTEXTS:
            _CONTEXTS.popitem(last=False)
    return context


def _engine(service: PortfolioService | DraftingSource) -> Engine | None:
    source = as_source(service)
    return source.service.engine if isinstance(source, StoreSource) else None


def _resolve(kind: DocumentKind, source: DraftingSource, account_ref: str | None) -> str | None:
    if kind in ACCOUNT_KINDS:
        if not account_ref:
            raise DataError(f"a {kind} is about one account", hint="name the account")
        return source.resolve_account(account_ref)
    if account_ref:
        raise DataError(f"a {kind} covers the whole programme", hint="do not name an account")
    return None


def _stamps(inputs: DocumentInputs, cited: set[str]) -> dict[str, InputStamp]:
    stamps = {f.id: InputStamp(digest=f.digest(), value=f.display(), cited=f.id in cited)
              for f in inputs.facts}
    stamps.update({p.id: InputStamp(digest=p.digest(), cited=p.id in cited)
                   for p in inputs.passages})
    return stamps


def _sources(draft: DocumentDraft, inputs: DocumentInputs) -> list[SourceRef]:
    facts = {f.id: f for f in inputs.facts}
    passages = {p.id: p for p in inputs.passages}
    out: dict[str, SourceRef] = {}
    for section in draft.sections:
        for st in section.statements:
            for c in st.citations:
                if c in out:
                    continue
                if c in facts:
                    out[c] = SourceRef(id=c, kind="fact", label=facts[c].label,
                                       detail=facts[c].text(inputs.lang))
                elif c in passages:
                    p = passages[c]
                    excerpt = p.text if len(p.text) <= 280 else p.text[:279].rsplit(" ", 1)[0] + "…"
                    out[c] = SourceRef(id=c, kind="passage", label=p.title, detail=excerpt,
                                       untrusted=p.untrusted)
    return list(out.values())


def _assemble(inputs: DocumentInputs, result: GroundedDraft, *, instructions: str | None,
              version: int = 1, parent: int | None = None,
              revised: list[str] | None = None) -> Document:
    cited = {c for s in result.draft.sections for st in s.statements for c in st.citations}
    return Document(
        kind=inputs.kind, account_external_id=inputs.account, account_name=inputs.account_name,
        language=inputs.lang, version=version, parent_version=parent,
        title=result.draft.title, sections=result.draft.sections,
        sources=_sources(result.draft, inputs),
        input_fingerprint=fingerprint_inputs(inputs.facts, inputs.passages),
        inputs=_stamps(inputs, cited), as_of=inputs.as_of, created_at=datetime.now(UTC),
        writer=result.writer, fallback_used=result.fallback_used,
        fallback_reason=result.fallback_reason, guard=result.verdict,
        instructions=instructions, revised_sections=revised or [],
        prompt_version=result.prompt_ref, options=inputs.options,
    )


def _writer(settings: Settings, writer: Writer | None) -> Writer:
    if writer is not None:
        return writer
    from kambot.llm.factory import make_writer

    return make_writer(settings)


def _draft(settings: Settings, context: DraftingContext, kind: DocumentKind,
           account: str | None, lang: Lang, writer: Writer, *, instructions: str | None,
           options: dict[str, str] | None) -> Document:
    from kambot.llm.grounded import grounded_draft

    inputs = context.inputs(kind, lang, account, options)
    result = grounded_draft(
        writer, kind, inputs.facts, inputs.passages, lang, instructions,
        context=DraftContext(account=account, options=inputs.options,
                             names=tuple(inputs.names), terms=tuple(inputs.terms)),
    )
    return _assemble(inputs, result, instructions=instructions)


def draft_document(
    settings: Settings,
    service: PortfolioService | DraftingSource,
    kind: DocumentKind,
    account_ref: str | None = None,
    lang: Lang | None = None,
    writer: Writer | None = None,
    *,
    instructions: str | None = None,
    options: dict[str, str] | None = None,
    save: bool | None = None,
) -> Document:
    """Draft one document, guard it and (for a store) save it as a new version.

    Args:
        settings: the settings (writer choice, knowledge folder, default language).
        service: the portfolio service (or any drafting source, e.g. in memory).
        kind: account_strategy, executive_summary, ceb, sponsorship_plan or
            programme_review.
        account_ref: the account (external id, database id or name) for account
            documents; None for programme documents.
        lang: fr or en; the settings' language when None.
        writer: the writer; ``make_writer(settings)`` when None.
        instructions: what the user wants stressed (honoured by model writers).
        options: for a CEB, ``reader`` (our executive's person key) and ``counterpart``
            (the customer contact's id); sensible defaults otherwise.
        save: store the document; by default when the source is the database.

    Returns:
        The document (with its stored version number when saved).

    Raises:
        NotFoundError: unknown account, reader or counterpart.
        DataError: an account missing for an account document, or given for a
            programme document.
        StoreError: saving failed (e.g. the documents table is not migrated yet).
    """
    context = drafting_context(settings, service)
    source = context.source
    account = _resolve(kind, source, account_ref)
    doc = _draft(settings, context, kind, account, lang or settings.lang,
                 _writer(settings, writer), instructions=instructions, options=options)
    return _maybe_save(service, doc, save)


def _maybe_save(service: PortfolioService | DraftingSource, doc: Document,
                save: bool | None) -> Document:
    engine = _engine(service)
    if save is None:
        save = engine is not None
    if not save:
        return doc
    if engine is None:
        raise DataError("this drafting source has no database to save into",
                        hint="pass save=False, or draft through the portfolio service")
    from kambot.assistant.drafting.storage import save_document

    return save_document(engine, doc)


def draft_all(
    settings: Settings,
    service: PortfolioService | DraftingSource,
    kind: DocumentKind,
    lang: Lang | None = None,
    progress: Progress | None = None,
    *,
    writer: Writer | None = None,
    save: bool | None = None,
) -> list[Document]:
    """Draft a document of ``kind`` for every key account (or the programme's one).

    Args:
        settings: the settings.
        service: the portfolio service or a drafting source.
        kind: the document kind.
        lang: fr or en; the settings' language when None.
        progress: called with (done, total) after each document.
        writer: the writer; ``make_writer(settings)`` when None.
        save: store the documents; by default when the source is the database.

    Returns:
        The documents, in key-account order.
    """
    context = drafting_context(settings, service)
    chosen = _writer(settings, writer)
    accounts: list[str | None] = (list(context.key_accounts()) if kind in ACCOUNT_KINDS
                                  else [None])
    if kind in ACCOUNT_KINDS:
        context.records([a for a in accounts if a is not None])
    out: list[Document] = []
    for done, account in enumerate(accounts, start=1):
        doc = _draft(settings, context, kind, account, lang or settings.lang, chosen,
                     instructions=None, options=None)
        out.append(_maybe_save(service, doc, save))
        if progress is not None:
            progress(done, len(accounts))
    return out


def revise_section(
    document: Document,
    section_key: str,
    instruction: str,
    *,
    settings: Settings,
    service: PortfolioService | DraftingSource,
    writer: Writer | None = None,
    save: bool | None = None,
) -> Document:
    """Redraft one section of a document following an instruction; keep the versions.

    The section is redrafted from the current data with the instruction (model writers
    honour it; the offline writer redrafts the section from the data). The whole
    document is then checked against the current data: any other section that no longer
    passes is replaced by the offline writer's. The result is a new version whose
    ``parent_version`` is the document's.

    Raises:
        DataError: ``section_key`` is not a section of this kind of document.
    """
    keys = [s.key for s in outline(document.kind)]
    if section_key not in keys:
        raise DataError(f"{section_key!r} is not a section of a {document.kind}",
                        hint=f"sections: {', '.join(keys)}")
    from kambot.llm.grounded import grounded_draft

    context = drafting_context(settings, service)
    inputs = context.inputs(document.kind, document.language, document.account_external_id,
                            document.options or None)
    chosen = _writer(settings, writer)
    previous = DocumentDraft(title=document.title, sections=document.sections)
    base = DraftContext(account=document.account_external_id, options=inputs.options,
                        names=tuple(inputs.names), terms=tuple(inputs.terms))
    revised = grounded_draft(chosen, document.kind, inputs.facts, inputs.passages,
                             document.language, instruction,
                             context=replace(base, sections=(section_key,), previous=previous))
    new_section = revised.draft.sections[0]
    merged = DocumentDraft(title=document.title, sections=[
        new_section if s.key == section_key else s for s in document.sections])
    # Check the untouched sections against today's data: replace what no longer holds.
    from kambot.llm.guard import GuardContext

    guard = GuardContext.build(inputs.facts, inputs.passages, names=inputs.names,
                               terms=inputs.terms)
    issues = guard.check_draft(merged, outline(document.kind))
    repaired = sorted({i.section for i in issues} - {section_key})
    if repaired:
        from kambot.llm.offline import OfflineWriter

        fresh = OfflineWriter().draft(document.kind, inputs.facts, inputs.passages,
                                      document.language,
                                      context=replace(base, sections=tuple(repaired)))
        by_key = {s.key: s for s in fresh.sections}
        merged = DocumentDraft(title=merged.title, sections=[
            by_key.get(s.key, s) if s.key in repaired else s for s in merged.sections])
        issues = guard.check_draft(merged, outline(document.kind))
    verdict = revised.verdict.model_copy(update={
        "passed": not issues, "issues": issues,
        "statements": sum(len(s.statements) for s in merged.sections),
        "cited_statements": sum(1 for s in merged.sections for st in s.statements
                                if st.citations),
        "repaired_sections": sorted({*revised.verdict.repaired_sections, *repaired}),
    })
    result = replace(revised, draft=merged, verdict=verdict)
    doc = _assemble(inputs, result, instructions=instruction, version=document.version + 1,
                    parent=document.version, revised=[section_key])
    return _maybe_save(service, doc, save)


def compare_versions(old: Document, new: Document) -> VersionDiff:
    """Return the statements added and removed, section by section, between two versions.

    Raises:
        DataError: the two documents are not versions of the same document.
    """
    if old.key != new.key:
        raise DataError(f"{old.key!r} and {new.key!r} are different documents",
                        hint="compare two versions of the same document")
    sections = []
    def texts(doc: Document, key: str) -> list[str]:
        section = doc.section(key)
        return [st.text for st in section.statements] if section is not None else []

    for spec in outline(new.kind):
        a, b = texts(old, spec.key), texts(new, spec.key)
        sections.append(SectionDiff(
            key=spec.key, title=spec.title(new.language),
            added=[t for t in b if t not in a], removed=[t for t in a if t not in b],
            unchanged=sum(1 for t in b if t in a)))
    return VersionDiff(key=new.key, from_version=old.version, to_version=new.version,
                       sections=sections)


def check_staleness(settings: Settings, service: PortfolioService | DraftingSource,
                    document: Document) -> Staleness:
    """Compare a document's inputs with today's: stale when any fact or passage changed.

    The changes list every fact or passage changed, added or removed since the draft,
    with its value before and after, and whether the document cites it.
    """
    context = drafting_context(settings, service)
    inputs = context.inputs(document.kind, document.language, document.account_external_id,
                            document.options or None)
    if fingerprint_inputs(inputs.facts, inputs.passages) == document.input_fingerprint:
        return Staleness(stale=False)
    now = _stamps(inputs, set())
    changes: list[InputChange] = []
    for key, before in document.inputs.items():
        after = now.get(key)
        if after is None:
            changes.append(InputChange(id=key, change="removed", before=before.value,
                                       cited=before.cited))
        elif after.digest != before.digest:
            changes.append(InputChange(id=key, change="changed", before=before.value,
                                       after=after.value, cited=before.cited))
    for key, after in now.items():
        if key not in document.inputs:
            changes.append(InputChange(id=key, change="added", after=after.value))
    changes.sort(key=lambda c: (not c.cited, c.id))
    return Staleness(stale=True, changes=changes)


def stale_documents(
    settings: Settings,
    service: PortfolioService | DraftingSource,
    *,
    kind: DocumentKind | None = None,
) -> list[tuple[DocumentSummary, Staleness]]:
    """Return the latest stored version of each document whose inputs changed since.

    Raises:
        DataError: the source has no database.
        StoreError: the documents table is missing.
    """
    from kambot.assistant.drafting.storage import get_document, list_documents

    engine = _engine(service)
    if engine is None:
        raise DataError("stored documents live in the database",
                        hint="use the portfolio service as the drafting source")
    out: list[tuple[DocumentSummary, Staleness]] = []
    for summary in list_documents(engine, kind=kind):
        document = get_document(engine, summary.id)
        try:
            staleness = check_staleness(settings, service, document)
        except NotFoundError:
            # The account is gone: everything the document said is out of date.
            staleness = Staleness(stale=True, changes=[
                InputChange(id=key, change="removed", before=stamp.value, cited=stamp.cited)
                for key, stamp in document.inputs.items()])
        if staleness.stale:
            out.append((summary, staleness))
    return out
