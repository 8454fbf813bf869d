"""Cell values to Python values: numbers, dates, booleans, identifiers and text.

Cells arrive as strings from CSV and as typed values (int, float, datetime) from XLSX;
every converter accepts both. A value that cannot be converted raises
:class:`ConversionError` with a reason written for the person who made the file.

These functions run once per cell on files of a million lines, so the common case
(a plain ``12.5`` or ``2011-03-04``) takes the shortest path.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Literal

DecimalMode = Literal[".", ",", "auto"]

_SPACES = ("\u00a0", "\u202f", " ", "'")  # thousands separators seen in fr/ch exports
_GROUPED_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")
_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+$")
_FLOAT_ID = re.compile(r"^[+-]?\d+\.0+$")

_TRUE = frozenset({"true", "1", "yes", "y", "on", "t", "oui", "vrai"})
_FALSE = frozenset({"false", "0", "no", "n", "off", "f", "non", "faux"})


class ConversionError(ValueError):
    """A cell value cannot become the type its field needs."""


def is_empty(value: Any) -> bool:
    """Tell whether a cell holds no value (missing, blank, or a NaN from a spreadsheet)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return False


def to_text(value: Any) -> str | None:
    """Return a cell as stripped text, or None when it is empty.

    Integral floats lose their ``.0`` (a spreadsheet stores ``16098`` as ``16098.0``),
    dates become ISO strings.
    """
    if value is None:
        return None
    if isinstance(value, str):
        s = value.strip()
        return s or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip() or None


def normalise_id(value: Any) -> str | None:
    """Return an identifier as text, turning a float-like ``16098.0`` into ``16098``."""
    text = to_text(value)
    if text is not None and _FLOAT_ID.match(text):
        return text[: text.index(".")]
    return text


def _checked(number: float, text: str) -> float:
    if not math.isfinite(number):
        raise ConversionError(f"{text!r} is not a finite number")
    return number


def parse_number(value: Any, decimal: DecimalMode = "auto", *, comma_hint: bool = False) -> float:
    """Convert a cell to a float.

    Args:
        value: the cell (text or number).
        decimal: the decimal separator; ``auto`` reads ``12,5`` and ``1 234,56`` as
            decimal-comma numbers and ``1,234.56`` as a dot number.
        comma_hint: with ``auto``, read an ambiguous ``1,234`` as 1.234 (the file uses
            ``;`` as delimiter, the French convention) rather than refusing it.

    Raises:
        ConversionError: the cell is not a number, or not a finite one.
    """
    if isinstance(value, bool):
        raise ConversionError(f"{value!r} is a boolean, not a number")
    if isinstance(value, int | float):
        return _checked(float(value), str(value))
    if not isinstance(value, str):
        raise ConversionError(f"{value!r} is not a number")
    text = value.strip()
    if "," not in text and "_" not in text and (decimal != "," or "." not in text):
        try:
            return _checked(float(text), text)
        except ValueError:
            pass
    return _parse_localised(text, decimal, comma_hint)


