"""Errors a user can cause. The CLI prints them in one line and exits 2."""

from __future__ import annotations


class SegmintError(Exception):
    """Base class for every error caused by input, configuration or usage."""


class ConfigError(SegmintError):
    """The configuration is invalid; the message names the key and the allowed values."""


class InputError(SegmintError):
    """An input file or table cannot be used as a whole."""


class MissingColumnError(InputError):
    """A required column is missing from an input; names the column and the columns found."""

    def __init__(self, source: str, column: str, found: list[str], hint: str = "") -> None:
        self.source = source
        self.column = column
        self.found = list(found)
        message = f"{source}: required column '{column}' not found; columns found: " + ", ".join(
            repr(c) for c in found
        )
        if hint:
            message += f" ({hint})"
        super().__init__(message)


class NotFittedError(SegmintError, ValueError):
    """A model or segmenter was used before `fit`."""


class ModelFitError(SegmintError):
    """A model could not be fitted; the message gives the diagnosis."""
