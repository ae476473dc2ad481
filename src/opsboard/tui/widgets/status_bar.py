"""The bottom line: who collects and when it last polled, each source's health, and when
the data was last read.

When nobody collects, the sources' last known health would be a lie ("1/1 sources ok"
while nothing is polled): the line then says only that nobody collects, in red.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import Static

from opsboard.formatting import age
from opsboard.i18n import _
from opsboard.tui.palette import Palette, palette
from opsboard.views.alerts import HealthRow
from opsboard.views.collecting import Collecting, CollectorStatus
from opsboard.views.sources import state_word

#: A last poll older than this is shown as a warning: the collector may be stuck.
POLL_OVERDUE = timedelta(minutes=5)


class StatusBar(Static):
    """Source health, the collector and the last read, on one line."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self._shown: tuple[object, ...] | None = None

    def show(
        self,
        *,
        health: tuple[HealthRow, ...],
        refreshed: datetime | None,
        collecting: CollectorStatus,
        now: datetime,
        tz_name: str = "UTC",
        note: str = "",
    ) -> None:
        """Update the line; unchanged content is not redrawn. ``note`` comes first (e.g.
        that there is no config yet)."""
        key = (health, refreshed, collecting, now.replace(second=0, microsecond=0), note)
        if key == self._shown:
            return
        self._shown = key
        colours = palette(self.app)
        tz = ZoneInfo(tz_name)
        text = Text()
        if note:
            text.append(note, style=colours.warning)
            text.append("  ")
        if collecting.collecting is Collecting.NOBODY:
            text.append(_("no collector: alerts are not sent"), style=colours.bold(colours.bad))
            if collecting.reason:
                text.append(_(" ({what})").format(what=collecting.reason), style=colours.bad)
        else:
            # Who collects first: on a narrow terminal the line is cut at its end.
            self._collector(text, collecting, now, tz, colours)
            text.append(" | ")
            self._health(text, health, now, colours)
        if refreshed is not None:
            text.append(_(" | read {time}").format(time=f"{refreshed.astimezone(tz):%H:%M:%S}"))
        self.update(text)

    @staticmethod
    def _health(text: Text, health: tuple[HealthRow, ...], now: datetime, colours: Palette) -> None:
        # A slow, stale or rate-limited source still delivers: worth a look, not wrong.
        states = {
            "ok": colours.good,
            **dict.fromkeys(("slow", "stale", "rate_limited"), colours.warning),
        }
        if not health:
            text.append(_("no sources yet"), style="dim")
        healthy = [row for row in health if row.state == "ok"]
        if healthy:
            text.append(
                _("{ok}/{total} sources ok").format(ok=len(healthy), total=len(health)),
                style=colours.good,
            )
        for row in health:
            if row.state == "ok":
                continue
            name = f"{row.source}/{row.store}" if row.store else row.source
            text.append("  ")
            text.append(name, style="bold")
            text.append(" ")
            text.append(
                state_word(row.state),
                style=states.get(row.state, colours.bold(colours.bad)),
            )
            text.append(" ")
            text.append(age((now - row.since).total_seconds()))

    @staticmethod
    def _collector(
        text: Text, collecting: CollectorStatus, now: datetime, tz: ZoneInfo, colours: Palette
    ) -> None:
        if collecting.collecting is Collecting.HERE:
            text.append(_("collecting here"), style="bold")
        else:
            text.append(_("collector "), style="bold")
            text.append(collecting.holder or _("another process"), style="bold")
        polled = collecting.polled
        if polled is None:
            text.append(_(", not polled yet"), style=colours.warning)
        elif now - polled > POLL_OVERDUE:
            ago = age((now - polled).total_seconds())
            text.append(_(", polled {ago} ago").format(ago=ago), style=colours.warning)
        else:
            text.append(_(", polled {time}").format(time=f"{polled.astimezone(tz):%H:%M:%S}"))
