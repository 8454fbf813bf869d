"""Draft documents with a chat model: prompt in, structured answer out.

:class:`ModelWriter` turns one request into the ``draft_document`` prompt (facts and
methodology passages as cited lists, account notes inside ``<untrusted_data>``), asks a
:class:`StructuredModel` for a :class:`DraftAnswer` and maps the answer onto the
document's outline. The model behind it is either the OpenAI-compatible adapter
(:mod:`kambot.llm.openai_model`) or the scripted model of :mod:`kambot.llm.testing`.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from kambot.domain.documents import (
    DocumentDraft,
    DocumentKind,
    Fact,
    GuardIssue,
    Lang,
    Passage,
    Section,
    Statement,
    document_title,
    outline,
)
from kambot.errors import ModelError
from kambot.llm.base import DraftContext
from kambot.llm.prompts import load_prompt

PROMPT_NAME = "draft_document"
T = TypeVar("T", bound=BaseModel)
UNTRUSTED_TAG = "untrusted_data"
_HIDDEN = re.compile(
    "[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]"
)


class DraftStatement(BaseModel):
    """A statement as a model answers it."""

    model_config = ConfigDict(extra="forbid")
    text: str
    citations: list[str]


class DraftSection(BaseModel):
    """A section as a model answers it (its key, not its title)."""

    model_config = ConfigDict(extra="forbid")
    key: str
    statements: list[DraftStatement]


class DraftAnswer(BaseModel):
    """The structured answer asked of a model."""

    model_config = ConfigDict(extra="forbid")
    sections: list[DraftSection]


@dataclass(frozen=True)
class ChatMessage:
    """One message of a chat prompt."""

    role: Literal["system", "user", "assistant"]
    content: str


class StructuredModel(Protocol):
    """A chat model that answers with an instance of a pydantic schema."""

    name: str

    def complete(self, messages: Sequence[ChatMessage], schema: type[T]) -> T:
        """Return the model's answer parsed into ``schema``.

        Raises:
            ModelError: the model failed or its answer does not fit the schema;
                ModelTimeoutError when it did not answer in time.
        """
        ...


def sanitise_untrusted(text: str) -> str:
    """Make untrusted text safe to put between delimiters.

    Hidden characters go, and the delimiter tag cannot be closed or reopened from the
    inside: ``<`` and ``>`` are escaped, so ``</untrusted_data>`` in a note stays text.
    """
    return html.escape(_HIDDEN.sub("", text), quote=False)


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def render_facts(facts: Sequence[Fact], lang: Lang) -> str:
    """Return the facts as ``[id] sentence`` lines."""
    return "\n".join(f"[{f.id}] {f.text(lang)}" for f in facts) or "-"


def render_passages(passages: Sequence[Passage]) -> str:
    """Return the trusted passages as ``<passage id=...>`` blocks."""
    blocks = [f'<passage id="{_attr(p.id)}" title="{_attr(p.title)}">\n{p.text}\n</passage>'
              for p in passages if not p.untrusted]
    return "\n".join(blocks) or "-"


def render_notes(passages: Sequence[Passage]) -> str:
    """Return the untrusted passages, each delimited and declared as data."""
    blocks = []
    for p in passages:
        if not p.untrusted:
            continue
        flags = f' flagged="{_attr(",".join(p.flags))}"' if p.flags else ""
        when = f' date="{p.occurred_on.isoformat()}"' if p.occurred_on else ""
        blocks.append(f'<{UNTRUSTED_TAG} id="{_attr(p.id)}"{when}{flags} '
                      f'title="{_attr(sanitise_untrusted(p.title))}">\n'
                      f"{sanitise_untrusted(p.text)}\n</{UNTRUSTED_TAG}>")
    return "\n".join(blocks) or "-"


def render_feedback(issues: Sequence[GuardIssue]) -> str:
    """Return the guard's issues as lines the model can act on."""
    return "\n".join(
        f"- section {i.section}"
        + (f", statement {i.statement + 1}" if i.statement is not None else "")
        + f": {i.message}" + (f' (text: "{i.text[:160]}")' if i.text else "")
        for i in issues
    ) or "-"


