"""The writer protocol: facts and passages in, a draft document out.

Two implementations: :class:`kambot.llm.offline.OfflineWriter` (rules and templates,
no network) and :class:`kambot.llm.model_writer.ModelWriter` (a chat model with
structured output, e.g. ``ChatOpenAI`` through :mod:`kambot.llm.openai_model`). Both
return the same :class:`~kambot.domain.documents.DocumentDraft`; the grounding guard
(:mod:`kambot.llm.guard`) checks either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from kambot.domain.documents import (
    DocumentDraft,
    DocumentKind,
    Fact,
    GuardIssue,
    Lang,
    Passage,
)


@dataclass(frozen=True)
class DraftContext:
    """What a writer needs besides facts and passages.

    Attributes:
        account: the external id of the account the document is about (None for
            programme documents).
        options: document options, e.g. ``reader`` (our executive's person key) and
            ``counterpart`` (the customer contact's id) for a CEB.
        sections: when set, draft only these sections (a revision).
        feedback: the guard's issues on the previous attempt, to fix.
        previous: the previous draft of the document (a revision starts from it).
        names: names of people, contacts and accounts the data knows (for the guard).
        terms: other capitalised phrases of the data (segments, titles, initiatives).
    """

    account: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)
    sections: tuple[str, ...] | None = None
    feedback: tuple[GuardIssue, ...] = ()
    previous: DocumentDraft | None = None
    names: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()


@runtime_checkable
class Writer(Protocol):
    """Anything that drafts a document from facts and passages."""

    name: str

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
        """Return a draft whose statements cite the given facts and passages.

        Raises:
            ModelError: the writer (a model) failed or answered something unusable;
                ModelTimeoutError when it did not answer in time.
        """
        ...
