"""Drafting use cases: grounded documents from the deterministic facts and the methodology.

Public API (see :mod:`kambot.assistant.drafting.service`):

- ``draft_document(settings, service, kind, account_ref, lang, writer=None, *,
  instructions, options, save) -> Document``
- ``draft_all(settings, service, kind, lang, progress, *, writer, save) -> list[Document]``
- ``revise_section(document, section_key, instruction, *, settings, service, writer, save)``
- ``compare_versions(old, new) -> VersionDiff``
- ``check_staleness(settings, service, document) -> Staleness``
- ``stale_documents(settings, service, *, kind) -> list[(DocumentSummary, Staleness)]``

Storage (:mod:`kambot.assistant.drafting.storage`): ``save_document``, ``load_document``,
``get_document``, ``list_documents``, ``list_versions``. Sources
(:mod:`kambot.assistant.drafting.sources`): ``StoreSource``, ``MemorySource``.
"""

from kambot.assistant.drafting.service import (
    check_staleness,
    compare_versions,
    draft_all,
    draft_document,
    drafting_context,
    revise_section,
    stale_documents,
)

__all__ = [
    "check_staleness",
    "compare_versions",
    "draft_all",
    "draft_document",
    "drafting_context",
    "revise_section",
    "stale_documents",
]
