"""Today's traffic split by channel."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from opsboard.formatting import MISSING, bar, compact, money, percent
from opsboard.glossary import channel_label
from opsboard.i18n import _
from opsboard.query.currency import CONVERTED_MARK
from opsboard.tui.dashboard import dashboard_of
from opsboard.views.overview import ChannelRow


class ChannelSplit(DataTable[Text]):
    """Visitors, share, buyers, GMV and conversion per channel."""

    def __init__(self, *, unicode: bool = True, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="none", show_cursor=False)
        self.unicode = unicode
        self._shown: tuple[tuple[ChannelRow, ...], str, bool] | None = None

    def on_mount(self) -> None:
        """Columns are fixed; rows come with data."""
        self.add_column(_("Channel"), key="channel")
        self.add_column(Text(_("UV"), justify="right"), key="uv")
        self.add_column(_("Share"), key="share")
        self.add_column(Text(_("Conv"), justify="right"), key="conv")
        self.add_column(Text(_("GMV"), justify="right"), key="gmv")

    def show(self, rows: tuple[ChannelRow, ...], currency: str, *, converted: bool = False) -> None:
        """Show ``rows``, GMV marked ``≈`` where ``converted``; nothing is redrawn when they
        did not change."""
        key = (rows, currency, converted)
        if key == self._shown:
            return
        self._shown = key
        self.clear()
        platform = dashboard_of(self.app).view_platform()
        for row in rows:
            self.add_row(
                Text(channel_label(row.channel, platform=platform, short=True)),
                Text(compact(row.uv) if row.uv is not None else MISSING, justify="right"),
                Text(f"{bar(row.share, 6, unicode=self.unicode)} {percent(row.share, 0):>4}"),
                Text(percent(row.conversion_rate, 2), justify="right"),
                Text(
                    (CONVERTED_MARK if converted and row.gmv is not None else "")
                    + money(row.gmv, currency),
                    justify="right",
                ),
                key=row.channel,
            )
        if not rows:
            self.add_row(Text(_("no channel data"), style="dim"), *[Text("")] * 4)
