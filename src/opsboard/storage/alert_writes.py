"""The writes to the ``alerts`` table the alert engine decides, one type per kind of
change, and the mark recording an alert as told. ``AlertTables.revise`` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class NewAlert:
    """A new episode, pending, firing or a strategic loss since ``pending_since``; seen and
    written at ``at``."""

    rule: str
    store: str
    scope: str
    state: str
    severity: str
    value: float | None
    threshold: float | None
    message: str
    labels: dict[str, str]
    detail: dict[str, Any]
    pending_since: datetime
    at: datetime


@dataclass(frozen=True, slots=True)
class Fire:
    """A pending alert fires at ``at`` with the figures and message of what was seen."""

    id: int
    value: float | None
    threshold: float | None
    message: str
    detail: dict[str, Any]
    at: datetime


@dataclass(frozen=True, slots=True)
class Reading:
    """The figures of the observation that cleared an alert, kept on the resolved row."""

    value: float | None
    threshold: float | None
    detail: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Resolve:
    """An open alert resolves at ``at``; ``message`` replaces its message unless None, and
    ``reading`` (the observation that cleared it) its figures."""

    id: int
    at: datetime
    message: str | None = None
    reading: Reading | None = None


@dataclass(frozen=True, slots=True)
class Seen:
    """An open alert seen again with the same message: only its figures move."""

    id: int
    value: float | None
    threshold: float | None
    at: datetime


@dataclass(frozen=True, slots=True)
class Refresh:
    """An open alert seen again with a new message (or told again after being quiet)."""

    id: int
    value: float | None
    threshold: float | None
    message: str
    detail: dict[str, Any]
    at: datetime


@dataclass(frozen=True, slots=True)
class Quiet:
    """Why an open alert is not told from ``at`` on (empty: it is told again)."""

    id: int
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Drop:
    """A pending alert that never fired goes."""

    id: int


#: One write the alert engine decided.
AlertWrite = NewAlert | Fire | Resolve | Seen | Refresh | Quiet | Drop


@dataclass(frozen=True, slots=True)
class ToldMark:
    """An alert recorded as told at ``at`` in ``state`` (firing or resolved)."""

    alert_id: int
    state: str
    at: datetime
