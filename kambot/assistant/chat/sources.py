"""Open a citation: the full text behind a citation id, within the principal's scope.

Ids, as the chat and the documents cite them:

- ``<lang>/<doc>#<section>``: a methodology passage (everyone);
- ``account-<id>/<source>#<section>``: an indexed account note or document, and
  ``note:<activity external id>``: a note a document cites (whoever sees the account);
- ``acct:<external id>/...``: a fact about an account (whoever sees the account);
  ``prog:...`` and ``person:...``: programme facts (the portfolio roles);
- ``doc:<row id>`` or ``doc:<row id>#<section key>``: a stored document or one of its
  sections (whoever may read the document).

Anything unknown, or outside the scope, raises the same :class:`NotFoundError`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from kambot.assistant.chat.models import CitationKind, Lang
from kambot.assistant.chat.scope import can_read_document
from kambot.config import Settings
from kambot.domain.identity import Principal, Role
from kambot.errors import NotFoundError

if TYPE_CHECKING:
    from kambot.assistant.portfolio import PortfolioService
    from kambot.retrieval.index import SearchIndex
    from kambot.retrieval.models import Chunk

_ACCOUNT_CHUNK = re.compile(r"^account-(\d+)/")
_DOC = re.compile(r"^doc:(\d+)(?:#([\w-]+))?$")
_ACTIVITY = re.compile(r"^account-\d+/activity-(\d+)#")


class SourceView(BaseModel):
    """The text behind a citation."""

    model_config = ConfigDict(extra="forbid")

    id: str
    kind: CitationKind
    title: str
    text: str
    lang: Lang


def _unknown(source_id: str) -> NotFoundError:
    return NotFoundError(f"unknown source {source_id!r}",
                         hint="open a citation id given by an answer or a document")


@lru_cache(maxsize=4)
def _methodology(knowledge_dir: str, stamp: float) -> dict[str, Chunk]:
    from kambot.retrieval.sources import methodology_chunks

    return {c.id: c for c in methodology_chunks(Path(knowledge_dir))}


_STAMPS: dict[str, tuple[float, float]] = {}
STAMP_EVERY_S = 5.0


def corpus_stamp(knowledge_dir: Path) -> float:
    """Return the latest change time of the methodology files (looked up every 5 s)."""
    now = time.monotonic()
    key = str(knowledge_dir)
    seen = _STAMPS.get(key)
    if seen is not None and now - seen[0] < STAMP_EVERY_S:
        return seen[1]
    folder = knowledge_dir / "methodology"
    stamp = max((p.stat().st_mtime for p in folder.rglob("*.md")), default=0.0)
    _STAMPS[key] = (now, stamp)
    return stamp


def methodology_chunk(knowledge_dir: Path, chunk_id: str) -> Chunk | None:
    """Return a methodology chunk by id (the corpus is read once, again when it changes)."""
    return _methodology(str(knowledge_dir), corpus_stamp(knowledge_dir)).get(chunk_id)


def _lang(value: str) -> Lang:
    return "fr" if value == "fr" else "en"


def _account_id(service: PortfolioService, external_id: str) -> int | None:
    accounts = service.analysis().portfolio.accounts
    for i, x in zip(accounts.ids, accounts.external_ids, strict=True):
        if x == external_id:
            return int(i)
    return None


def _note_from_db(service: PortfolioService, *, row_id: int | None = None,
                  external_id: str | None = None) -> tuple[int, str, str, str] | None:
    """Return (account id, subject, text, language guess) of an activity, if any."""
    import sqlalchemy as sa

    from kambot.store.schema import ActivityRow

    stmt = sa.select(ActivityRow.account_id, ActivityRow.subject, ActivityRow.text)
    stmt = (stmt.where(ActivityRow.id == row_id) if row_id is not None
            else stmt.where(ActivityRow.external_id == external_id))
    with service.engine.connect() as conn:
        row = conn.execute(stmt).first()
    if row is None or row.text is None:
        return None
    from kambot.assistant.chat.lang import detect_language

    return int(row.account_id), str(row.subject or ""), str(row.text), \
        detect_language(str(row.text)) or "en"


def open_source(
    settings: Settings,
    service: PortfolioService,
    principal: Principal,
    source_id: str,
    lang: Lang | None = None,
    index: Callable[[], SearchIndex] | None = None,
) -> SourceView:
    """Return the text behind a citation id, if the principal may read it.

    Args:
        settings: the settings (knowledge folder).
        service: the portfolio service (database and analysis).
        principal: who asks.
        source_id: the citation id.
        lang: the language of fact texts (the settings' by default).
        index: the search index, for account passages it holds.

    Raises:
        NotFoundError: unknown id, or outside the principal's scope (same answer).
    """
    lg: Lang = lang or settings.lang
    sid = source_id.strip()
    if not sid:
        raise _unknown(sid)
    if sid.startswith("doc:"):
        return _document(service, principal, sid)
    if sid.startswith(("acct:", "prog:", "person:")):
        return _fact(settings, service, principal, sid, lg)
    if sid.startswith("note:"):
        found = _note_from_db(service, external_id=sid.removeprefix("note:"))
        if found is None or not principal.can_see_account(found[0]):
            raise _unknown(sid)
        from kambot.retrieval.injection import strip_hidden

        return SourceView(id=sid, kind="note", title=strip_hidden(found[1]),
                          text=strip_hidden(found[2]), lang=_lang(found[3]))
    match = _ACCOUNT_CHUNK.match(sid)
    if match is not None:
        if not principal.can_see_account(int(match.group(1))):
            raise _unknown(sid)
        chunk = index().get_chunk(sid) if index is not None else None
        if chunk is not None:
            return SourceView(id=sid, kind="note", title=f"{chunk.title} — {chunk.section}",
                              text=chunk.text, lang=_lang(chunk.language))
        activity = _ACTIVITY.match(sid)
        row = _note_from_db(service, row_id=int(activity.group(1))) if activity else None
        if row is None or row[0] != int(match.group(1)):
            raise _unknown(sid)
        from kambot.retrieval.injection import strip_hidden

        return SourceView(id=sid, kind="note", title=strip_hidden(row[1]),
                          text=strip_hidden(row[2]), lang=_lang(row[3]))
    chunk = methodology_chunk(settings.knowledge_dir, sid)
    if chunk is None:
        raise _unknown(sid)
    return SourceView(id=sid, kind="methodology", title=f"{chunk.title} — {chunk.section}",
                      text=chunk.text, lang=_lang(chunk.language))


def _document(service: PortfolioService, principal: Principal, sid: str) -> SourceView:
    from kambot.assistant.drafting.storage import get_document

    match = _DOC.match(sid)
    if match is None:
        raise _unknown(sid)
    try:
        doc = get_document(service.engine, int(match.group(1)))
    except NotFoundError as exc:
        raise _unknown(sid) from exc
    account = doc.account_external_id
    account_id = None if account is None else (_account_id(service, account) or -1)
    if not can_read_document(principal, account_id):
        raise _unknown(sid)
    key = match.group(2)
    if key is None:
        text = "\n\n".join(f"{s.title}\n" + "\n".join(st.text for st in s.statements)
                           for s in doc.sections)
        return SourceView(id=sid, kind="document", title=f"{doc.title} (v{doc.version})",
                          text=text, lang=doc.language)
    section = doc.section(key)
    if section is None:
        raise _unknown(sid)
    return SourceView(id=sid, kind="document", title=f"{doc.title} — {section.title}",
                      text="\n".join(st.text for st in section.statements), lang=doc.language)


def _fact(settings: Settings, service: PortfolioService, principal: Principal, sid: str,
          lang: Lang) -> SourceView:
    from kambot.assistant.drafting import drafting_context

    kind: Literal["executive_summary", "programme_review"]
    if sid.startswith("acct:"):
        external = sid.removeprefix("acct:").split("/", 1)[0]
        account_id = _account_id(service, external)
        if principal.role == Role.HR or account_id is None \
                or not principal.can_see_account(account_id):
            raise _unknown(sid)
        kind, account = "executive_summary", external
    else:
        if not principal.can_see_portfolio:
            raise _unknown(sid)
        kind, account = "programme_review", None
    inputs = drafting_context(settings, service).inputs(kind, lang, account)
    fact = next((f for f in inputs.facts if f.id == sid), None)
    if fact is None:
        raise _unknown(sid)
    return SourceView(id=sid, kind="fact", title=fact.label, text=fact.text(lang), lang=lang)
