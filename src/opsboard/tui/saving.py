"""Saving what the dashboard shows: ``ctrl+s`` writes an SVG of the screen into the
user's own data folder (never the current folder, which may be shared or read-only)."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path
from typing import Any

from textual.app import App

from opsboard.paths import screenshot_dir


def save_screen(app: App[Any], store_name: str | None, local: datetime) -> Path:
    """Save an SVG of ``app``'s screen into the user's screenshot folder (owner-only),
    named by the view, the store and the local time ``local`` (the store's); its path."""
    folder = screenshot_dir()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    view = getattr(app.screen, "kind", "") or "screen"
    path = folder / f"opsboard-{view}-{store_name or 'all-stores'}-{local:%Y%m%d-%H%M%S}.svg"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(app.export_screenshot(title=path.stem))
    return path
