"""Partial dates: a year, a year and month, or a full date.

Birth dates in case files are often known only to the year ("born around 2008"), so they are
kept as `PartialDate` rather than forced into a `datetime.date` with an invented day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from alianza.normalize.errors import NormalizationError

_ISO_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Latin American forms write day first: 05/03/1990 is the 5th of March.
_DAY_FIRST_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_MONTH_YEAR_RE = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")

MIN_YEAR = 1850


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to the year, the month or the day. Ordering compares year, month, day."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise NormalizationError("A date with a day needs a month.", field="date")
        if not MIN_YEAR <= self.year <= 2100:
            raise NormalizationError(f"The year must be between {MIN_YEAR} and 2100.", field="date")
        if self.month is not None and not 1 <= self.month <= 12:
            raise NormalizationError("The month must be between 1 and 12.", field="date")
        if self.day is not None:
            assert self.month is not None
            try:
                dt.date(self.year, self.month, self.day)
            except ValueError:
                raise NormalizationError(
                    "This day does not exist in that month; check the date.", field="date"
                ) from None

    @property
    def precision(self) -> str:
        return "day" if self.day else "month" if self.month else "year"

    def isoformat(self) -> str:
        """YYYY, YYYY-MM or YYYY-MM-DD."""
        text = f"{self.year:04d}"
        if self.month is not None:
            text += f"-{self.month:02d}"
        if self.day is not None:
            text += f"-{self.day:02d}"
        return text

    def __str__(self) -> str:
        return self.isoformat()

    def to_date(self) -> dt.date | None:
        """The full date, or None when only the year or month is known."""
        if self.month is None or self.day is None:
            return None
        return dt.date(self.year, self.month, self.day)

    def contains(self, other: PartialDate) -> bool:
        """True when `other` may be the same day: it agrees on every part both dates know."""
        if self.year != other.year:
            return False
        if self.month is None or other.month is None:
            return True
        if self.month != other.month:
            return False
        return self.day is None or other.day is None or self.day == other.day


def normalize_date(
    value: str | dt.date | PartialDate, *, today: dt.date | None = None
) -> PartialDate:
    """Parse YYYY, YYYY-MM, YYYY-MM-DD, YYYYMMDD, DD/MM/YYYY or MM/YYYY into a `PartialDate`.

    Dates in the future (after `today`, default the current UTC date) are rejected, since the
    normaliser is used for birth dates and event dates that have already happened.
    """
    if isinstance(value, PartialDate):
        result = value
    elif isinstance(value, dt.date):
        result = PartialDate(value.year, value.month, value.day)
    else:
        text = value.strip()
        if not text:
            raise NormalizationError("The date is empty.", field="date")
        result = _parse(text)
    limit = today or dt.datetime.now(dt.UTC).date()
    if result > PartialDate(limit.year, limit.month, limit.day) and not result.contains(
        PartialDate(limit.year, limit.month, limit.day)
    ):
        raise NormalizationError("The date is in the future.", field="date")
    return result


@lru_cache(maxsize=65_536)  # pure: the same dates recur through an import
def _parse(text: str) -> PartialDate:
    for pattern, order in (
        (_ISO_RE, (1, 2, 3)),
        (_COMPACT_RE, (1, 2, 3)),
        (_DAY_FIRST_RE, (3, 2, 1)),
        (_MONTH_YEAR_RE, (2, 1, 0)),
    ):
        match = pattern.match(text)
        if match:
            year = int(match.group(order[0]))
            month = match.group(order[1]) if order[1] else None
            day = match.group(order[2]) if order[2] else None
            return PartialDate(year, int(month) if month else None, int(day) if day else None)
    raise NormalizationError(
        "Write the date as YYYY-MM-DD, YYYY-MM or YYYY (or DD/MM/YYYY).", field="date"
    )
