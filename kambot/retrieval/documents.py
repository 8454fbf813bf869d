"""Read uploaded account documents (txt, md, docx, pdf) into untrusted text.

Every reader refuses files over ``settings.max_import_bytes`` (LimitExceededError) and
turns unreadable, encrypted or binary input into a DataError that says which file and
why. The text that comes out is data: it goes through :func:`chunks_from_upload`, which
flags injection markers and removes hidden characters like any account note.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from kambot.errors import DataError, LimitExceededError
from kambot.retrieval.chunking import AccountText, chunks_from_account_texts
from kambot.retrieval.models import Chunk

if TYPE_CHECKING:
    from kambot.config import Settings

Format = Literal["txt", "md", "docx", "pdf"]
SUPPORTED: dict[str, Format] = {
    ".txt": "txt", ".text": "txt", ".md": "md", ".markdown": "md",
    ".docx": "docx", ".pdf": "pdf",
}
MAX_PDF_PAGES = 2000
# A docx is a zip: refuse archives that inflate far beyond the upload limit.
MAX_INFLATE_RATIO = 20


@dataclass(frozen=True)
class ExtractedText:
    """The text of an uploaded file."""

    filename: str
    format: Format
    text: str
    title: str
    pages: int | None = None


def _limit(size: int, max_bytes: int, filename: str) -> None:
    if size > max_bytes:
        raise LimitExceededError(
            f"{filename}: {size:,} bytes is over the upload limit of {max_bytes:,} bytes",
            hint="split the file or raise KAMBOT_MAX_IMPORT_BYTES",
            size=size, limit=max_bytes,
        )


def _looks_binary(text: str) -> bool:
    if not text:
        return False
    sample = text[:20_000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    return "\x00" in sample or bad / len(sample) > 0.05


def _decode(data: bytes, filename: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:8192] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{filename}: this is a binary file, not text",
                        hint="upload a .txt, .md, .docx or .pdf file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise DataError(f"{filename}: the text encoding cannot be recognised",
                            hint="save the file as UTF-8") from None
        text = str(best)
    if _looks_binary(text):
        raise DataError(f"{filename}: the content is not readable text",
                        hint="upload a .txt, .md, .docx or .pdf file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_docx(data: bytes, filename: str, max_bytes: int) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise DataError(f"{filename}: not a valid .docx file (damaged or not a Word file)",
                        hint="open it in Word or LibreOffice and save it again as .docx") from exc
    if inflated > max_bytes * MAX_INFLATE_RATIO:
        raise LimitExceededError(
            f"{filename}: the document inflates to {inflated:,} bytes",
            hint="this looks like a zip bomb; re-save the document or split it",
            size=inflated, limit=max_bytes * MAX_INFLATE_RATIO)
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DataError(f"{filename}: not a readable .docx file ({exc})",
                        hint="open it in Word or LibreOffice and save it again as .docx") from exc
    blocks: list[str] = []
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            continue
        style = (paragraph.style.name if paragraph.style is not None else "") or ""
        if style.startswith(("Heading", "Titre")) and style[-1:].isdigit():
            blocks.append("#" * min(int(style[-1]) + 1, 6) + " " + text)
        elif style == "Title":
            blocks.append("# " + text)
        else:
            blocks.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells]
            if any(cells):
                blocks.append(" | ".join(cells))
    return "\n\n".join(blocks)


def _read_pdf(data: bytes, filename: str) -> tuple[str, int]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")
            except (PyPdfError, NotImplementedError, ValueError) as exc:
                raise DataError(f"{filename}: the PDF is encrypted ({exc})",
                                hint="upload an unprotected copy") from exc
            if not opened:
                raise DataError(f"{filename}: the PDF is password-protected",
                                hint="upload an unprotected copy")
        pages = len(reader.pages)
        if pages > MAX_PDF_PAGES:
            raise LimitExceededError(f"{filename}: {pages} pages is over {MAX_PDF_PAGES}",
                                     hint="split the PDF", size=pages, limit=MAX_PDF_PAGES)
        texts = [(page.extract_text() or "").strip() for page in reader.pages]
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise DataError(f"{filename}: the PDF cannot be read ({exc})",
                        hint="re-export it as PDF, or upload the text as .txt or .docx") from exc
    text = "\n\n".join(t for t in texts if t)
    if not text.strip():
        raise DataError(f"{filename}: the PDF has no extractable text (a scan?)",
                        hint="run it through OCR first, or upload the text as .txt")
    return text, pages


def read_upload(filename: str, data: bytes, max_bytes: int) -> ExtractedText:
    """Extract the text of an uploaded file.

    Args:
        filename: the client's file name (its extension picks the reader).
        data: the file's bytes.
        max_bytes: the size limit (``settings.max_import_bytes``).

    Returns:
        The text and a title (the first heading, or the file name).

    Raises:
        LimitExceededError: when the file is over the limit.
        DataError: when the type is unsupported or the file is unreadable, encrypted,
            binary or empty.
    """
    name = Path(filename).name or "upload"
    _limit(len(data), max_bytes, name)
    suffix = Path(name).suffix.lower()
    fmt = SUPPORTED.get(suffix)
    if data.startswith(b"%PDF-"):
        fmt = "pdf"
    elif data.startswith(b"PK\x03\x04") and fmt != "docx":
        raise DataError(f"{name}: this is a zip-based file, not a supported document",
                        hint="upload .txt, .md, .docx or .pdf")
    if fmt is None:
        raise DataError(f"{name}: unsupported file type {suffix or '(none)'!r}",
                        hint="upload .txt, .md, .docx or .pdf")
    pages: int | None = None
    if fmt == "pdf":
        text, pages = _read_pdf(data, name)
    elif fmt == "docx":
        text = _read_docx(data, name, max_bytes)
    else:
        text = _decode(data, name)
    if not text.strip():
        raise DataError(f"{name}: the file contains no text", hint="check the file")
    title = Path(name).stem
    for line in text.splitlines():
        if line.startswith("# "):
            title = line[2:].strip() or title
            break
    return ExtractedText(name, fmt, text, title, pages)


def read_upload_path(path: Path, max_bytes: int) -> ExtractedText:
    """Read a file from disk, checking its size before loading it.

    Raises:
        LimitExceededError: when the file is over the limit.
        DataError: when it cannot be read or parsed.
    """
    try:
        size = path.stat().st_size
        _limit(size, max_bytes, path.name)
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read: {exc}", hint="check the path") from exc
    return read_upload(path.name, data, max_bytes)


def chunks_from_upload(settings: Settings, account_id: int, source_id: str, filename: str,
                       data: bytes, roles: tuple[str, ...] = ()) -> list[Chunk]:
    """Read an uploaded file and chunk it as an account document.

    Args:
        settings: gives ``max_import_bytes`` and the default language.
        account_id: the account the document belongs to.
        source_id: its stable id (e.g. ``doc-7``), used in chunk ids.
        filename: the uploaded file name.
        data: the file's bytes.
        roles: when not empty, only these roles may see the chunks.

    Returns:
        The chunks (``kind=account_document``, scope ``account:<id>``, flagged when the
        text carries injection markers).
    """
    extracted = read_upload(filename, data, settings.max_import_bytes)
    record = AccountText(account_id, source_id, extracted.title, extracted.text,
                         "account_document", roles)
    return chunks_from_account_texts([record], default_language=settings.lang)
