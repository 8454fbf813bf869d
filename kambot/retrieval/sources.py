"""Where indexed chunks come from: the knowledge folder and the database.

The database is the source of truth for account documents: activity notes
(``activities.text``) and, when the schema has one, a ``documents`` table of uploaded
files' text (``id, account_id, title or filename, text``). Both are read with plain
SQL selects so that the retrieval layer depends on table and column names only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kambot.retrieval.chunking import AccountText, chunk_document, chunks_from_account_texts
from kambot.retrieval.corpus import load_corpus
from kambot.retrieval.models import Chunk, ChunkKind
from kambot.retrieval.text import Lang

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# Kinds of activity rows that are indexed as notes (all of them carry free text).
NOTE_KIND: ChunkKind = "account_note"
DOCUMENT_KIND: ChunkKind = "account_document"


def methodology_chunks(knowledge_dir: Path) -> list[Chunk]:
    """Chunk every methodology document under ``knowledge_dir/methodology/{fr,en}``.

    Args:
        knowledge_dir: the knowledge folder (``settings.knowledge_dir``).

    Returns:
        The chunks (an empty list when the folder holds no document yet).

    Raises:
        DataError: on a document that does not parse (the message names the file).
    """
    chunks: list[Chunk] = []
    for document in load_corpus(knowledge_dir / "methodology"):
        chunks.extend(chunk_document(document, str(knowledge_dir)))
    return chunks


def _flags(raw: Any) -> tuple[str, ...]:
    if not raw:
        return ()
    return tuple(f.strip() for f in str(raw).split(",") if f.strip())


def account_texts_from_db(engine: Engine) -> list[AccountText]:
    """Read the account notes and documents to index from the database.

    Args:
        engine: a SQLAlchemy engine on the kambot database.

    Returns:
        One record per activity with text (``activity-<id>``) and per row of a
        ``documents`` table when it exists (``doc-<id>``); none when the schema is not
        created yet.
    """
    import sqlalchemy as sa

    inspector = sa.inspect(engine)
    tables = set(inspector.get_table_names())
    records: list[AccountText] = []
    with engine.connect() as conn:
        if "activities" in tables:
            columns = {c["name"] for c in inspector.get_columns("activities")}
            flags_col = "flags" if "flags" in columns else "NULL"
            rows = conn.execute(sa.text(
                "SELECT id, account_id, kind, occurred_on, subject, text, "
                f"{flags_col} AS flags FROM activities "
                "WHERE text IS NOT NULL AND text <> '' ORDER BY id"
            ))
            for row in rows:
                title = row.subject or f"{row.kind} {row.occurred_on}"
                records.append(AccountText(int(row.account_id), f"activity-{row.id}",
                                           str(title), str(row.text), NOTE_KIND,
                                           (), _flags(row.flags)))
        if "documents" in tables:
            columns = {c["name"] for c in inspector.get_columns("documents")}
            if {"id", "account_id", "text"} <= columns:
                title_col = next((c for c in ("title", "filename", "name") if c in columns),
                                 None)
                title_sql = title_col or "NULL"
                rows = conn.execute(sa.text(
                    f"SELECT id, account_id, {title_sql} AS title, text FROM documents "
                    "WHERE text IS NOT NULL AND text <> '' AND account_id IS NOT NULL "
                    "ORDER BY id"
                ))
                for row in rows:
                    records.append(AccountText(int(row.account_id), f"doc-{row.id}",
                                               str(row.title or f"document {row.id}"),
                                               str(row.text), DOCUMENT_KIND))
    return records


def account_chunks_from_db(engine: Engine, default_language: Lang = "en") -> list[Chunk]:
    """Chunk the account notes and documents stored in the database.

    Args:
        engine: a SQLAlchemy engine on the kambot database.
        default_language: language of texts that give no clue.

    Returns:
        The chunks, scoped ``account:<id>`` and flagged when they carry injection
        markers.
    """
    return chunks_from_account_texts(account_texts_from_db(engine),
                                     default_language=default_language)
