"""The Overview's plan strip: each target under way, against its plan so far.

Pacing a target reads the store's weekday pattern and hourly curve (several queries), so
the lines are kept for a minute per view: a plan does not move between two refreshes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from opsboard.config.models import Settings
from opsboard.query.engine import MetricsEngine
from opsboard.query.plans import PlanReader, all_targets, plan_line
from opsboard.storage.store import Store
from opsboard.timeutil import local_day

#: The most lines the strip shows per store (the month's plan comes first).
PER_STORE = 3


@dataclass(frozen=True, slots=True)
class PlanLine:
    """One target under way, as the strip shows it."""

    store: str
    text: str
    #: The same for a narrow screen.
    short: str
    status: str
    done_share: float | None
    time_share: float


class PlanLines:
    """Builds the plan strip's lines, kept for a minute per (stores, instant)."""

    def __init__(self, store: Store, engine: MetricsEngine, settings: Settings) -> None:
        self.store = store
        self.engine = engine
        self.settings = settings
        self._kept: tuple[tuple[tuple[str, ...], int], tuple[PlanLine, ...]] | None = None

    def lines(self, names: list[str], at: datetime) -> tuple[PlanLine, ...]:
        """The lines of the targets of ``names`` whose period holds each store's day at
        ``at``, paced to ``at``."""
        key = (tuple(names), int(at.timestamp()) // 60)
        if self._kept is not None and self._kept[0] == key:
            return self._kept[1]
        if not self.settings.targets and not self.store.targets():
            found: tuple[PlanLine, ...] = ()
        else:
            found = tuple(self._build(names, at))
        self._kept = (key, found)
        return found

    def _build(self, names: list[str], at: datetime) -> list[PlanLine]:
        reader = PlanReader(self.engine, self.settings)
        out: list[PlanLine] = []
        for name in names:
            tz = self.engine.tz_for(name)
            today = local_day(at, tz)
            current = [
                t
                for t in all_targets(self.settings, self.store, name)
                if t.period.first <= today <= t.period.last
            ]
            # Longer periods first: the month's plan leads, a promotion window follows.
            current.sort(key=lambda t: (-t.period.days, t.metric != "gmv", t.metric))
            currency = self.settings.store(name).currency
            for target in current[:PER_STORE]:
                status = reader.status(target, tz, at=at)
                lead = "" if len(names) == 1 else f"{name}: "
                out.append(
                    PlanLine(
                        store=name,
                        text=lead + plan_line(status, currency),
                        short=lead + plan_line(status, currency, short=True),
                        status=status.standing.status,
                        done_share=status.standing.done_share,
                        time_share=status.standing.time_share,
                    )
                )
        return out
