from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from alianza.normalize import (
    NormalizationError,
    PartialDate,
    normalize_country,
    normalize_date,
    normalize_phone,
)

TODAY = dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990", PartialDate(1990)),
        ("1990-05", PartialDate(1990, 5)),
        ("1990-5-3", PartialDate(1990, 5, 3)),
        ("19900503", PartialDate(1990, 5, 3)),
        ("03/05/1990", PartialDate(1990, 5, 3)),  # day first, as written in the region
        ("05/1990", PartialDate(1990, 5)),
    ],
)
def test_partial_dates_parse(text: str, expected: PartialDate) -> None:
    assert normalize_date(text, today=TODAY) == expected


@pytest.mark.parametrize("text", ["1990-02-30", "1990-13", "90", "abc", "2030-01-01", "1700"])
def test_impossible_or_future_dates_are_rejected(text: str) -> None:
    with pytest.raises(NormalizationError):
        normalize_date(text, today=TODAY)


def test_partial_date_precision_and_containment() -> None:
    year_only = PartialDate(1990)
    assert year_only.precision == "year" and year_only.to_date() is None
    assert year_only.contains(PartialDate(1990, 5, 3))
    assert not PartialDate(1990, 5).contains(PartialDate(1990, 6, 1))


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY))
def test_iso_round_trip(day: dt.date) -> None:
    parsed = normalize_date(day.isoformat(), today=TODAY)
    assert parsed.to_date() == day
    assert normalize_date(parsed.isoformat(), today=TODAY) == parsed


@pytest.mark.parametrize(
    ("text", "alpha3"),
    [
        ("BOL", "BOL"), ("bo", "BOL"), ("068", "BOL"), ("Bolivia", "BOL"),
        ("Perú", "PER"), ("Brasil", "BRA"), ("Brazil", "BRA"), ("argentina", "ARG"),
        ("boliviana", "BOL"), ("Estados Unidos", "USA"), ("España", "ESP"),
    ],
)  # fmt: skip
def test_countries_from_codes_and_names(text: str, alpha3: str) -> None:
    assert normalize_country(text) == alpha3


def test_unknown_country() -> None:
    with pytest.raises(NormalizationError, match="ISO 3166"):
        normalize_country("Atlantis")


def test_phones_in_e164() -> None:
    assert normalize_phone("71234567") == "+59171234567"
    assert normalize_phone("0054 9 11 2345-6789") == "+5491123456789"
    assert normalize_phone("987 654 321", default_country="PER") == "+51987654321"
    with pytest.raises(NormalizationError):
        normalize_phone("12")
