"""Cell conversions: numbers in both decimal conventions, dates, ids, booleans."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kambot.store.importers.convert import (
    ConversionError,
    DateParser,
    is_empty,
    normalise_id,
    parse_bool,
    parse_int,
    parse_number,
    to_text,
)


@pytest.mark.parametrize(
    ("text", "decimal", "expected"),
    [
        ("12.5", "auto", 12.5),
        (" -3 ", "auto", -3.0),
        ("1e3", "auto", 1000.0),
        ("12,5", "auto", 12.5),
        ("1 234,56", "auto", 1234.56),
        ("1\u202f234,56", "auto", 1234.56),
        ("1.234,56", "auto", 1234.56),
        ("1,234.56", "auto", 1234.56),
        ("1,234,567", "auto", 1234567.0),
        ("1.234", ",", 1234.0),
        ("12.5", ",", 12.5),
        ("12,5", ",", 12.5),
        ("1,234", ".", 1234.0),
        ("0.85", ".", 0.85),
    ],
)
def test_parse_number_reads_both_conventions(text: str, decimal: str, expected: float) -> None:
    assert parse_number(text, decimal) == pytest.approx(expected)  # type: ignore[arg-type]


def test_ambiguous_grouping_is_refused_unless_the_file_says_comma() -> None:
    with pytest.raises(ConversionError, match="ambiguous"):
        parse_number("1,234")
    assert parse_number("1,234", comma_hint=True) == pytest.approx(1.234)


@pytest.mark.parametrize("text", ["abc", "nan", "inf", "1_000", "12,5", "", "5%"])
def test_parse_number_refuses_non_numbers(text: str) -> None:
    decimal = "." if text == "12,5" else "auto"
    with pytest.raises(ConversionError) as info:
        parse_number(text, decimal)  # type: ignore[arg-type]
    assert repr(text) in str(info.value)


def test_parse_int_accepts_integral_floats_only() -> None:
    assert parse_int("2822") == 2822
    assert parse_int("12.0") == 12
    assert parse_int(7.0) == 7
    with pytest.raises(ConversionError, match="whole number"):
        parse_int("12.5")


def test_dates_iso_by_default_and_formats_when_given() -> None:
    iso = DateParser()
    assert iso("2011-03-04") == date(2011, 3, 4)
    assert iso("2010-12-01 09:45:00") == date(2010, 12, 1)  # time of day dropped
    assert iso(datetime(2020, 1, 2, 3, 4)) == date(2020, 1, 2)
    with pytest.raises(ConversionError, match="date_format"):
        iso("04/03/2011")
    french = DateParser(("%d/%m/%Y",))
    assert french("04/03/2011") == date(2011, 3, 4)
    assert french("04/03/2011") == date(2011, 3, 4)  # served from the cache
    with pytest.raises(ConversionError, match="%d/%m/%Y"):
        french("2011-03-04")


def test_ids_lose_a_float_suffix_only() -> None:
    assert normalise_id("16098.0") == "16098"
    assert normalise_id(16098.0) == "16098"
    assert normalise_id("16098.5") == "16098.5"
    assert normalise_id("A-12.0B") == "A-12.0B"
    assert normalise_id("  ") is None


def test_booleans_and_text() -> None:
    assert parse_bool("Yes") is True
    assert parse_bool("non") is False
    assert parse_bool(1) is True
    with pytest.raises(ConversionError):
        parse_bool("maybe")
    assert to_text(" a ") == "a"
    assert to_text(3.0) == "3"
    assert to_text(date(2020, 1, 2)) == "2020-01-02"
    assert is_empty("  ") and is_empty(None) and is_empty(float("nan"))
    assert not is_empty("0")
