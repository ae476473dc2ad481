"""The bottom line: each source's health, when the data was last read, collector or viewer."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import Static

from opsboard.formatting import age
from opsboard.tui.palette import palette
from opsboard.views.alerts import HealthRow


class StatusBar(Static):
    """Source health, last refresh and the dashboard's role, on one line."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._shown: tuple[object, ...] | None = None

    def show(
        self,
        *,
        health: tuple[HealthRow, ...],
        refreshed: datetime | None,
        role: str,
        now: datetime,
        tz_name: str = "UTC",
    ) -> None:
        """Update the line; unchanged content is not redrawn."""
        key = (health, refreshed, role, now.replace(second=0, microsecond=0))
        if key == self._shown:
            return
        self._shown = key
        colours = palette(self.app)
        # A slow, stale or rate-limited source still delivers: worth a look, not wrong.
        states = {
            "ok": colours.good,
            **dict.fromkeys(("slow", "stale", "rate_limited"), colours.warning),
        }
        text = Text()
        if not health:
            text.append("no sources yet", style="dim")
        healthy = [row for row in health if row.state == "ok"]
        if healthy:
            text.append(f"{len(healthy)}/{len(health)} sources ok", style=colours.good)
        for row in health:
            if row.state == "ok":
                continue
            name = f"{row.source}/{row.store}" if row.store else row.source
            text.append("  ")
            text.append(name, style="bold")
            text.append(" ")
            text.append(
                row.state.replace("_", " "), style=states.get(row.state, colours.bold(colours.bad))
            )
            text.append(" ")
            text.append(age((now - row.since).total_seconds()))
        text.append("  | ")
        text.append(role, style="bold")
        if refreshed is not None:
            text.append(f" | read {refreshed.astimezone(ZoneInfo(tz_name)):%H:%M:%S}")
        self.update(text)
