"""Open a CSV or XLSX file and yield its rows as dictionaries keyed by column name.

What this module guarantees before the first row is yielded:
- the file exists, is not empty and is not over ``settings.max_import_bytes``;
- it is a spreadsheet or a text table, not a PDF, an image or another binary file;
- for text, the whole file decodes in the chosen encoding (declared, from a byte-order
  mark, or detected with charset-normalizer), otherwise a DataError names the byte
  offset and the line and suggests re-saving as UTF-8;
- the delimiter is known (declared, or detected by clevercsv on a sample only: the bulk
  read uses the standard library's csv module, which is much faster);
- row 1 (the first non-blank row) holds column names, not data.

Row numbers are the ones a person sees in a spreadsheet: the header is row 1 and the
first data row is row 2 (blank rows and multi-line cells counted as the spreadsheet does).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from kambot.config import Settings
from kambot.errors import DataError, LimitExceededError

#: Key under which a row's cells beyond the header's last column are kept.
EXTRA_CELLS = "\x00extra"

_HEAD_BYTES = 64 * 1024
_SNIFF_CHARS = 16 * 1024
_CHUNK = 1 << 20
_DELIMITERS = [",", ";", "\t", "|"]

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Signatures of files people rename to .csv by mistake, and what to tell them.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Excel .xls (or other Office 97) file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"{\\rtf", "an RTF document"),
)

# Cells that make a first row look like data rather than column names. A bare year is
# left out: "2019", "2020" are fair column names in an export.
_EXCEL_SEP = re.compile(r"^sep=(.)\r?\n")
_LOOKS_NUMERIC = re.compile(
    r"^(?!\d{4}$)[+-]?[\d\s.,]+$|^\d{4}-\d{2}-\d{2}|^\d{1,2}/\d{1,2}/\d{2,4}"
)

Format = Literal["csv", "xlsx"]


@dataclass
class SourceInfo:
    """What was learnt about a file while opening it (shown in the import report)."""

    path: Path
    format: Format
    size: int
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    sha256: str = ""
    notes: list[str] = field(default_factory=list)


class TableSource(ABC):
    """An opened table: its header and a lazy iterator over its rows."""

    def __init__(self, info: SourceInfo, header: list[str], header_row: int) -> None:
        """Hold what every source has; subclasses implement :meth:`rows`."""
        self.info = info
        self.header = header
        self.header_row = header_row

    @abstractmethod
    def records(self) -> Iterator[tuple[int, list[Any]]]:
        """Yield ``(row_number, cells)`` for each non-blank data row, cells as read.

        A row may hold fewer cells than the header (missing trailing cells) or more
        (cells beyond the last column); :meth:`rows` sorts that out.
        """

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Yield ``(row_number, {column: value})`` for each non-blank data row.

        Cells beyond the header's last column, when filled, are listed under
        :data:`EXTRA_CELLS`.
        """
        names = self.header
        width = len(names)
        for row, cells in self.records():
            if len(cells) == width:
                yield row, dict(zip(names, cells, strict=True))
                continue
            values: dict[str, Any] = dict(zip(names, cells, strict=False))
            extra = extra_cells(cells, width)
            if extra:
                values[EXTRA_CELLS] = extra
            yield row, values

    @abstractmethod
    def close(self) -> None:
        """Release the file."""

    def __enter__(self) -> TableSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- opening ---------------------------------------------------------------------------


