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


def unstorable(value: Any) -> str | None:
    """Why `value` (or anything inside it) cannot be stored, or None.

    Numbers beyond 64 bits, NUL characters and unpaired surrogates all pass JSON and Pydantic but
    fail deep inside a database query; they are refused before anything runs.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return "a number in the request is too large" if abs(value) > DB_INT_MAX else None
    if isinstance(value, str):
        if "\x00" in value:
            return "text in the request contains a NUL character"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "text in the request is not valid Unicode"
        return None
    if isinstance(value, dict):
        items: list[Any] = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        return None
    for item in items:
        problem = unstorable(item)
        if problem:
            return problem
    return None


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _values_fit_the_database(cls, data: Any) -> Any:
        problem = unstorable(data)
        if problem:
            raise ValueError(problem)
        return data


class ErrorBody(Schema):
    code: str
    message: str
    details: list[dict[str, str]] | dict[str, object] | None = None


class ErrorOut(Schema):
    error: ErrorBody
