"""Each channel opened into its traffic sources (手淘搜索, 手淘推荐, 直通车, …). Textual-free.

Sources come from daily exports (生意参谋's 流量来源 is downloaded the day after), so the
screen shows each store's latest day with source figures (today if it has some) and says
which day that is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo

from opsboard.formatting import long_day
from opsboard.metrics import ratio
from opsboard.models import CHANNELS
from opsboard.query.engine import MetricsEngine
from opsboard.query.scope import Filters, Period
from opsboard.storage import points
from opsboard.storage.points import SeriesSelection
from opsboard.storage.store import Store
from opsboard.timeutil import local_day

_METRICS = ["uv", "buyers", "gmv"]


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One channel (``source == ""``: the channel's own figure) or one of its sources."""

    channel: str
    source: str
    uv: float | None
    buyers: float | None
    gmv: float | None
    #: A source's visitors as a share of its channel's; a channel's as a share of all.
    share: float | None

    @property
    def conversion_rate(self) -> float | None:
        """Paying buyers per visitor."""
        return ratio(self.buyers, self.uv)


@dataclass(frozen=True, slots=True)
class ChannelSources:
    """The channels and their sources on the day shown."""

    #: The local day each store's figures are of (stores with none left out).
    days: dict[str, date]
    rows: tuple[SourceRow, ...]
    #: GMV is left out when the stores count in different currencies.
    currency: str

    @property
    def day_label(self) -> str:
        """``2026-06-18`` when every store shows one day, else each store's day."""
        if not self.days:
            return ""
        distinct = set(self.days.values())
        if len(distinct) == 1:
            return long_day(distinct.pop())
        return ", ".join(f"{name} {day:%m-%d}" for name, day in sorted(self.days.items()))


def latest_source_day(store: Store, name: str, tz: tzinfo, at: datetime) -> date | None:
    """The latest local day up to ``at`` (in ``name``'s zone) with traffic-source figures
    of the store ``name``; None when it has none."""
    selection = SeriesSelection(name, ("uv",), hourly=False, named=("source",))
    found = points.span(store, selection)
    if found is None:
        return None
    return min(local_day(datetime.fromtimestamp(found[1], UTC), tz), local_day(at, tz))


def load_channel_sources(
    store: Store,
    engine: MetricsEngine,
    stores: Sequence[str],
    tz_for: Callable[[str], tzinfo],
    currency_of: Callable[[str], str],
    at: datetime,
) -> ChannelSources:
    """Each channel's own figure and its sources' on each store's latest day with sources,
    summed over ``stores`` (each on its own day; a store with none is left out)."""
    sums: dict[tuple[str, str], list[float | None]] = {}
    days: dict[str, date] = {}
    for name in stores:
        day = latest_source_day(store, name, tz_for(name), at)
        if day is None:
            continue
        days[name] = day
        period = Period(first_day=day, last_day=day)
        for row in engine.query(_METRICS, stores=[name], by="channel", period=period):
            _add(sums, (row["channel"], ""), row)
        for channel in CHANNELS:
            for row in engine.query(
                _METRICS, stores=[name], by="source", period=period,
                filters=Filters(channel=channel),
            ):  # fmt: skip
                if row["source"]:
                    _add(sums, (channel, row["source"]), row)
    currencies = {currency_of(s) for s in days}
    currency = currencies.pop() if len(currencies) == 1 else ""
    everyone = sum(v[0] or 0.0 for (_c, source), v in sums.items() if not source) or None
    rows: list[SourceRow] = []
    for channel in CHANNELS:
        own = sums.get((channel, ""))
        sources = sorted(
            ((key[1], v) for key, v in sums.items() if key[0] == channel and key[1]),
            key=lambda item: -(item[1][0] or 0.0),
        )
        if own is None and not sources:
            continue
        channel_uv = own[0] if own is not None else None
        rows.append(
            _row(channel, "", own or [None, None, None], ratio(channel_uv, everyone), currency)
        )
        for source, values in sources:
            rows.append(_row(channel, source, values, ratio(values[0], channel_uv), currency))
    return ChannelSources(days=days, rows=tuple(rows), currency=currency)


def _add(
    sums: dict[tuple[str, str], list[float | None]], key: tuple[str, str], row: dict[str, object]
) -> None:
    values = sums.setdefault(key, [None, None, None])
    for i, metric in enumerate(_METRICS):
        value = row.get(metric)
        if isinstance(value, int | float):
            values[i] = (values[i] or 0.0) + float(value)


def _row(
    channel: str, source: str, values: list[float | None], share: float | None, currency: str
) -> SourceRow:
    uv, buyers, gmv = values
    return SourceRow(channel, source, uv, buyers, gmv if currency else None, share)