def open_table(
    path: Path | str,
    settings: Settings,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet: str | None = None,
) -> TableSource:
    """Open a CSV or XLSX file for import, checking size, type, encoding and header.

    Args:
        path: the file; its content decides CSV or XLSX, not its extension.
        settings: supplies ``max_import_bytes`` and ``max_import_rows``.
        encoding: the text encoding if known; detected otherwise.
        delimiter: the CSV delimiter if known; detected otherwise.
        sheet: the XLSX sheet to read; the first one otherwise.

    Raises:
        LimitExceededError: the file is larger than ``KAMBOT_MAX_IMPORT_BYTES``.
        DataError: the file is missing, empty, binary, undecodable or has no header.
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"file not found: {path}", hint="check the path")
    if not path.is_file():
        raise DataError(f"{path} is not a file", hint="give the path of a CSV or XLSX file")
    size = path.stat().st_size
    if size > settings.max_import_bytes:
        raise LimitExceededError(
            f"{path.name} is {_human(size)} ({size} bytes), over the import limit of "
            f"{_human(settings.max_import_bytes)} ({settings.max_import_bytes} bytes)",
            hint="split the file, or raise KAMBOT_MAX_IMPORT_BYTES",
            size=size,
            limit=settings.max_import_bytes,
            setting="KAMBOT_MAX_IMPORT_BYTES",
        )
    if size == 0:
        raise DataError(f"{path.name}: file is empty", hint="export the data again")
    with path.open("rb") as fh:
        head = fh.read(_HEAD_BYTES)
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(path, size, settings, sheet)
    _refuse_binary(path, head)
    return _open_csv(path, size, head, settings, encoding=encoding, delimiter=delimiter)


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover - loop always returns


def _refuse_binary(path: Path, head: bytes) -> None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise DataError(
                f"{path.name} is {what}, not a CSV or XLSX table",
                hint="export the data as CSV (UTF-8) or XLSX and import that file",
            )
    if any(head.startswith(bom) for bom, enc in _BOMS if enc != "utf-8-sig"):
        return  # UTF-16/32 text legitimately holds NUL bytes
    sample = head[:8192]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    has_nul = b"\x00" in sample
    if has_nul or controls > len(sample) // 20:
        what = "NUL bytes" if has_nul else "control characters"
        raise DataError(
            f"{path.name} is a binary file, not a CSV or XLSX table (it contains {what})",
            hint="export the data as CSV (UTF-8) or XLSX; a UTF-16 file needs a byte-order "
            "mark, or re-save it as UTF-8",
        )


# --- CSV -------------------------------------------------------------------------------


def _open_csv(
    path: Path,
    size: int,
    head: bytes,
    settings: Settings,
    *,
    encoding: str | None,
    delimiter: str | None,
) -> TableSource:
    info = SourceInfo(path=path, format="csv", size=size)
    declared = encoding is not None
    if encoding is not None:
        encoding = _canonical_encoding(encoding)
        if encoding == "utf-8" and head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
    else:
        encoding = _bom_encoding(head) or _detect_encoding(path, head)
    info.encoding = encoding
    failure = _verify_encoding(path, encoding, info)
    if failure is not None:
        offset, bad = failure
        fallback = None if declared else _fallback_encoding(path, encoding)
        if fallback is None:
            raise _decode_error(path, encoding, offset, bad, declared)
        info.notes.append(
            f"the file is not valid {encoding} ({_where(path, offset, bad)}): read as "
            f"{fallback}; declare source.encoding in a mapping if accents look wrong"
        )
        info.encoding = encoding = fallback
        if _verify_encoding(path, encoding, info) is not None:  # pragma: no cover
            raise _decode_error(path, encoding, offset, bad, declared)
    sep_line = _EXCEL_SEP.match(head.decode(encoding, errors="ignore").lstrip("\ufeff"))
    if sep_line is not None:
        # Excel's "sep=;" first line names the delimiter; Excel hides that line, so
        # the header is still row 1 for the person who opens the file.
        info.delimiter = delimiter or sep_line.group(1)
        return CsvSource(info, settings.max_import_rows, skip_first_line=True)
    info.delimiter = delimiter or _sniff_delimiter(head, encoding, info)
    return CsvSource(info, settings.max_import_rows)


def _canonical_encoding(name: str) -> str:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        raise DataError(
            f"unknown text encoding {name!r}", hint="use e.g. utf-8, cp1252 or latin-1"
        ) from None
    return "utf-8" if canonical in ("utf-8", "ascii") else canonical


def _bom_encoding(head: bytes) -> str | None:
    for bom, name in _BOMS:
        if head.startswith(bom):
            return name
    return None


def _detect_encoding(path: Path, head: bytes) -> str:
    try:
        head.decode("utf-8")
        return "utf-8"  # ASCII is UTF-8; most exports are one or the other
    except UnicodeDecodeError as exc:
        if exc.start >= len(head) - 4:
            return "utf-8"  # a multi-byte character cut by the sample's end
    guess = _guess_encoding(_non_ascii_lines(head))
    if guess is None:
        raise DataError(
            f"{path.name}: cannot tell the text encoding; it may not be a text file",
            hint="re-save the file as CSV UTF-8",
        )
    return guess


def _non_ascii_lines(data: bytes, limit: int = _HEAD_BYTES) -> bytes:
    """Return the lines holding non-ASCII bytes: the only evidence about an encoding."""
    picked = bytearray()
    for line in data.splitlines(keepends=True):
        if not line.isascii():
            picked += line
            if len(picked) >= limit:
                break
    return bytes(picked)


_WESTERN_SYMBOLS = frozenset("€£°«»‘’“”–—…·²³µ§©®¡¿×÷¢¥ºª")
_WORD = re.compile(r"[^\W\d_]+")


def _plausible_cp1252(sample: bytes) -> bool:
    """Tell whether a sample reads as Western European text in Windows-1252.

    Accented letters sit inside mostly-ASCII words ("Société", "Müller"); Cyrillic or
    Greek bytes read as Windows-1252 give words made only of accented letters
    ("Ïðèâåò"), and Asian encodings give symbols and control characters.
    """
    try:
        text = sample.decode("cp1252")
    except UnicodeDecodeError:
        return False
    odd = sum(1 for ch in text if ord(ch) > 127 and not ch.isalpha() and ch not in _WESTERN_SYMBOLS)
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    if not non_ascii or odd * 5 > non_ascii:
        return False
    accented = letters = 0
    for word in _WORD.findall(text):
        if not word.isascii():
            letters += len(word)
            accented += sum(1 for ch in word if ord(ch) > 127)
    return letters > 0 and accented * 2 < letters


def _guess_encoding(sample: bytes) -> str | None:
    # charset-normalizer alone is unreliable on the few accented words of a CSV file
    # (it reads "Société" as Farsi cp1006 or "à" as Czech cp1250): kambot's users are
    # mostly French and English, so Windows-1252 wins whenever it reads plausibly.
    if _plausible_cp1252(sample):
        return "cp1252"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    return None if best is None else _canonical_encoding(best.encoding)


def _verify_encoding(path: Path, encoding: str, info: SourceInfo) -> tuple[int, bytes] | None:
    """Decode the whole file once; return (offset, bad bytes) of the first failure."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    digest = hashlib.sha256()
    offset = 0
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                pending = len(exc.object) - len(chunk)  # bytes the decoder held back
                return offset - pending + exc.start, bytes(exc.object[exc.start : exc.end])
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return offset - len(exc.object) + exc.start, bytes(exc.object[exc.start :])
    info.sha256 = digest.hexdigest()
    return None


