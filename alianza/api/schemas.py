"""Shared API schema bases: every input refuses unknown fields."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, model_validator

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _iso_date_only(value: Any) -> Any:
    # Pydantic's lax mode would read "0" as a Unix timestamp; the API promises YYYY-MM-DD.
    if isinstance(value, str) and not _ISO_DATE.match(value):
        raise ValueError("use a date in the form YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]


# The database's integer columns hold signed 64-bit values; larger numbers are refused up front.
DB_INT_MAX = 2**63 - 1


def out_of_range(value: Any) -> bool:
    """Whether a number anywhere in `value` is too large for the database."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) > DB_INT_MAX
    if isinstance(value, dict):
        return any(out_of_range(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(out_of_range(v) for v in value)
    return False


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _numbers_fit_the_database(cls, data: Any) -> Any:
        if out_of_range(data):
            raise ValueError("a number in the request is too large")
        return data


class ErrorBody(Schema):
    code: str
    message: str
    details: list[dict[str, str]] | dict[str, object] | None = None


class ErrorOut(Schema):
    error: ErrorBody
