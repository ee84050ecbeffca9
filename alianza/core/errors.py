"""The one family of application errors, with messages a user can act on.

Services raise these; the web views, the API and the CLI each map them once to a response or an
exit code, so a rule about what went wrong is never written twice.
"""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """An error the user can understand and act on. `code` is stable for API clients."""

    code = "application_error"
    http_status = 400

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ValidationFailed(ApplicationError):
    code = "validation_failed"
    http_status = 422


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    http_status = 403


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404


class Conflict(ApplicationError):
    code = "conflict"
    http_status = 409


class PayloadTooLarge(ApplicationError):
    code = "payload_too_large"
    http_status = 413
