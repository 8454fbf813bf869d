"""The table of generated documents (account strategies, briefs, plans, review packs).

One row per version of a document. ``doc_key`` identifies a document's line of
versions (``<kind>/<account or programme>/<language>[/options]``); ``payload`` holds the
whole :class:`kambot.domain.documents.Document` as JSON, with the fingerprints of the
facts and passages it was drafted from (staleness is computed against them). The
columns beside the payload are what listings filter and sort on.

Named ``generated_documents`` so as not to clash with a ``documents`` table of uploaded
files, which the retrieval layer reads by that name.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from kambot.store.schema import Base, JsonDict


class GeneratedDocumentRow(Base):
    """One version of a generated document."""

    __tablename__ = "generated_documents"
    __table_args__ = (
        sa.UniqueConstraint("doc_key", "version"),
        sa.Index("ix_generated_documents_kind_account", "kind", "account_external_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_key: Mapped[str] = mapped_column(sa.String(400), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    account_external_id: Mapped[str | None] = mapped_column(sa.String(200))
    language: Mapped[str] = mapped_column(sa.String(2))
    version: Mapped[int]
    parent_version: Mapped[int | None]
    title: Mapped[str] = mapped_column(sa.Text())
    writer: Mapped[str] = mapped_column(sa.String(200))
    fallback_used: Mapped[bool] = mapped_column(server_default=sa.false())
    guard_passed: Mapped[bool] = mapped_column(server_default=sa.false())
    input_fingerprint: Mapped[str] = mapped_column(sa.String(64))
    as_of: Mapped[date]
    created_at: Mapped[datetime]
    payload: Mapped[JsonDict]


generated_documents = cast(sa.Table, GeneratedDocumentRow.__table__)
