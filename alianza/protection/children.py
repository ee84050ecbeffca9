"""Whether a victim is a child, from a birth date that may be known only to the year or month."""

from __future__ import annotations

import calendar
from datetime import date

from alianza.cases.fields import parse_partial
from alianza.normalize import NormalizationError

ADULT_AGE = 18


def _latest_possible_birth(birth_date: str) -> date | None:
    try:
        partial = parse_partial(birth_date)
    except NormalizationError:
        return None
    if partial is None:
        return None
    month = partial.month or 12
    day = partial.day or calendar.monthrange(partial.year, month)[1]
    return date(partial.year, month, day)


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def victim_is_child(*, birth_date: str, age_when_trafficked: int | None, today: date) -> bool:
    """True when the person may still be under 18.

    Conservative on purpose: with a partial date the latest possible birthday counts (born "2008"
    is a child until the end of 2026), and with no birth date a victim trafficked as a child is
    treated as a child, since nothing shows they have come of age.
    """
    latest = _latest_possible_birth(birth_date)
    if latest is None:
        return age_when_trafficked is not None and age_when_trafficked < ADULT_AGE
    return today < _add_years(latest, ADULT_AGE)


def youngest_possible_age(*, birth_date: str, today: date) -> int | None:
    """The person's age in whole years, taking the latest birthday a partial date allows."""
    latest = _latest_possible_birth(birth_date)
    if latest is None:
        return None
    return today.year - latest.year - ((today.month, today.day) < (latest.month, latest.day))
