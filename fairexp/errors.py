"""User-facing errors.

A :class:`FairexpError` is a mistake the user can fix (a config key, a column, a
file). The CLI prints it as one line, without a traceback, and exits non-zero.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class FairexpError(Exception):
    """A problem in the user's input, reported as one actionable line.

    ``key`` names the config key (e.g. ``dataset.sensitive``) or column at fault,
    so the message tells the user exactly what to change.
    """

    exit_code = 2

    def __init__(self, message: str, *, key: str | None = None) -> None:
        self.key = key
        self.message = message
        super().__init__(f"{key}: {message}" if key else message)


class ConfigError(FairexpError):
    """A config value that is missing, misspelt or out of range."""


class DataError(FairexpError):
    """Data that cannot support an honest experiment (e.g. a one-group sensitive column)."""
