"""What the dashboard remembers between starts: the theme picked in the command palette.

Textual-free. Kept in the user's state folder, never in the config (the operator's own
file, comments and all). A theme picked in the palette wins over the config's until the
config's ``theme`` itself changes: then the newer word is the config's.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path

from opsboard.paths import preferences_path

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Preferences:
    """The remembered choices."""

    theme: str = ""
    """The theme picked last, or ``""``."""
    config_theme: str = ""
    """The config's ``theme`` when it was picked."""
    path: Path | None = None

    @classmethod
    def load(cls, path: Path | None = None) -> Preferences:
        """The saved choices (none when the file is missing or unreadable)."""
        path = path or preferences_path()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(str(data.get("theme", "")), str(data.get("config_theme", "")), path)
        except (OSError, ValueError, AttributeError):
            return cls(path=path)

    def theme_over(self, configured: str) -> str:
        """The theme to use: the one picked, unless the config's changed since."""
        return self.theme if self.theme and self.config_theme == configured else configured

    def with_theme(self, theme: str, configured: str) -> Preferences:
        """These choices with ``theme`` picked while the config said ``configured``."""
        return replace(self, theme=theme, config_theme=configured)

    def save(self) -> None:
        """Write the choices (owner-only); a failure only costs the memory of them."""
        path = self.path or preferences_path()
        try:
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            temporary = path.with_name(path.name + ".tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"theme": self.theme, "config_theme": self.config_theme}, out)
            os.replace(temporary, path)
        except OSError as exc:
            log.warning("could not remember the theme in %s: %s", path, exc)
            with contextlib.suppress(OSError):
                path.with_name(path.name + ".tmp").unlink()
