"""Shared API schema bases: every input refuses unknown fields."""

from __future__ import annotations

from ninja import Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorBody(Schema):
    code: str
    message: str
    details: list[dict[str, str]] | dict[str, object] | None = None


class ErrorOut(Schema):
    error: ErrorBody
