"""The toasts that say which files were loaded or refused since the dashboard last looked."""

from __future__ import annotations

from typing import Any

from textual.app import App

from opsboard.i18n import _
from opsboard.views.sources import FileRow

#: Up to this many files loaded at once get a toast each; more share one.
FILES_TOLD_ONE_BY_ONE = 2


def tell_files(app: App[Any], news: list[FileRow], seen: int | None) -> int | None:
    """A toast for each file refused since the last look, and for the files loaded: one
    each, or one for all when several came at once (a stack of toasts would cover the
    panels of a small terminal). Returns the newest load seen."""
    loaded = [row for row in news if row.loaded]
    together = len(loaded) > FILES_TOLD_ONE_BY_ONE
    if together:
        names = ", ".join(row.name for row in loaded[:FILES_TOLD_ONE_BY_ONE])
        more = len(loaded) - FILES_TOLD_ONE_BY_ONE
        app.notify(
            _("loaded {count} files: {names} and {more} more (f: files)").format(
                count=len(loaded), names=names, more=more
            ),
            title=_("Files loaded"),
            timeout=8,
        )
    for row in news:
        seen = max(seen or 0, row.id)
        if row.loaded and together:
            continue
        app.notify(
            row.toast,
            title=_("File loaded") if row.loaded else _("File refused (f: files)"),
            severity="information" if row.loaded else "error",
            timeout=8 if row.loaded else 20,
        )
    return seen
