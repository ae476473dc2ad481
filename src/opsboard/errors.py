"""Errors meant for people: each carries a message and the exit code the CLI uses."""

from __future__ import annotations

from opsboard.i18n import _


class OpsboardError(Exception):
    """A problem the user can act on; the CLI prints it without a traceback.

    ``hint`` says what to do about it; ``exit_code`` follows the CLI's convention
    (1 failure, 2 bad usage or configuration).
    """

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else self.message + fix_line(self.hint)


def fix_line(hint: str) -> str:
    """The line that says what to do: ``\n  fix: ...`` (``修复：`` in Chinese)."""
    return "\n  " + _("fix: {hint}").format(hint=hint)


class ConfigError(OpsboardError):
    """The configuration file is missing, unreadable or invalid."""

    exit_code = 2

    def __init__(self, message: str, *, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []

    def __str__(self) -> str:
        return "\n".join([self.message, *(f"  - {p}" for p in self.problems)])


class UsageError(OpsboardError):
    """A command was given arguments it cannot act on (unknown metric, bad date...)."""

    exit_code = 2


class StoreError(OpsboardError):
    """The database cannot be opened or written (locked, read-only, newer schema)."""


class CollectorLockedError(StoreError):
    """Another process already collects for this database."""


class RejectedInput(OpsboardError):
    """An input (a file, an API page, a row) was refused; nothing of it was stored.

    ``line`` and ``column`` locate the problem where there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.line = line
        self.column = column

    @property
    def where(self) -> str:
        """``line 12, column 花费`` or empty when the problem has no position."""
        parts = []
        if self.line is not None:
            parts.append(_("line {line}").format(line=self.line))
        if self.column is not None:
            parts.append(_("column {column!r}").format(column=self.column))
        return _(", ").join(parts)

    def __str__(self) -> str:
        text = _("{where}: {message}").format(where=self.where, message=self.message)
        text = text if self.where else self.message
        return text if not self.hint else text + fix_line(self.hint)
