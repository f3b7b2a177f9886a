"""Errors the user can cause: each says what was wrong and what to do."""

from __future__ import annotations


class DynoError(Exception):
    """Base for errors shown to the user as a message, never a stack trace."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class DatasetError(DynoError):
    """A dataset could not be found, read or understood."""


class StoreError(DynoError):
    """The workspace store is unreadable, foreign or locked."""


class LLMError(DynoError):
    """The LLM server is unreachable, refuses, or answers badly."""


class ConfigError(DynoError):
    """The config file or an option is wrong."""


class ExportError(DynoError):
    """An export could not be written."""
