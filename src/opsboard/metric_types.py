"""The two kinds of metric definition: stored (base) and computed (derived).

Kept apart from ``metrics`` so that the modules holding definitions can import them
without a cycle.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BaseMetric:
    """A stored metric: counted or summed over the periods and scopes it covers."""

    name: str
    label: str
    kind: str  # "count" or "money"
    description: str


@dataclass(frozen=True, slots=True)
class DerivedMetric:
    """A ratio of two base sums, times ``scale``; NULL when either sum is missing or 0."""

    name: str
    label: str
    numerator: str
    denominator: str
    kind: str  # "rate" (shown as %), "money" or "ratio"
    description: str
    scale: float = 1.0
