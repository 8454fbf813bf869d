"""Store generated documents and their versions (table ``generated_documents``).

Every save is a new version of the document's line (same kind, account, language and
options); nothing is overwritten, so earlier versions stay available for comparison.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from kambot.domain.documents import Document, DocumentKind, Lang
from kambot.errors import NotFoundError, StoreError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

TABLE = "generated_documents"


class DocumentSummary(BaseModel):
    """One stored version, as listings show it."""

    model_config = ConfigDict(extra="forbid")

    id: int
    key: str
    kind: DocumentKind
    account_external_id: str | None
    language: Lang
    version: int
    parent_version: int | None
    title: str
    writer: str
    fallback_used: bool
    guard_passed: bool
    input_fingerprint: str
    created_at: datetime


def _check_table(engine: Engine) -> None:
    import sqlalchemy as sa

    if not sa.inspect(engine).has_table(TABLE):
        raise StoreError(
            f"the database has no {TABLE} table yet",
            hint="upgrade the database schema (kambot init runs the migrations)",
        )


_SAVE_ATTEMPTS = 5


def _advisory_lock_id(key: str) -> int:
    """Return a stable signed 64-bit number for a document key (a PostgreSQL lock id)."""
    import hashlib

    digest = hashlib.blake2b(f"kambot-document:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def save_document(engine: Engine, document: Document) -> Document:
    """Store a document as the next version of its line and return it with that version.

    ``document.version`` is replaced by the next free number; ``parent_version`` is
    kept (a revision names the version it started from).

    Raises:
        StoreError: the table is missing or the write failed.
    """
    import sqlalchemy as sa

    from kambot.store.db import session_scope
    from kambot.store.documents_schema import GeneratedDocumentRow

    _check_table(engine)
    # Two writers of one document would compute the same next version. SQLite runs
    # write transactions one at a time; on PostgreSQL a transaction-scoped advisory lock
    # on the document's key does the same for its writers. The unique (doc_key, version)
    # stays the backstop: a writer it refuses reads the new maximum and tries again.
    lock_id = _advisory_lock_id(document.key)
    for attempt in range(_SAVE_ATTEMPTS):
        try:
            with session_scope(engine, write=True) as session:
                if session.get_bind().dialect.name == "postgresql":
                    session.execute(sa.text("SELECT pg_advisory_xact_lock(:id)"),
                                    {"id": lock_id})
                latest = session.scalar(sa.select(sa.func.max(GeneratedDocumentRow.version))
                                        .where(GeneratedDocumentRow.doc_key == document.key))
                stored = document.model_copy(update={"version": int(latest or 0) + 1})
                session.add(GeneratedDocumentRow(
                    doc_key=stored.key, kind=stored.kind,
                    account_external_id=stored.account_external_id,
                    language=stored.language, version=stored.version,
                    parent_version=stored.parent_version, title=stored.title,
                    writer=stored.writer, fallback_used=stored.fallback_used,
                    guard_passed=stored.guard.passed,
                    input_fingerprint=stored.input_fingerprint, as_of=stored.as_of,
                    created_at=stored.created_at, payload=stored.model_dump(mode="json"),
                ))
            return stored
        except sa.exc.IntegrityError as exc:
            if attempt + 1 == _SAVE_ATTEMPTS:
                raise StoreError(f"could not store the document {document.key}: {exc}",
                                 hint="retry; another process kept writing the same document"
                                 ) from exc
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"could not store the document {document.key}: {exc}",
                             hint="retry; another process may be writing the same document"
                             ) from exc
    raise AssertionError("unreachable")  # the loop returns or raises


def _summary(row: object) -> DocumentSummary:
    from kambot.store.documents_schema import GeneratedDocumentRow

    assert isinstance(row, GeneratedDocumentRow)
    return DocumentSummary(
        id=row.id, key=row.doc_key, kind=row.kind,  # type: ignore[arg-type]
        account_external_id=row.account_external_id, language=row.language,  # type: ignore[arg-type]
        version=row.version, parent_version=row.parent_version, title=row.title,
        writer=row.writer, fallback_used=row.fallback_used, guard_passed=row.guard_passed,
        input_fingerprint=row.input_fingerprint, created_at=row.created_at,
    )


def load_document(engine: Engine, key: str, version: int | None = None) -> Document:
    """Return a stored document: the latest version of ``key``, or the given version.

    Raises:
        NotFoundError: no such document or version.
        StoreError: the table is missing.
    """
    import sqlalchemy as sa

    from kambot.store.db import session_scope
    from kambot.store.documents_schema import GeneratedDocumentRow

    _check_table(engine)
    stmt = sa.select(GeneratedDocumentRow.payload).where(GeneratedDocumentRow.doc_key == key)
    if version is None:
        stmt = stmt.order_by(GeneratedDocumentRow.version.desc()).limit(1)
    else:
        stmt = stmt.where(GeneratedDocumentRow.version == version)
    with session_scope(engine) as session:
        payload = session.scalar(stmt)
    if payload is None:
        raise NotFoundError(
            f"no stored document {key!r}" + (f" version {version}" if version else ""),
            hint="list the stored documents, or draft it first",
        )
    return Document.model_validate(payload)


def get_document(engine: Engine, document_id: int) -> Document:
    """Return a stored document version by its row id.

    Raises:
        NotFoundError: no such id.
    """
    import sqlalchemy as sa

    from kambot.store.db import session_scope
    from kambot.store.documents_schema import GeneratedDocumentRow

    _check_table(engine)
    with session_scope(engine) as session:
        payload = session.scalar(sa.select(GeneratedDocumentRow.payload)
                                 .where(GeneratedDocumentRow.id == document_id))
    if payload is None:
        raise NotFoundError(f"no stored document with id {document_id}",
                            hint="list the stored documents to see their ids")
    return Document.model_validate(payload)


def list_documents(
    engine: Engine,
    *,
    kind: DocumentKind | None = None,
    account: str | None = None,
    language: Lang | None = None,
    latest_only: bool = True,
) -> list[DocumentSummary]:
    """List stored documents, newest first; only each line's latest version by default.

    Raises:
        StoreError: the table is missing.
    """
    import sqlalchemy as sa

    from kambot.store.db import session_scope
    from kambot.store.documents_schema import GeneratedDocumentRow as Row

    _check_table(engine)
    stmt = sa.select(Row)
    if kind is not None:
        stmt = stmt.where(Row.kind == kind)
    if account is not None:
        stmt = stmt.where(Row.account_external_id == account)
    if language is not None:
        stmt = stmt.where(Row.language == language)
    if latest_only:
        latest = (sa.select(Row.doc_key, sa.func.max(Row.version).label("v"))
                  .group_by(Row.doc_key).subquery())
        stmt = stmt.join(latest, sa.and_(Row.doc_key == latest.c.doc_key,
                                          Row.version == latest.c.v))
    stmt = stmt.order_by(Row.created_at.desc(), Row.id.desc())
    with session_scope(engine) as session:
        return [_summary(r) for r in session.scalars(stmt)]


def list_versions(engine: Engine, key: str) -> list[DocumentSummary]:
    """List every stored version of one document, oldest first.

    Raises:
        StoreError: the table is missing.
    """
    import sqlalchemy as sa

    from kambot.store.db import session_scope
    from kambot.store.documents_schema import GeneratedDocumentRow as Row

    _check_table(engine)
    with session_scope(engine) as session:
        rows = session.scalars(sa.select(Row).where(Row.doc_key == key)
                               .order_by(Row.version))
        return [_summary(r) for r in rows]