def _fallback_encoding(path: Path, tried: str) -> str | None:
    with path.open("rb") as fh:
        evidence = _non_ascii_lines(fh.read(_CHUNK * 8))
    guess = _guess_encoding(evidence) if evidence else None
    return None if guess in (None, tried) else guess


def _where(path: Path, offset: int, bad: bytes) -> str:
    line = 1
    with path.open("rb") as fh:
        read = 0
        while read < offset:
            chunk = fh.read(min(_CHUNK, offset - read))
            if not chunk:
                break
            line += chunk.count(b"\n")
            read += len(chunk)
    shown = " ".join(f"0x{b:02X}" for b in bad[:4])
    return f"byte {shown} at offset {offset}, line {line}"


def _decode_error(path: Path, encoding: str, offset: int, bad: bytes, declared: bool) -> DataError:
    with path.open("rb") as fh:
        fh.seek(max(0, offset - _HEAD_BYTES // 2))
        guess = _guess_encoding(_non_ascii_lines(fh.read(_HEAD_BYTES)))
    looks = f"; it looks like {guess}" if guess not in (None, encoding) else ""
    source = "declared" if declared else "detected"
    return DataError(
        f"{path.name} does not decode as {encoding} ({source}): {_where(path, offset, bad)}{looks}",
        hint="re-save the file as CSV UTF-8, or declare its real encoding "
        "(source.encoding in the mapping)",
        offset=offset,
        encoding=encoding,
    )


def _sniff_delimiter(head: bytes, encoding: str, info: SourceInfo) -> str:
    text = head.decode(encoding, errors="ignore")[:_SNIFF_CHARS]
    if len(head) >= _HEAD_BYTES or len(text) >= _SNIFF_CHARS:
        cut = max(text.rfind("\n"), 0)
        text = text[:cut] if cut else text  # a partial last line confuses the detector
    text = text.lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    if not any(d in first_line for d in _DELIMITERS):
        return ","  # a single column: any delimiter reads it the same
    import clevercsv

    try:
        dialect = clevercsv.Detector().detect(text, delimiters=_DELIMITERS)
    except Exception:  # the detector is a heuristic: any failure means "no answer"
        dialect = None
    if dialect is not None and dialect.delimiter in _DELIMITERS:
        return str(dialect.delimiter)
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    chosen = max(counts, key=lambda d: counts[d])
    info.notes.append(f"delimiter guessed from the header line: {chosen!r}")
    return chosen


class CsvSource(TableSource):
    """A delimited text file read with the standard library's csv module."""

    def __init__(self, info: SourceInfo, max_rows: int, *, skip_first_line: bool = False) -> None:
        """Open the file and read its header (after an Excel ``sep=`` line if asked)."""
        assert info.encoding is not None and info.delimiter is not None
        self._max_rows = max_rows
        self._fh = info.path.open(encoding=info.encoding, newline="")
        if skip_first_line:
            self._fh.readline()
        self._reader = csv.reader(self._fh, delimiter=info.delimiter, quotechar='"')
        self._row = 0
        header: list[str] | None = None
        try:
            for cells in self._reader:
                self._row += 1
                if any(c.strip() for c in cells):
                    header = cells
                    break
        except csv.Error as exc:
            self._fh.close()
            raise DataError(
                f"{info.path.name}: row {self._row + 1} is not valid CSV: {exc}",
                hint="check the quotes on that row",
            ) from None
        if header is None:
            self._fh.close()
            raise DataError(
                f"{info.path.name}: file is empty (no header row, no data)",
                hint="export the data again",
            )
        super().__init__(info, _clean_header(info.path, header, self._row), self._row)

    def records(self) -> Iterator[tuple[int, list[Any]]]:
        """Yield each non-blank data row, as a list of cells, with its row number."""
        row = self._row
        left = self._max_rows
        try:
            for cells in self._reader:
                row += 1
                if not cells or not (cells[0].strip() or "".join(cells).strip()):
                    continue  # a blank row, as spreadsheets export them
                left -= 1
                if left < 0:
                    _too_many_rows(self.info.path, self._max_rows)
                yield row, cells
        except csv.Error as exc:
            raise DataError(
                f"{self.info.path.name}: row {row + 1} is not valid CSV: {exc}",
                hint="check the quotes on that row (a quoted cell must end with a quote)",
            ) from None
        finally:
            self._row = row

    def close(self) -> None:
        """Close the file."""
        self._fh.close()


def extra_cells(cells: list[Any], width: int) -> list[Any]:
    """Return the filled cells of a row beyond the header's width."""
    return [c for c in cells[width:] if c is not None and str(c).strip()]


def _too_many_rows(path: Path, limit: int) -> None:
    raise LimitExceededError(
        f"{path.name} has more than {limit} data rows, the import limit",
        hint="split the file, or raise KAMBOT_MAX_IMPORT_ROWS",
        limit=limit,
        setting="KAMBOT_MAX_IMPORT_ROWS",
    )


def _clean_header(path: Path, cells: list[Any], row: int) -> list[str]:
    from kambot.store.importers.convert import to_text

    names = [(to_text(c) or "").lstrip("\ufeff").strip() for c in cells]
    filled = [n for n in names if n]
    data_like = [n for n in filled if _LOOKS_NUMERIC.match(n)]
    if filled and len(data_like) * 2 >= len(filled) and len(data_like) >= 1:
        shown = ", ".join(repr(n) for n in filled[:6])
        raise DataError(
            f"{path.name}: row {row} should hold the column names but looks like data ({shown})",
            hint="add a header row with the column names (see the mapping or the native "
            "format's field names)",
        )
    seen: dict[str, int] = {}
    for position, name in enumerate(names, start=1):
        if not name:
            continue
        if name in seen:
            raise DataError(
                f"{path.name}: column {name!r} appears twice in the header "
                f"(columns {seen[name]} and {position})",
                hint="rename one of them",
            )
        seen[name] = position
    return names


# --- XLSX ------------------------------------------------------------------------------


def _open_xlsx(path: Path, size: int, settings: Settings, sheet: str | None) -> TableSource:
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile:
        raise DataError(
            f"{path.name} looks like a ZIP archive but is damaged", hint="export it again"
        ) from None
    if "xl/workbook.xml" not in names:
        what = "a Word document" if "word/document.xml" in names else "a ZIP archive"
        raise DataError(
            f"{path.name} is {what}, not an XLSX workbook or a CSV file",
            hint="export the data as CSV (UTF-8) or XLSX",
        )
    info = SourceInfo(path=path, format="xlsx", size=size)
    info.sha256 = _sha256(path)
    return XlsxSource(info, sheet, settings.max_import_rows)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class XlsxSource(TableSource):
    """A sheet of an XLSX workbook, streamed with openpyxl's read-only mode."""

    def __init__(self, info: SourceInfo, sheet: str | None, max_rows: int) -> None:
        """Open the workbook, pick the sheet and read its header."""
        import openpyxl

        self._max_rows = max_rows
        try:
            self._wb = openpyxl.load_workbook(info.path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged workbook
            raise DataError(
                f"{info.path.name} cannot be read as an XLSX workbook: {exc}",
                hint="open it in a spreadsheet program and save it again as .xlsx",
            ) from None
        sheets = self._wb.sheetnames
        if sheet is not None and sheet not in sheets:
            self._wb.close()
            raise DataError(
                f"{info.path.name} has no sheet named {sheet!r}",
                hint=f"sheets in this workbook: {', '.join(sheets)}",
            )
        ws = self._wb[sheet] if sheet is not None else self._wb.worksheets[0]
        info.sheet = ws.title
        self._rows_iter = ws.iter_rows(values_only=True)
        row = (ws.min_row or 1) - 1
        header: tuple[Any, ...] | None = None
        for cells in self._rows_iter:
            row += 1
            if any(c is not None and str(c).strip() for c in cells):
                header = cells
                break
        if header is None:
            self._wb.close()
            raise DataError(
                f"{info.path.name}: sheet {ws.title!r} is empty (no header row, no data)",
                hint="pick the sheet holding the data (source.sheet in the mapping)",
            )
        self._row = row
        super().__init__(info, _clean_header(info.path, list(header), row), row)

    def records(self) -> Iterator[tuple[int, list[Any]]]:
        """Yield each non-blank data row, as a list of cells, with its row number."""
        row = self._row
        left = self._max_rows
        for cells in self._rows_iter:
            row += 1
            values = [(c.strip() or None) if isinstance(c, str) else c for c in cells]
            if all(v is None for v in values):
                continue
            left -= 1
            if left < 0:
                _too_many_rows(self.info.path, self._max_rows)
            yield row, values
        self._row = row

    def close(self) -> None:
        """Close the workbook."""
        self._wb.close()
