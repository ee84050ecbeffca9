"""The error every normaliser raises on a value it cannot clean."""

from __future__ import annotations


class NormalizationError(ValueError):
    """A value could not be normalised. The message says what is wrong and what is expected.

    `field` names the kind of value ("birth_date", "document_number", ...) so that callers
    (forms, imports, the CLI) can attach the message to the right input. The rejected value
    itself is deliberately not kept: it may be personal data and must not end up in logs.
    """

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
