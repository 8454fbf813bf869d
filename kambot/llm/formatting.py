"""Format figures and dates the way documents show them, in French and English.

Every figure a document shows goes through these functions, and the grounding guard
(:mod:`kambot.llm.figures`) reads them back: keep the two in step. Conventions:

- money: ``37.61 M EUR`` / ``37,61 M EUR`` (millions, two decimals), ``812 k EUR``
  (thousands), ``1.48 bn EUR`` / ``1,48 Md EUR`` (billions), plain below 10,000;
- ratios as percentages with one decimal: ``12.3%`` / ``12,3 %``;
- differences of ratios in points: ``+4.2 pts`` / ``+4,2 pts``;
- counts with thousands separators: ``1,234`` / ``1 234``;
- dates: ``31 October 2026`` / ``31 octobre 2026``.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

Lang = Literal["fr", "en"]

NBSP = "\u00a0"
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")


def _group(digits: str, sep: str) -> str:
    out: list[str] = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return sep.join(out)


def fmt_number(value: float, lang: Lang, decimals: int = 0) -> str:
    """Return a number with the language's decimal mark and thousands separator."""
    sign = "-" if value < 0 and round(abs(value), decimals) != 0 else ""
    text = f"{abs(value):.{decimals}f}"
    whole, _, frac = text.partition(".")
    sep = NBSP if lang == "fr" else ","
    mark = "," if lang == "fr" else "."
    return sign + _group(whole, sep) + (mark + frac if frac else "")


def fmt_count(value: float, lang: Lang) -> str:
    """Return a whole number with thousands separators."""
    return fmt_number(round(value), lang, 0)


def fmt_money(value: float, lang: Lang, currency: str = "EUR") -> str:
    """Return an amount in a compact form (k, M, bn) followed by the currency."""
    magnitude = abs(value)
    if magnitude >= 1e9:
        unit = "Md" if lang == "fr" else "bn"
        return f"{fmt_number(value / 1e9, lang, 2)}{NBSP}{unit}{NBSP}{currency}"
    if magnitude >= 1e6:
        return f"{fmt_number(value / 1e6, lang, 2)}{NBSP}M{NBSP}{currency}"
    if magnitude >= 1e4:
        return f"{fmt_number(value / 1e3, lang, 0)}{NBSP}k{NBSP}{currency}"
    return f"{fmt_number(value, lang, 0)}{NBSP}{currency}"


def fmt_ratio(value: float, lang: Lang, decimals: int = 1) -> str:
    """Return a 0..1 ratio as a percentage (``12.3%`` / ``12,3 %``)."""
    return fmt_percent(value * 100.0, lang, decimals)


def fmt_percent(value: float, lang: Lang, decimals: int = 1) -> str:
    """Return a value already in percent (``23.2%`` / ``23,2 %``)."""
    number = fmt_number(value, lang, decimals)
    return f"{number}{NBSP}%" if lang == "fr" else f"{number}%"


def fmt_points(value: float, lang: Lang, decimals: int = 1) -> str:
    """Return a difference of two ratios in percentage points, signed."""
    points = value * 100.0
    sign = "+" if points > 0 and round(points, decimals) != 0 else ""
    return f"{sign}{fmt_number(points, lang, decimals)}{NBSP}pts"


def fmt_score(value: float, lang: Lang) -> str:
    """Return a 0..1 matrix score with two decimals."""
    return fmt_number(value, lang, 2)


def fmt_date(value: date, lang: Lang) -> str:
    """Return a date written out (``31 October 2026`` / ``31 octobre 2026``)."""
    months = MONTHS_FR if lang == "fr" else MONTHS_EN
    day = "1er" if lang == "fr" and value.day == 1 else str(value.day)
    return f"{day} {months[value.month - 1]} {value.year}"


def fmt_days(value: float, lang: Lang) -> str:
    """Return a number of days (``12 days`` / ``12 jours``)."""
    n = round(value)
    word = ("jour" if lang == "fr" else "day") + ("" if n == 1 else "s")
    return f"{fmt_count(n, lang)}{NBSP}{word}"


def fmt_value(value: bool | int | float | str | None, unit: str, lang: Lang,
              currency: str = "EUR") -> str:
    """Return a fact's value formatted for its unit (see :class:`kambot.domain.documents.Fact`)."""
    if value is None:
        return "n/d" if lang == "fr" else "n/a"
    if isinstance(value, bool):
        return ("oui" if value else "non") if lang == "fr" else ("yes" if value else "no")
    if isinstance(value, str):
        if unit == "date":
            try:
                return fmt_date(date.fromisoformat(value), lang)
            except ValueError:
                return value
        return value
    number = float(value)
    formatters = {
        "money": lambda: fmt_money(number, lang, currency),
        "ratio": lambda: fmt_ratio(number, lang),
        "percent": lambda: fmt_percent(number, lang),
        "points": lambda: fmt_points(number, lang),
        "count": lambda: fmt_count(number, lang),
        "days": lambda: fmt_days(number, lang),
        "score": lambda: fmt_score(number, lang),
    }
    if unit in formatters:
        return formatters[unit]()
    decimals = 0 if number == round(number) else 1
    return fmt_number(number, lang, decimals)
