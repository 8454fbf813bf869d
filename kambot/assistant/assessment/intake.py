"""Read a CV (txt, md, docx, pdf) or structured-interview notes into untrusted text.

Plain text, Markdown and PDF go through the retrieval layer's reader (size limit,
encoding detection, encrypted or image-only PDFs refused). Word documents are read here,
run by run, because a run's formatting can hide it from a human reader: white text,
text under 4 points and runs marked hidden are kept out of the text and reported, so
that what is assessed is what a reviewer sees.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kambot.domain.assessment import SourceKind
from kambot.errors import DataError, LimitExceededError

TINY_FONT_PT = 4.0
# A docx is a zip: refuse archives that inflate far beyond the size limit.
MAX_INFLATE_RATIO = 20
SUPPORTED_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".docx", ".pdf")


@dataclass(frozen=True)
class HiddenRun:
    """A piece of a Word document a reader cannot see, and why."""

    text: str
    reason: str  # "white", "tiny", "vanish"
    paragraph: int


@dataclass(frozen=True)
class SourceDocument:
    """The text of one input and what was kept out of it."""

    kind: SourceKind
    name: str
    format: str
    text: str
    sha256: str
    hidden: list[HiddenRun] = field(default_factory=list)


def _limit(size: int, max_bytes: int, name: str) -> None:
    if size > max_bytes:
        raise LimitExceededError(
            f"{name}: {size:,} bytes is over the limit of {max_bytes:,} bytes",
            hint="shorten the document or raise KAMBOT_MAX_IMPORT_BYTES",
            size=size,
            limit=max_bytes,
        )


def _is_white(color: Any) -> bool:
    if color is None:
        return False
    theme = getattr(color, "theme_color", None)
    if theme is not None and getattr(theme, "name", "") in ("BACKGROUND_1", "LIGHT_1"):
        return True
    rgb = getattr(color, "rgb", None)
    if rgb is None:
        return False
    red, green, blue = rgb[0], rgb[1], rgb[2]
    return bool(min(red, green, blue) >= 0xF0)


def _run_hidden(run: Any, style_font: Any) -> str | None:
    font = run.font
    if font.hidden or (font.hidden is None and style_font is not None and style_font.hidden):
        return "vanish"
    color = font.color if font.color is not None and font.color.type is not None else None
    if color is None and style_font is not None and style_font.color.type is not None:
        color = style_font.color
    if _is_white(color):
        return "white"
    size = font.size if font.size is not None else (style_font.size if style_font else None)
    if size is not None and size.pt < TINY_FONT_PT:
        return "tiny"
    return None


def _paragraph_text(paragraph: Any, index: int, hidden: list[HiddenRun],
                    style_fonts: dict[str | None, Any]) -> str:
    from docx.text.hyperlink import Hyperlink

    # Resolving a paragraph's style is slow in python-docx: once per style id.
    style_id = paragraph._p.style
    if style_id not in style_fonts:
        style = paragraph.style
        style_fonts[style_id] = style.font if style is not None else None
    style_font = style_fonts[style_id]
    parts: list[str] = []
    for item in paragraph.iter_inner_content():
        runs = item.runs if isinstance(item, Hyperlink) else [item]
        for run in runs:
            text = run.text
            if not text:
                continue
            reason = _run_hidden(run, style_font)
            if reason:
                hidden.append(HiddenRun(text, reason, index))
            else:
                parts.append(text)
    return "".join(parts)


def _read_docx(data: bytes, name: str, max_bytes: int) -> tuple[str, list[HiddenRun]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise DataError(
            f"{name}: not a valid .docx file (damaged or not a Word file)",
            hint="open it in Word or LibreOffice and save it again as .docx",
        ) from exc
    if inflated > max_bytes * MAX_INFLATE_RATIO:
        raise LimitExceededError(
            f"{name}: the document inflates to {inflated:,} bytes",
            hint="this looks like a zip bomb; re-save the document",
            size=inflated,
            limit=max_bytes * MAX_INFLATE_RATIO,
        )
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DataError(
            f"{name}: not a readable .docx file ({exc})",
            hint="open it in Word or LibreOffice and save it again as .docx",
        ) from exc
    hidden: list[HiddenRun] = []
    lines: list[str] = []
    style_fonts: dict[str | None, Any] = {}
    index = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:
                    texts = []
                    for paragraph in cell.paragraphs:
                        texts.append(_paragraph_text(paragraph, index, hidden, style_fonts))
                        index += 1
                    cells.append(" ".join(t for t in texts if t.strip()))
                if any(c.strip() for c in cells):
                    lines.append(" | ".join(cells))
        else:
            text = _paragraph_text(block, index, hidden, style_fonts)
            index += 1
            lines.append(text)
    text = "\n".join(lines).strip("\n")
    if not text.strip():
        raise DataError(f"{name}: the document contains no visible text", hint="check the file")
    return text, hidden


def read_document(
    name: str, data: bytes, max_bytes: int, kind: SourceKind = SourceKind.CV
) -> SourceDocument:
    """Extract the text of a CV or of interview notes from a file's bytes.

    Args:
        name: the file name (its extension picks the reader).
        data: the file's bytes.
        max_bytes: the size limit (``settings.max_import_bytes``).
        kind: what the document is (CV or interview notes).

    Returns:
        The visible text, its fingerprint and, for Word files, the hidden runs left out.

    Raises:
        LimitExceededError: the file is over the size limit.
        DataError: the type is unsupported or the file is unreadable or empty.
    """
    shown = Path(name).name or "document"
    _limit(len(data), max_bytes, shown)
    digest = hashlib.sha256(data).hexdigest()
    suffix = Path(shown).suffix.lower()
    if suffix == ".docx" or (data.startswith(b"PK\x03\x04") and suffix not in (".pdf",)):
        if suffix != ".docx":
            raise DataError(
                f"{shown}: this is a zip-based file, not a supported document",
                hint="use .txt, .md, .docx or .pdf",
            )
        text, hidden = _read_docx(data, shown, max_bytes)
        return SourceDocument(kind, shown, "docx", text, digest, hidden)
    from kambot.retrieval.documents import read_upload

    extracted = read_upload(shown, data, max_bytes)
    return SourceDocument(kind, shown, extracted.format, extracted.text, digest)


def read_path(path: Path, max_bytes: int, kind: SourceKind = SourceKind.CV) -> SourceDocument:
    """Read a CV or interview notes from disk, checking the size before loading.

    Raises:
        LimitExceededError: the file is over the size limit.
        DataError: the file cannot be read or parsed.
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise DataError(f"{path}: cannot be read: {exc.strerror or exc}",
                        hint="check the path") from exc
    _limit(size, max_bytes, path.name)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read: {exc.strerror or exc}",
                        hint="check the path") from exc
    return read_document(path.name, data, max_bytes, kind)


def text_document(
    text: str, *, name: str, kind: SourceKind, max_bytes: int | None = None
) -> SourceDocument:
    """Wrap text already in memory (e.g. interview notes typed in a form).

    Raises:
        LimitExceededError: the text is over ``max_bytes`` once encoded.
        DataError: the text is empty.
    """
    data = text.encode("utf-8")
    if max_bytes is not None:
        _limit(len(data), max_bytes, name)
    if not text.strip():
        raise DataError(f"{name}: the text is empty", hint="paste the notes or the CV text")
    clean = text.replace("\r\n", "\n").replace("\r", "\n")
    return SourceDocument(kind, name, "txt", clean, hashlib.sha256(data).hexdigest())
