"""Errors of the linkage library, each with a message the person running it can act on."""

from __future__ import annotations


class LinkageError(Exception):
    """Base class: linkage could not run. The message never contains record contents."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputDataError(LinkageError):
    """The input file or table cannot be used: missing columns, bad encoding, no rows."""


class ModelFileError(LinkageError):
    """A saved model file is unreadable, of another format, or of an unsupported version."""


class EngineUnavailable(LinkageError):
    """The requested engine (Spark) is not installed or cannot start."""
