"""The request id of the work in progress, readable from anywhere (logs, audit entries)."""

from __future__ import annotations

import contextvars
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str | None = None) -> contextvars.Token[str]:
    return _request_id.set(value or uuid.uuid4().hex)


def reset_request_id(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)


def ensure_request_id() -> str:
    """Outside a web request (CLI, jobs) give the work its own id on first use."""
    value = _request_id.get()
    if not value:
        value = uuid.uuid4().hex
        _request_id.set(value)
    return value
