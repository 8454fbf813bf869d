"""Cut documents into chunks: one per ``##`` section, long sections split by paragraph.

Chunk ids are readable and stable: ``<lang>/<doc id>#<section-slug>`` for the first (or
only) part of a section, ``...#<section-slug>-<n>`` for part n >= 2, and
``account-<id>/<source id>#<section-slug>[-<n>]`` for account documents. They depend only
on the document id and the heading, never on the text, so a citation survives an edit
of the paragraph it points to; the text's version is the ``content_hash`` kept beside
the id (the index fingerprint uses both, so an edit still triggers a reindex). Two
sections of one document whose headings slug the same are numbered (``-dup2``); a
remaining clash is reported as a DataError.

A section over ``max_chars`` (about 1,200 characters) is split at paragraph boundaries
(a short last paragraph may push a part to 1.25 x ``max_chars`` rather than stand alone);
each part after the first repeats the previous part's last paragraph (when that paragraph
is not itself long) so that a passage cut at a boundary is still found whole. A single
paragraph over the limit is split at sentence boundaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from kambot.errors import DataError
from kambot.retrieval.corpus import Document
from kambot.retrieval.injection import scan_untrusted, strip_hidden
from kambot.retrieval.models import Chunk, ChunkKind, account_scope
from kambot.retrieval.text import Lang, detect_language, slugify, split_sentences

MAX_CHARS = 1200
INTRO_SLUG = "intro"
_PARAGRAPH = re.compile(r"\n\s*\n")


def split_paragraphs(text: str) -> list[str]:
    """Split text on blank lines into stripped, non-empty paragraphs."""
    return [p.strip() for p in _PARAGRAPH.split(text) if p.strip()]


def _split_long_paragraph(paragraph: str, max_chars: int) -> list[str]:
    pieces: list[str] = []
    current = ""
    for sentence in split_sentences(paragraph):
        if current and len(current) + 1 + len(sentence) > max_chars:
            pieces.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
    if current:
        pieces.append(current)
    return pieces


def split_text(text: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Split a section into parts of about ``max_chars``, with one-paragraph overlap.

    Args:
        text: the section body.
        max_chars: target size of a part; a part exceeds it only by the overlapping
            paragraph.

    Returns:
        One part when the text fits, otherwise the parts in order.
    """
    text = text.strip()
    if len(text) <= max_chars:
        return [text] if text else []
    paragraphs: list[str] = []
    for paragraph in split_paragraphs(text):
        if len(paragraph) > max_chars:
            paragraphs.extend(_split_long_paragraph(paragraph, max_chars))
        else:
            paragraphs.append(paragraph)
    parts: list[list[str]] = []
    current: list[str] = []
    fresh = 0  # paragraphs of the current part that are not the overlap
    size = 0
    for number, paragraph in enumerate(paragraphs, start=1):
        # A short last paragraph stays with its part rather than becoming a stub chunk.
        tail = number == len(paragraphs) and len(paragraph) < max_chars // 4
        overflow = size + 2 + len(paragraph) > (max_chars * 5 // 4 if tail else max_chars)
        if fresh and overflow:
            parts.append(current)
            last = current[-1]
            # Overlap only with a paragraph short enough not to double the part's size.
            current = [last] if len(last) <= max_chars // 2 else []
            size = len(last) if current else 0
            fresh = 0
        current.append(paragraph)
        size += len(paragraph) + (2 if len(current) > 1 else 0)
        fresh += 1
    if fresh:
        parts.append(current)
    return ["\n\n".join(p) for p in parts]


class AccountText(NamedTuple):
    """An account document or note to index (untrusted text).

    Attributes:
        account_id: the account it belongs to.
        source_id: a stable id of the source, e.g. ``activity-42`` or ``doc-7``.
        title: a title shown in citations (subject, file name).
        text: the text; Markdown ``##`` headings split it into sections.
        kind: ``account_note`` or ``account_document``.
        roles: when not empty, only these roles may see it.
        flags: injection flags already found upstream (merged with ours).
    """

    account_id: int
    source_id: str
    title: str
    text: str
    kind: ChunkKind = "account_note"
    roles: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()


def _section_slugs(headings: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    slugs: list[str] = []
    for heading in headings:
        slug = slugify(heading, INTRO_SLUG) if heading else INTRO_SLUG
        seen[slug] = seen.get(slug, 0) + 1
        slugs.append(slug if seen[slug] == 1 else f"{slug}-dup{seen[slug]}")
    return slugs


def _check_unique(chunks: list[Chunk], source: str) -> list[Chunk]:
    ids: set[str] = set()
    for chunk in chunks:
        if chunk.id in ids:
            raise DataError(f"{source}: two passages get the same chunk id {chunk.id!r}",
                            hint="rename one of the headings")
        ids.add(chunk.id)
    return chunks


def chunk_document(document: Document, knowledge_dir: str | None = None,
                   max_chars: int = MAX_CHARS) -> list[Chunk]:
    """Cut a methodology document into chunks.

    Args:
        document: the parsed document.
        knowledge_dir: when given, ``source`` is the path relative to it.
        max_chars: target chunk size.

    Returns:
        The chunks, in document order.

    Raises:
        DataError: when two passages would get the same id.
    """
    source = str(document.path)
    if knowledge_dir and source.startswith(knowledge_dir.rstrip("/") + "/"):
        source = source[len(knowledge_dir.rstrip("/")) + 1 :]
    chunks: list[Chunk] = []
    slugs = _section_slugs([s.heading for s in document.sections])
    for section, slug in zip(document.sections, slugs, strict=True):
        for part, text in enumerate(split_text(section.body, max_chars), start=1):
            anchor = slug if part == 1 else f"{slug}-{part}"
            chunks.append(Chunk(
                id=f"{document.language}/{document.id}#{anchor}",
                text=text,
                title=document.title,
                section=section.heading or document.title,
                doc_id=document.id,
                language=document.language,
                kind="methodology",
                topic=document.topic,
                step=document.step,
                source=source,
                part=part,
            ))
    return _check_unique(chunks, str(document.path))


def _account_sections(text: str) -> list[tuple[str, str]]:
    from kambot.retrieval.corpus import split_sections

    title, sections = split_sections(text)
    out = [(s.heading, s.body) for s in sections]
    if title and out and not out[0][0]:
        out[0] = (title, out[0][1])
    return out


def chunks_from_account_texts(records: Iterable[AccountText | tuple[object, ...]],
                              max_chars: int = MAX_CHARS,
                              default_language: Lang = "en") -> list[Chunk]:
    """Chunk account notes and documents with the same machinery as the methodology.

    The text is untrusted: hidden characters (zero-width, bidi, tag characters) are
    removed from what is indexed, and injection markers found in the original text
    are kept as ``flags`` with ``flagged=True``; the text stays data either way.

    Args:
        records: ``(account_id, source_id, title, text, kind[, roles[, flags]])`` tuples
            or :class:`AccountText` values.
        max_chars: target chunk size.
        default_language: language when the text gives no clue.

    Returns:
        The chunks, scoped ``account:<id>``.

    Raises:
        DataError: on a record with a bad account id, kind or source id.
    """
    chunks: list[Chunk] = []
    for raw in records:
        record = raw if isinstance(raw, AccountText) else AccountText(*raw)  # type: ignore[arg-type]
        if not isinstance(record.account_id, int) or isinstance(record.account_id, bool):
            raise DataError(f"account text {record.source_id!r}: account id must be an integer",
                            hint="pass the database id of the account")
        if record.kind not in ("account_note", "account_document"):
            raise DataError(f"account text {record.source_id!r}: unknown kind {record.kind!r}",
                            hint="use account_note or account_document")
        source_slug = slugify(str(record.source_id), "")
        if not source_slug:
            raise DataError(f"account text {record.source_id!r}: empty source id",
                            hint="give each note or document a stable id")
        original = f"{record.title}\n{record.text}"
        flags = tuple(dict.fromkeys([*record.flags, *scan_untrusted(original)]))
        title = strip_hidden(record.title).strip() or source_slug
        text = strip_hidden(record.text)
        language = detect_language(f"{title}\n{text}", default_language)
        sections = _account_sections(text)
        slugs = _section_slugs([h for h, _ in sections])
        per_record: list[Chunk] = []
        for (heading, body), slug in zip(sections, slugs, strict=True):
            section_slug = "text" if slug == INTRO_SLUG else slug
            for part, piece in enumerate(split_text(body, max_chars), start=1):
                anchor = section_slug if part == 1 else f"{section_slug}-{part}"
                per_record.append(Chunk(
                    id=f"account-{record.account_id}/{source_slug}#{anchor}",
                    text=piece,
                    title=title,
                    section=heading or title,
                    doc_id=source_slug,
                    language=language,
                    kind=record.kind,
                    scope=account_scope(record.account_id),
                    account_id=record.account_id,
                    source=str(record.source_id),
                    flagged=bool(flags),
                    flags=flags,
                    roles=tuple(record.roles),
                    part=part,
                ))
        chunks.extend(_check_unique(per_record, f"account text {record.source_id!r}"))
    return chunks
