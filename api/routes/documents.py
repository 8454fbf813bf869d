"""Grounded documents: draft, list, fetch, download as DOCX or Markdown.

Scope: a document about an account is visible to whoever sees the account; programme
documents (sponsorship plan, programme review) to the portfolio roles (executive,
lead, admin). A document outside the caller's scope answers 404, like an unknown id.
HR reads no document (403). Drafting: account documents by KAM (own accounts), lead
and admin; programme documents by lead and admin.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import (
    DocumentReaderDep,
    ServiceDep,
    SettingsDep,
    account_ids_by_ref,
    audit_object,
    resolve_account_for,
)
from api.stored_answers import stored_answer
from kambot.assistant.portfolio import PortfolioService
from kambot.domain.documents import Document, DocumentKind, Lang
from kambot.domain.identity import Principal

router = APIRouter(prefix="/documents", tags=["documents"])


AccountKind = Literal["account_strategy", "executive_summary", "ceb"]
ProgrammeKind = Literal["sponsorship_plan", "programme_review"]
# Database ids are 32-bit integers on PostgreSQL.
DocumentId = Annotated[int, Path(ge=1, le=2**31 - 1, description="a stored version's id")]


class AccountDraft(BaseModel):
    """An account document to draft: about one account."""

    model_config = ConfigDict(extra="forbid")

    kind: AccountKind
    account: str = Field(min_length=1, max_length=200, pattern=r"\S",
                         description="external id, id or name")
    lang: Lang | None = None
    instructions: str | None = Field(default=None, max_length=2000)


class ProgrammeDraft(BaseModel):
    """A programme document to draft: about the whole programme (no account)."""

    model_config = ConfigDict(extra="forbid")

    kind: ProgrammeKind
    account: None = None
    lang: Lang | None = None
    instructions: str | None = Field(default=None, max_length=2000)


DraftRequest = Annotated[AccountDraft | ProgrammeDraft, Field(discriminator="kind")]


def _account_id(service: PortfolioService, account: str | None) -> int | None:
    """Return the account id a document is about; -1 for an account that is gone."""
    if account is None:
        return None
    return account_ids_by_ref(service).get(account, -1)


def _visible(principal: Principal, service: PortfolioService, document_id: int) -> Document:
    from kambot.assistant.drafting.storage import get_document
    from kambot.auth.access import can_read_document, unknown_document

    doc = get_document(service.engine, document_id)
    if not can_read_document(principal, _account_id(service, doc.account_external_id)):
        raise unknown_document(document_id)
    return doc


@router.post("", response_model=Document)
def draft(body: DraftRequest, request: Request, principal: DocumentReaderDep,
          settings: SettingsDep, service: ServiceDep) -> Document:
    """Draft (and store) a document; every statement cites a passage or a fact."""
    from kambot.assistant.drafting import draft_document
    from kambot.auth.access import require_drafter

    require_drafter(principal, body.kind)
    account = body.account if isinstance(body, AccountDraft) else None
    if account is not None:
        account = resolve_account_for(principal, service, account)
    audit_object(request, "document", None, account=account, kind=body.kind)
    doc = draft_document(settings, service, body.kind, account, body.lang,
                         instructions=body.instructions)
    audit_object(request, "document", doc.key + f"@v{doc.version}", account=account,
                 kind=body.kind)
    return doc


@stored_answer
@router.get("")
def list_(
    principal: DocumentReaderDep,
    service: ServiceDep,
    kind: DocumentKind | None = None,
    account: str | None = None,
    lang: Annotated[Lang | None, Query()] = None,
) -> list[dict[str, object]]:
    """List the latest version of each stored document the caller may read."""
    from kambot.assistant.drafting.storage import list_documents
    from kambot.auth.access import can_read_document

    by_ref = account_ids_by_ref(service)
    # The stored list is read again only once the database changed; who may read which
    # document is decided below on every request.
    stored = service.memo(("documents", kind, account, lang), lambda: list_documents(
        service.engine, kind=kind, account=account, language=lang))
    return [d.model_dump(mode="json") for d in stored
            if can_read_document(principal, None if d.account_external_id is None
                                 else by_ref.get(d.account_external_id, -1))]


@stored_answer
@router.get("/{document_id}", response_model=Document)
def get(document_id: DocumentId, principal: DocumentReaderDep, service: ServiceDep) -> Document:
    """Return one stored document version."""
    return _visible(principal, service, document_id)


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@stored_answer
@router.get("/{document_id}/docx", response_class=Response, responses={200: {
    "description": "The document as a Word file",
    "content": {DOCX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}})
def docx(document_id: DocumentId, principal: DocumentReaderDep, service: ServiceDep) -> Response:
    """Download a stored document as DOCX (citations as footnotes)."""
    from kambot.exports.docx import render_docx

    doc = _visible(principal, service, document_id)
    name = doc.key.replace("/", "_") + ".docx"
    return Response(
        render_docx(doc),
        media_type=DOCX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@stored_answer
@router.get("/{document_id}/markdown", response_class=Response, responses={200: {
    "description": "The document in Markdown",
    "content": {"text/markdown": {"schema": {"type": "string"}}}}})
def markdown(document_id: DocumentId, principal: DocumentReaderDep,
             service: ServiceDep) -> Response:
    """Download a stored document as Markdown (citations as footnotes)."""
    from kambot.exports.markdown import render_markdown

    doc = _visible(principal, service, document_id)
    return Response(render_markdown(doc), media_type="text/markdown; charset=utf-8")
