"""Formatting figures for documents and reading them back, in every usual format."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kambot.llm.figures import find_dates, find_figures, numbers_in
from kambot.llm.formatting import (
    fmt_date,
    fmt_money,
    fmt_number,
    fmt_percent,
    fmt_points,
    fmt_ratio,
    fmt_value,
)


def _matches(text: str, value: float) -> bool:
    figures = find_figures(text)
    assert len(figures) == 1, [f.raw for f in figures]
    return figures[0].matches(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1 234 567 EUR", 1_234_567),
        ("1\u00a0234\u00a0567 EUR", 1_234_567),
        ("1\u202f234\u202f567", 1_234_567),
        ("1,234,567", 1_234_567),
        ("1.234.567", 1_234_567),
        ("1.2 M", 1_234_567),
        ("1,2 M€", 1_234_567),
        ("1.23 million", 1_234_567),
        ("1,23 millions d'euros", 1_234_567),
        ("12 MEUR", 12_000_000),
        ("1,48 Md EUR", 1_477_086_000),
        ("1.48 bn", 1_477_086_000),
        ("812 k EUR", 812_345),
        ("12 %", 0.1234),
        ("12,3 %", 0.1234),
        ("12.3%", 0.1234),
        ("0.12", 0.1234),
        ("23,2 %", 23.2),
        ("+4.2 pts", 0.042),
        ("-0,1 %", -0.001),
        ("37 600 000", 37_612_345),
    ],
)
def test_a_figure_matches_its_value_whatever_the_format(text: str, value: float) -> None:
    assert _matches(text, value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.3 M", 1_234_567),
        ("13 %", 0.1234),
        ("12.4%", 0.1234),
        ("812 k EUR", 813_000),
        ("1 234 568", 1_234_567),
        ("4", 5),
    ],
)
def test_a_changed_digit_does_not_match(text: str, value: float) -> None:
    assert not _matches(text, value)


def test_ambiguous_separators_allow_both_readings() -> None:
    fig = find_figures("1,234")[0]
    assert fig.matches(1234) and fig.matches(1.234)
    assert find_figures("1,5")[0].matches(1.5)
    assert not find_figures("1,5")[0].matches(15)


def test_identifiers_and_compounds_are_not_figures() -> None:
    text = "C10175 and IN-0004, Q3, 8D report, a 3-year plan, ACT-00042, line 4"
    assert [f.raw for f in find_figures(text)] == ["4"]


def test_ranges_keep_both_numbers() -> None:
    figures = find_figures("from 2026-2027 on")
    assert len(figures) == 2
    assert figures[0].matches(2026) and figures[1].matches(2027)


def test_dates_are_read_as_dates_and_blanked_out() -> None:
    mentions, rest = find_dates("le 31 octobre 2026, le 1er mars 2025, October 2026, 2026-10-31"
                                ", March 5, 2025 and 05/03/2025")
    found = {(m.year, m.month, m.day) for m in mentions}
    assert found == {(2026, 10, 31), (2025, 3, 1), (2026, 10, None), (2025, 3, 5)}
    assert not find_figures(rest, skip_dates=False)
    assert mentions[0].matches(date(2026, 10, 31))
    assert next(m for m in mentions if m.day is None).matches(date(2026, 10, 2))


def test_numbers_in_gives_every_reading() -> None:
    assert set(numbers_in("12 % and 1,234")) >= {0.12, 12.0, 1234.0, 1.234}


def test_formats_in_both_languages() -> None:
    assert fmt_money(37_610_000, "en") == "37.61\u00a0M\u00a0EUR"
    assert fmt_money(37_610_000, "fr") == "37,61\u00a0M\u00a0EUR"
    assert fmt_money(1_477_086_000, "fr") == "1,48\u00a0Md\u00a0EUR"
    assert fmt_money(812_345, "en") == "812\u00a0k\u00a0EUR"
    assert fmt_money(8_120, "fr") == "8\u00a0120\u00a0EUR"
    assert fmt_ratio(0.1234, "en") == "12.3%"
    assert fmt_ratio(0.1234, "fr") == "12,3\u00a0%"
    assert fmt_percent(23.2, "fr") == "23,2\u00a0%"
    assert fmt_points(-0.042, "en") == "-4.2\u00a0pts"
    assert fmt_points(0.042, "en") == "+4.2\u00a0pts"
    assert fmt_number(-0.0001, "en", 1) == "0.0"
    assert fmt_date(date(2026, 10, 31), "en") == "31 October 2026"
    assert fmt_date(date(2026, 3, 1), "fr") == "1er mars 2026"
    assert fmt_value(None, "money", "fr") == "n/d"
    assert fmt_value(True, "flag", "en") == "yes"
    assert fmt_value("2026-10-31", "date", "fr") == "31 octobre 2026"


@given(st.floats(min_value=-5e9, max_value=5e9, allow_nan=False),
       st.sampled_from(["money", "ratio", "percent", "points", "count", "score", "number"]),
       st.sampled_from(["fr", "en"]))
def test_every_formatted_value_reads_back_as_itself(value: float, unit: str, lang: str) -> None:
    if unit in ("ratio", "points"):
        value = value / 1e9
    text = fmt_value(value, unit, lang)  # type: ignore[arg-type]
    figures = find_figures(text)
    assert len(figures) == 1, (text, [f.raw for f in figures])
    target = round(value) if unit == "count" else value
    assert figures[0].matches(target), (text, value)
