"""Grounded documents: draft, list, fetch, download as DOCX or Markdown."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from api.deps import ServiceDep, SettingsDep
from kambot.domain.documents import Document, DocumentKind, Lang

router = APIRouter(prefix="/documents", tags=["documents"])


class DraftRequest(BaseModel):
    """What to draft."""

    kind: DocumentKind
    account: str | None = Field(default=None, description="external id, id or name")
    lang: Lang | None = None
    instructions: str | None = Field(default=None, max_length=2000)


@router.post("", response_model=Document)
def draft(body: DraftRequest, settings: SettingsDep, service: ServiceDep) -> Document:
    """Draft (and store) a document; every statement cites a passage or a fact."""
    from kambot.assistant.drafting import draft_document

    return draft_document(settings, service, body.kind, body.account, body.lang,
                          instructions=body.instructions)


@router.get("")
def list_(
    service: ServiceDep,
    kind: DocumentKind | None = None,
    account: str | None = None,
    lang: Annotated[Lang | None, Query()] = None,
) -> list[dict[str, object]]:
    """List the latest version of each stored document."""
    from kambot.assistant.drafting.storage import list_documents

    return [d.model_dump(mode="json") for d in
            list_documents(service.engine, kind=kind, account=account, language=lang)]


@router.get("/{document_id}", response_model=Document)
def get(document_id: int, service: ServiceDep) -> Document:
    """Return one stored document version."""
    from kambot.assistant.drafting.storage import get_document

    return get_document(service.engine, document_id)


@router.get("/{document_id}/docx")
def docx(document_id: int, service: ServiceDep) -> Response:
    """Download a stored document as DOCX (citations as footnotes)."""
    from kambot.assistant.drafting.storage import get_document
    from kambot.exports.docx import render_docx

    doc = get_document(service.engine, document_id)
    name = doc.key.replace("/", "_") + ".docx"
    return Response(
        render_docx(doc),
        media_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{document_id}/markdown")
def markdown(document_id: int, service: ServiceDep) -> Response:
    """Download a stored document as Markdown (citations as footnotes)."""
    from kambot.assistant.drafting.storage import get_document
    from kambot.exports.markdown import render_markdown

    doc = get_document(service.engine, document_id)
    return Response(render_markdown(doc), media_type="text/markdown; charset=utf-8")
