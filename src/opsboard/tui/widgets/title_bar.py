"""The top line: which store, which instant, live or replay."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.widgets import Static

from opsboard.i18n import _


class TitleBar(Static):
    """``opsboard  tmall-flagship  2026-06-18 14:30 CST  LIVE``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("opsboard", id=id)
        self._shown: tuple[str, str, str, bool, str] | None = None
        self._args: dict[str, Any] | None = None

    def move_to(self, at: datetime) -> None:
        """The same bar at another instant (its clock moved on)."""
        if self._args is not None:
            self.show(**{**self._args, "at": at})

    def show(self, *, view: str, store: str | None, at: datetime, tz_name: str, live: bool) -> None:
        """Set what the bar says; nothing is redrawn when it says the same already."""
        self._args = {"view": view, "store": store, "tz_name": tz_name, "live": live}
        local = at.astimezone(ZoneInfo(tz_name)) if tz_name else at
        stamp = f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()
        key = (view, store or _("all stores"), stamp, live, tz_name)
        if key == self._shown:
            return
        self._shown = key
        text = Text()
        text.append("opsboard", style="bold")
        text.append(f"  {view}", style="bold")
        text.append(f"  {key[1]}  {stamp}  ")
        text.append(_(" LIVE ") if live else _(" REPLAY "), style="bold reverse")
        if not live:
            text.append(_("  ] forward  l back to live"), style="dim")
        self.set_class(not live, "-replay")
        self.update(text)
