"""Read figures and dates back from text, whatever their format, to check them.

A figure in a statement is compared with the facts the statement cites. The reader
accepts what people and models write: ``1 234 567``, ``1,234,567``, ``1.234.567``,
``1.2 M``, ``1,2 M€``, ``37.6 million``, ``12 %``, ``12%``, ``0.12``, ``+4.2 pts``,
French decimal commas. Each figure yields every plausible reading (value, tolerance):
``1,234`` is 1234 or 1.234; ``12 %`` is 0.12 (a ratio) or 12 (a percent); the
tolerance is half a unit of the last digit written (``1.2 M`` covers 1.15 M to 1.25 M),
so a rounded display matches its fact and a changed digit does not.

Numbers glued to letters are identifiers, not figures (``C10175``, ``IN-0004``, ``Q3``,
``8D``, ``3-year``); dates are read first and compared as dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from kambot.llm.formatting import MONTHS_EN, MONTHS_FR

_SPACES = " \u00a0\u202f\u2009"
_MINUS = "\u2212\u2013-"

_MULTIPLIERS: tuple[tuple[str, float], ...] = (
    (r"milliards?|billions?|bn|mds?|md|mdeur", 1e9),
    (r"millions?|mios?|mn|m|meur", 1e6),
    (r"milliers?|thousands?|k|keur", 1e3),
)
_PERCENT = r"%|pour\s?cent|percent|per\s?cent"
_POINTS = r"pts?|points?"

_NUMBER = re.compile(
    r"(?P<sign>[+" + _MINUS + r"]?)"
    r"(?P<num>\d{1,3}(?:[" + _SPACES + r"]\d{3})+(?:[.,]\d+)?"
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"
    r"|\d{1,3}(?:\.\d{3})+(?:,\d+)?"
    r"|\d+(?:[.,]\d+)?)"
    r"(?P<suffix>[" + _SPACES + r"]?(?:" + _PERCENT + "|" + _POINTS + "|"
    + "|".join(m for m, _ in _MULTIPLIERS) + r")(?![a-zà-ÿ]))?",
    re.IGNORECASE,
)

_MONTHS = {m.casefold(): i + 1 for i, m in enumerate(MONTHS_EN)}
_MONTHS.update({m.casefold(): i + 1 for i, m in enumerate(MONTHS_FR)})
_MONTHS.update({"fevrier": 2, "aout": 8, "decembre": 12,
                **{m[:3].casefold(): i + 1 for i, m in enumerate(MONTHS_EN)}})
_MONTH_RE = "|".join(sorted((re.escape(m) for m in _MONTHS), key=len, reverse=True))
_DATE_PATTERNS = (
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})\b"),
    re.compile(r"\b(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})\b"),
    re.compile(r"\b(?P<d>\d{1,2})(?:er|st|nd|rd|th)?[" + _SPACES + r"](?P<mn>" + _MONTH_RE
               + r")\.?,?[" + _SPACES + r"](?P<y>\d{4})\b", re.IGNORECASE),
    re.compile(r"\b(?P<mn>" + _MONTH_RE + r")\.?[" + _SPACES + r"](?P<d>\d{1,2})(?:st|nd|rd|th)?,"
               r"?[" + _SPACES + r"](?P<y>\d{4})\b", re.IGNORECASE),
    re.compile(r"\b(?P<mn>" + _MONTH_RE + r")\.?[" + _SPACES + r"](?P<y>\d{4})\b",
               re.IGNORECASE),
)


_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class Figure:
    """A figure found in a text and its possible readings."""

    raw: str
    start: int
    readings: tuple[tuple[float, float], ...]  # (absolute value, tolerance)

    def matches(self, value: float) -> bool:
        """Tell whether one reading equals ``value`` (signs ignored) within tolerance."""
        target = abs(value)
        return any(abs(v - target) <= tol + 1e-9 * max(1.0, target) for v, tol in self.readings)


@dataclass(frozen=True)
class DateMention:
    """A date found in a text: a day, or a month when no day is written."""

    raw: str
    year: int
    month: int
    day: int | None

    def matches(self, value: date) -> bool:
        """Tell whether the mention designates ``value`` (the month, for a month mention)."""
        if (self.year, self.month) != (value.year, value.month):
            return False
        return self.day is None or self.day == value.day


def _glued(text: str, start: int, end: int) -> bool:
    """Tell whether the number at text[start:end] is part of an identifier."""
    before = text[start - 1] if start > 0 else " "
    if before.isalnum() or before == "_":
        return True
    if before in "-/#." and start > 1 and text[start - 2].isalpha():
        return True
    after = text[end] if end < len(text) else " "
    if after.isalpha() or after == "_":
        return True
    return after in "-/" and end + 1 < len(text) and text[end + 1].isalpha()


def _decimals_readings(num: str) -> list[tuple[float, int, int]]:
    """Return (value, decimals written, trailing zeros of a whole number) readings."""
    plain = re.sub("[" + _SPACES + "]", "", num)
    readings: list[tuple[float, int, int]] = []

    def add(whole: str, frac: str) -> None:
        value = float(f"{whole or '0'}.{frac}" if frac else whole)
        zeros = 0 if frac else len(whole) - len(whole.rstrip("0"))
        readings.append((value, len(frac), zeros if whole.strip("0") else 0))

    if "," in plain and "." in plain:
        if plain.rfind(",") > plain.rfind("."):  # 1.234.567,89
            add(plain.replace(".", "").split(",")[0], plain.split(",")[-1])
        else:  # 1,234,567.89
            add(plain.replace(",", "").split(".")[0], plain.split(".")[-1])
        return readings
    for mark in (",", "."):
        if mark not in plain:
            continue
        parts = plain.split(mark)
        if len(parts) > 2:  # several marks: thousands separators
            add("".join(parts), "")
        elif len(parts[1]) == 3:  # 1,234 or 1.234: either reading
            add(parts[0] + parts[1], "")
            add(parts[0], parts[1])
        else:
            add(parts[0], parts[1])
        return readings
    add(plain, "")
    return readings


def _scale_of(suffix: str) -> tuple[str, float]:
    s = suffix.strip(_SPACES).casefold()
    if not s:
        return "plain", 1.0
    if re.fullmatch(_PERCENT, s):
        return "percent", 1.0
    if re.fullmatch(_POINTS, s):
        return "points", 1.0
    for pattern, mult in _MULTIPLIERS:
        if re.fullmatch(pattern, s):
            return "multiplier", mult
    return "plain", 1.0


def find_dates(text: str) -> tuple[list[DateMention], str]:
    """Find the dates in a text; return them and the text with the dates blanked out."""
    found: list[DateMention] = []
    blanked = text
    if not _YEAR.search(text):  # every date pattern has a four-digit year
        return found, blanked
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(blanked):
            parts = m.groupdict()
            month = _MONTHS.get((parts.get("mn") or "").casefold().rstrip(".")) if parts.get(
                "mn") else int(parts["m"])
            if not month or not 1 <= month <= 12:
                continue
            day = int(parts["d"]) if parts.get("d") else None
            if day is not None and not 1 <= day <= 31:
                continue
            found.append(DateMention(m.group(0), int(parts["y"]), month, day))
        blanked = pattern.sub(lambda m: " " * len(m.group(0)), blanked)
    return found, blanked


def find_figures(text: str, *, skip_dates: bool = True) -> list[Figure]:
    """Find the figures of a text with every plausible reading of each.

    Args:
        text: any text.
        skip_dates: blank out dates first (they are checked by :func:`find_dates`).

    Returns:
        The figures in order of appearance; identifiers glued to letters are skipped.
    """
    if skip_dates:
        _, text = find_dates(text)
    figures: list[Figure] = []
    for m in _NUMBER.finditer(text):
        num_start, num_end = m.start("num"), m.end("num")
        end = m.end() if m.group("suffix") else num_end
        if _glued(text, num_start, end):
            continue
        kind, mult = _scale_of(m.group("suffix") or "")
        readings: list[tuple[float, float]] = []
        for value, decimals, zeros in _decimals_readings(m.group("num")):
            unit = 10.0 ** (-decimals)
            if decimals == 0 and zeros >= 3 and value >= 10_000:
                unit = 10.0 ** zeros  # 37 600 000 is a rounded figure
            tol = unit / 2
            if kind in {"percent", "points"}:
                readings += [(value / 100.0, tol / 100.0), (value, tol)]
            else:
                readings.append((value * mult, tol * mult))
        figures.append(Figure(m.group(0).strip(_SPACES), m.start(), tuple(readings)))
    return figures


def numbers_in(text: str) -> list[float]:
    """Return every reading of every figure of a text (reference values for the guard)."""
    return list(_numbers_in(text))


@lru_cache(maxsize=8192)
def _numbers_in(text: str) -> tuple[float, ...]:
    values: list[float] = []
    for fig in find_figures(text, skip_dates=False):
        values += [v for v, _ in fig.readings]
    return tuple(values)