def render_previous(previous: DocumentDraft | None, keys: Sequence[str] | None) -> str:
    """Return the previous version of the sections being revised."""
    if previous is None:
        return "-"
    lines = []
    for s in previous.sections:
        if keys is not None and s.key not in keys:
            continue
        lines.append(f"{s.key}:")
        lines += [f"  - {st.text} {st.citations}" for st in s.statements]
    return "\n".join(lines) or "-"


def build_messages(
    prompts_dir: Path,
    kind: DocumentKind,
    facts: Sequence[Fact],
    passages: Sequence[Passage],
    lang: Lang,
    instructions: str | None,
    context: DraftContext,
) -> tuple[list[ChatMessage], str]:
    """Return the chat messages of one drafting request and the prompt's reference.

    Raises:
        ConfigError: the prompt file is missing or invalid.
    """
    prompt = load_prompt(prompts_dir, PROMPT_NAME, lang)
    specs = [s for s in outline(kind) if context.sections is None or s.key in context.sections]
    subject = next((str(f.value) for f in facts if context.account and
                    f.id == f"acct:{context.account}/name"), None)
    reader = context.options.get("reader")
    counterpart = context.options.get("counterpart")
    guidance = prompt.kinds.get(kind, "")
    if reader:
        guidance += f"\nReader: [person:{reader}]."
    if counterpart and context.account:
        guidance += f"\nCounterpart: [acct:{context.account}/contact:{counterpart}]."
    system, user = prompt.render(
        title=document_title(kind, lang, subject),
        guidance=guidance.strip() or "-",
        sections="\n".join(f"- {s.key}: {s.title(lang)}" for s in specs),
        facts=render_facts(facts, lang),
        passages=render_passages(passages),
        notes=render_notes(passages),
        instructions=instructions.strip() if instructions and instructions.strip() else "-",
        feedback=render_feedback(context.feedback),
        previous=render_previous(context.previous, context.sections),
    )
    return [ChatMessage("system", system), ChatMessage("user", user)], prompt.ref


def answer_to_draft(answer: DraftAnswer, kind: DocumentKind, lang: Lang,
                    title: str, keys: Sequence[str] | None = None) -> DocumentDraft:
    """Map a model's answer onto the outline: known keys, outline order, outline titles.

    Sections the outline does not have are dropped; absent ones come back empty, for
    the guard to report as missing.
    """
    by_key: dict[str, list[Statement]] = {}
    for s in answer.sections:
        by_key.setdefault(s.key.strip(), []).extend(
            Statement(text=st.text.strip(), citations=[c.strip() for c in st.citations])
            for st in s.statements if st.text.strip()
        )
    sections = [Section(key=spec.key, title=spec.title(lang), statements=by_key.get(spec.key, []))
                for spec in outline(kind) if keys is None or spec.key in keys]
    return DocumentDraft(title=title, sections=sections)


class ModelWriter:
    """A writer backed by a chat model with structured output."""

    def __init__(self, model: StructuredModel, prompts_dir: Path,
                 name: str | None = None) -> None:
        """Use ``model`` with the prompts of ``prompts_dir``."""
        self.model = model
        self.prompts_dir = prompts_dir
        self.name = name or model.name
        self.last_prompt_ref: str | None = None

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
        """Ask the model for the document and map its answer onto the outline.

        Raises:
            ModelError: the model failed or answered something that is not a draft.
            ConfigError: the prompt file is missing or invalid.
        """
        ctx = context or DraftContext()
        messages, ref = build_messages(self.prompts_dir, kind, facts, passages, lang,
                                       instructions, ctx)
        self.last_prompt_ref = ref
        try:
            answer = self.model.complete(messages, DraftAnswer)
        except ValidationError as exc:  # a model adapter that let one through
            raise ModelError("the model's answer does not fit the document schema",
                             hint="retry, or use a model that supports structured output",
                             reason="validation") from exc
        if not isinstance(answer, DraftAnswer):
            raise ModelError("the model answered something that is not a draft",
                             reason="validation")
        subject = next((str(f.value) for f in facts
                        if ctx.account and f.id == f"acct:{ctx.account}/name"),
                       next((str(f.value) for f in facts if f.id == "prog:name"), None))
        return answer_to_draft(answer, kind, lang, document_title(kind, lang, subject),
                               ctx.sections)
