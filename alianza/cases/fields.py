"""Partial dates stored as their ISO text (YYYY, YYYY-MM or YYYY-MM-DD), which sorts correctly."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from alianza.normalize import NormalizationError, PartialDate, normalize_date


def validate_partial_date(value: str) -> None:
    if not value:
        return
    try:
        parsed = normalize_date(value)
    except NormalizationError as exc:
        raise ValidationError(exc.message) from None
    if parsed.isoformat() != value:
        raise ValidationError("Store partial dates as YYYY, YYYY-MM or YYYY-MM-DD.")


class PartialDateField(models.CharField):
    """A date known to the year, the month or the day; empty when unknown."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)
        self.validators.append(validate_partial_date)


def parse_partial(value: str) -> PartialDate | None:
    return normalize_date(value) if value else None
