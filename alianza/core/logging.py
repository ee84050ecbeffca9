"""Structured logging helpers. Log events carry ids and route names, never personal data."""

from __future__ import annotations

import logging

from alianza.core.request_context import current_request_id


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True
