"""Revise a document section by section, list its versions, compare two versions.

A document about an account is read by whoever sees the account and revised by who
may change its plans (its KAM, leads, admins); programme documents are read by the
portfolio roles and revised by leads and admins. A document outside the caller's
scope answers 404 like an unknown id. HR reads no document and executives revise
none: those whole endpoints answer them 403.
"""

from __future__ import annotations

from datetime import UTC
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from api.deps import PrincipalDep, ServiceDep, SettingsDep, knowledge_version
from api.stored_answers import stored_answer, stored_answer_also
from kambot.assistant.chat.scope import can_read_document, can_write_document
from kambot.assistant.drafting.storage import DocumentSummary
from kambot.assistant.portfolio import PortfolioService
from kambot.domain.documents import Document, Staleness, VersionDiff
from kambot.domain.identity import Principal, Role
from kambot.errors import DataError, NotFoundError, PermissionDeniedError

router = APIRouter(prefix="/documents", tags=["documents"])
REVISERS = frozenset({Role.KAM, Role.LEAD, Role.ADMIN})
DocumentId = Annotated[int, Path(ge=1, le=2**31 - 1, description="a stored version's id")]
SectionId = Annotated[str, Path(min_length=1, max_length=60, pattern=r"^[a-z_]+$",
                                description="a section key, e.g. initiatives")]


class ReviseRequest(BaseModel):
    """What to change in the section."""

    model_config = ConfigDict(extra="forbid")

    instruction: str = Field(min_length=1, max_length=2000)


def _account_id(service: PortfolioService, external_id: str | None) -> int | None:
    if external_id is None:
        return None
    try:
        accounts = service.analysis().portfolio.accounts
    except DataError:
        return -1
    for i, x in zip(accounts.ids, accounts.external_ids, strict=True):
        if x == external_id:
            return int(i)
    return -1


def _unknown(document_id: int) -> NotFoundError:
    return NotFoundError(f"no stored document with id {document_id}",
                         hint="list the stored documents to see their ids")


def _require_reader(principal: Principal) -> None:
    if principal.role == Role.HR:
        raise PermissionDeniedError("the hr role reads no account or programme document",
                                    hint="HR reports are under /assessments",
                                    role=principal.role.value)


def _readable(principal: Principal, service: PortfolioService, document_id: int) -> Document:
    from kambot.assistant.drafting.storage import get_document

    _require_reader(principal)
    doc = get_document(service.engine, document_id)
    if not can_read_document(principal, _account_id(service, doc.account_external_id)):
        raise _unknown(document_id)
    return doc


@router.post("/{document_id}/sections/{section_id}/revise", response_model=Document,
             status_code=201)
def revise(document_id: DocumentId, section_id: SectionId, body: ReviseRequest,
           principal: PrincipalDep, settings: SettingsDep, service: ServiceDep) -> Document:
    """Redraft one section following the instruction (the grounding guard runs on the
    whole document) and store the result as a new version."""
    from kambot.assistant.drafting import revise_section

    if principal.role not in REVISERS:
        raise PermissionDeniedError(
            f"the {principal.role.value} role may not revise documents",
            hint="documents are revised by the account's KAM, leads and admins",
            role=principal.role.value)
    doc = _readable(principal, service, document_id)
    if not can_write_document(principal, doc.kind,
                              _account_id(service, doc.account_external_id)):
        raise PermissionDeniedError(
            f"the {principal.role.value} role may not change this document",
            hint="account documents are revised by the account's KAM, leads and admins; "
                 "programme documents by leads and admins")
    return revise_section(doc, section_id, body.instruction, settings=settings,
                          service=service, save=True)


@stored_answer_also(knowledge_version)
@router.get("/{document_id}/staleness", response_model=Staleness)
def staleness(document_id: DocumentId, principal: PrincipalDep, settings: SettingsDep,
              service: ServiceDep) -> Staleness:
    """Tell whether the facts or passages this version rests on changed since it was drafted."""
    from kambot.assistant.drafting.service import check_staleness

    return check_staleness(settings, service, _readable(principal, service, document_id))


@stored_answer
@router.get("/{document_id}/versions", response_model=list[DocumentSummary])
def versions(document_id: DocumentId, principal: PrincipalDep, service: ServiceDep
             ) -> list[DocumentSummary]:
    """List every stored version of this document, oldest first."""
    from kambot.assistant.drafting.storage import list_versions

    doc = _readable(principal, service, document_id)
    # The column keeps no time zone, but the times stored are UTC (Document.created_at is
    # taken with datetime.now(UTC)); the schema's date-time (RFC 3339) needs the offset.
    return [v if v.created_at.tzinfo is not None
            else v.model_copy(update={"created_at": v.created_at.replace(tzinfo=UTC)})
            for v in list_versions(service.engine, doc.key)]


@stored_answer
@router.get("/{document_id}/compare", response_model=VersionDiff)
def compare(
    document_id: DocumentId,
    principal: PrincipalDep,
    service: ServiceDep,
    other: Annotated[int, Query(alias="with", ge=1, le=2**31 - 1,
                                description="the id of the other version")],
) -> VersionDiff:
    """Return the statements added and removed, section by section, from the version
    ``with`` to this one (422 when they are not versions of the same document)."""
    from kambot.assistant.drafting import compare_versions

    new = _readable(principal, service, document_id)
    old = _readable(principal, service, other)
    return compare_versions(old, new)