def _parse_localised(text: str, decimal: DecimalMode, comma_hint: bool) -> float:
    raw = text
    for space in _SPACES:
        text = text.replace(space, "")
    if text.endswith("%"):
        raise ConversionError(f"{raw!r} is a percentage: give the number without '%'")
    has_comma, has_dot = "," in text, "." in text
    if decimal == ",":
        if has_dot and not (has_comma or _GROUPED_DOT.match(text)):
            candidate = text  # "12.5" in a decimal-comma file: a dot number, not grouping
        else:
            candidate = text.replace(".", "").replace(",", ".")
    elif decimal == ".":
        if has_comma and not _GROUPED_COMMA.match(text.split(".")[0]):
            raise ConversionError(
                f"{raw!r} is not a number with '.' as decimal separator "
                "(set decimal: ',' in the mapping if the file uses decimal commas)"
            )
        candidate = text.replace(",", "")
    elif has_comma and has_dot:
        # The right-most separator is the decimal one: 1.234,56 or 1,234.56.
        if text.rfind(",") > text.rfind("."):
            candidate = text.replace(".", "").replace(",", ".")
        else:
            candidate = text.replace(",", "")
    elif has_comma:
        if text.count(",") == 1 and (not _GROUPED_COMMA.match(text) or comma_hint):
            candidate = text.replace(",", ".")
        elif _GROUPED_COMMA.match(text):
            if text.count(",") > 1:
                candidate = text.replace(",", "")
            else:
                raise ConversionError(
                    f"{raw!r} is ambiguous (1234 or 1.234?): set decimal to ',' or '.' "
                    "in the mapping"
                )
        else:
            raise ConversionError(f"{raw!r} is not a number")
    else:
        candidate = text
    if "_" in candidate or not candidate:
        raise ConversionError(f"{raw!r} is not a number")
    try:
        return _checked(float(candidate), raw)
    except ValueError:
        raise ConversionError(f"{raw!r} is not a number") from None


def parse_int(value: Any, decimal: DecimalMode = "auto", *, comma_hint: bool = False) -> int:
    """Convert a cell to an int; ``12.0`` is accepted, ``12.5`` is not.

    Raises:
        ConversionError: the cell is not a whole number.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return int(text)
    number = parse_number(value, decimal, comma_hint=comma_hint)
    if not number.is_integer():
        raise ConversionError(f"{to_text(value)!r} is not a whole number")
    return int(number)


def parse_bool(value: Any) -> bool:
    """Convert a cell to a bool (true/false, yes/no, 1/0, oui/non, vrai/faux).

    Raises:
        ConversionError: the cell is none of those.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConversionError(f"{to_text(value)!r} is not a yes/no value (use true or false)")


_ISO_FORMATS = frozenset({"%Y-%m-%d", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"})


class DateParser:
    """Convert cells to dates with the given strptime formats, or ISO 8601 when none.

    Results are cached per distinct text: an invoice file repeats the same few thousand
    timestamps across a million lines, and ``strptime`` is the slowest step otherwise.
    """

    _CACHE_LIMIT = 200_000

    def __init__(self, formats: tuple[str, ...] = ()) -> None:
        """Create a parser trying ``formats`` in order (ISO 8601 when empty)."""
        self.formats = formats
        self.cache: dict[str, date] = {}
        # ISO layouts go through the C parser, many times faster than strptime.
        iso = not formats or all(f in _ISO_FORMATS for f in formats)
        self._parse: Callable[[str], date] = self._parse_iso if iso else self._parse_formats

    def __call__(self, value: Any) -> date:
        """Return the date in a cell.

        Raises:
            ConversionError: the cell is not a date in the expected format.
        """
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if not isinstance(value, str):
            raise ConversionError(f"{value!r} is not a date")
        cached = self.cache.get(value)
        if cached is not None:
            return cached
        parsed = self._parse(value.strip())
        if len(self.cache) >= self._CACHE_LIMIT:
            self.cache.clear()
        self.cache[value] = parsed
        return parsed

    def _parse_iso(self, text: str) -> date:
        try:
            if len(text) == 10:
                return date.fromisoformat(text)
            if len(text) >= 16 and text[10] in " T":
                # A timestamp is accepted for a date field: the time of day is dropped.
                return datetime.fromisoformat(text).date()
        except ValueError:
            pass
        expected = " or ".join(repr(f) for f in self.formats) or "ISO YYYY-MM-DD"
        raise ConversionError(
            f"{text!r} is not a date in the format {expected} "
            "(set date_format in the mapping, e.g. '%d/%m/%Y')"
        )

    def _parse_formats(self, text: str) -> date:
        for fmt in self.formats:
            try:
                return datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        shown = " or ".join(repr(f) for f in self.formats)
        raise ConversionError(f"{text!r} is not a date in the format {shown}")
