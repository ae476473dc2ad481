"""The Sources screen's data: every file loaded or refused, every source's health, where
files go, and the first-run help. Textual-free.

Files come from the ingest history in the store, so a viewer sees what the collector
loaded; an API source's polls are left out of the file list (one a minute would bury the
files) and shown by its health instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from opsboard.adapters.registry import load_adapter
from opsboard.config.models import AdapterConfig, Settings
from opsboard.errors import UsageError
from opsboard.i18n import N_, _
from opsboard.storage.ingests import IngestRecord
from opsboard.storage.store import Store
from opsboard.timeutil import DEFAULT_TIMEZONE, zone
from opsboard.views.alerts import HealthRow, load_health

#: How many loads the Sources screen lists.
FILES_SHOWN = 200


@dataclass(frozen=True, slots=True)
class FileRow:
    """One file as the Sources screen and its toast show it."""

    id: int
    when: datetime
    """When it was loaded or refused (UTC)."""
    tz_name: str
    """The time zone of its store (the default zone when it has none)."""
    name: str
    """The file's name; ``origin`` is where it was read from."""
    origin: str
    loaded: bool
    format: str
    store: str
    first_day: date | None
    last_day: date | None
    points: int
    reason: str

    @property
    def dates(self) -> str:
        """``2026-06-17`` or ``2026-06-01 .. 2026-06-17``, or ``""``."""
        if self.first_day is None or self.last_day is None:
            return ""
        if self.first_day == self.last_day:
            return f"{self.first_day}"
        return f"{self.first_day} .. {self.last_day}"

    @property
    def short_dates(self) -> str:
        """The dates in few columns: ``2026-06-01..30``, ``2026-05-30..06-02``."""
        first, last = self.first_day, self.last_day
        if first is None or last is None or first == last:
            return self.dates
        if (first.year, first.month) == (last.year, last.month):
            return f"{first}..{last:%d}"
        if first.year == last.year:
            return f"{first}..{last:%m-%d}"
        return f"{first}..{last}"

    @property
    def toast(self) -> str:
        """One short sentence for a notification."""
        if not self.loaded:
            reason = self.reason.splitlines()[0] if self.reason else ""
            return _("refused {name}: {reason}").format(name=self.name, reason=reason)
        dates = _(", {dates}").format(dates=self.dates) if self.dates else ""
        store = _(" for {store}").format(store=self.store) if self.store else ""
        return _("loaded {name}: {format}{store}{dates}, {points} points").format(
            name=self.name, format=self.format, store=store, dates=dates, points=f"{self.points:,}"
        )


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One configured source (or one seen in the store's health) and its health."""

    name: str
    kind: str
    """The adapter type (``csv``, ``api``), or ``?`` for a source no longer configured."""
    store: str
    state: str
    since: datetime | None
    reason: str
    last_load: datetime | None


@dataclass(frozen=True, slots=True)
class SourcesView:
    """Everything the Sources screen shows."""

    at: datetime
    tz_name: str
    files: tuple[FileRow, ...]
    sources: tuple[SourceRow, ...]
    drop_folders: tuple[tuple[str, str], ...]
    """Each watched folder and its store (``""``: sub-folders named after stores)."""
    health: tuple[HealthRow, ...]
    config_path: str
    """The config file in use, or where one would be read from when there is none."""
    has_config: bool


def reads_files(adapter: AdapterConfig) -> bool:
    """True when the adapter reads export files (a drop folder), not an API."""
    try:
        return load_adapter(adapter.type).IMPLEMENTS_READ_FILE
    except UsageError:
        return False


def api_sources(settings: Settings) -> list[str]:
    """The configured sources that poll an API rather than read files."""
    return [a.name for a in settings.adapters if not reads_files(a)]


def drop_folders(settings: Settings) -> list[tuple[str, str]]:
    """The folders the file-reading sources watch, with their stores."""
    found: list[tuple[str, str]] = []
    for adapter in settings.adapters:
        folders = adapter.options.get("folders")
        if not adapter.enabled or not reads_files(adapter) or not isinstance(folders, list):
            continue
        for folder in folders:
            if isinstance(folder, dict) and folder.get("path"):
                path = os.path.expanduser(str(folder["path"]))
                found.append((path, str(folder.get("store") or "")))
    return found


def file_row(record: IngestRecord, settings: Settings) -> FileRow:
    """An ingest record as a file row, its days read in its store's zone."""
    names = [name.strip() for name in record.store.split(",") if name.strip()]
    tz_name = settings.store(names[0]).timezone if names else DEFAULT_TIMEZONE
    tz = zone(tz_name)
    first = last = None
    if record.period_start is not None and record.period_end is not None:
        first = datetime.fromtimestamp(record.period_start, tz).date()
        last = datetime.fromtimestamp(record.period_end, tz).date()
    when = datetime.fromisoformat(record.finished_at or record.started_at)
    return FileRow(
        id=record.id,
        when=when,
        tz_name=tz_name,
        name=Path(record.origin).name or record.origin,
        origin=record.origin,
        loaded=record.status == "loaded",
        format=record.format,
        store=record.store,
        first_day=first,
        last_day=last,
        points=record.points,
        reason=record.message,
    )


def new_files(store: Store, settings: Settings, after: int) -> list[FileRow]:
    """Files loaded or refused since ingest ``after``, oldest first (for toasts)."""
    records = store.ingest_history(after=after, exclude=api_sources(settings), limit=20)
    return [file_row(r, settings) for r in reversed(records)]


def _when(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def source_rows(store: Store, settings: Settings) -> list[SourceRow]:
    """Each configured source with its health per store, then sources seen only in the
    store's health (configured elsewhere, e.g. by ``opsboard watch``)."""
    health = store.health()
    loads = store.last_loaded()
    kinds = {a.name: a.type for a in settings.adapters}
    rows: list[SourceRow] = []
    for source_health in health:
        rows.append(
            SourceRow(
                name=source_health.source,
                kind=kinds.get(source_health.source, "?"),
                store=source_health.store,
                state=str(source_health.state.value),
                since=source_health.since,
                reason=source_health.reason,
                last_load=_when(loads.get(source_health.source)),
            )
        )
    seen = {row.name for row in rows}
    for adapter in settings.adapters:
        if adapter.name not in seen:
            state = "unknown" if adapter.enabled else "disabled"
            reason = _("not polled yet") if adapter.enabled else _("enabled = false in the config")
            rows.append(SourceRow(adapter.name, adapter.type, "", state, None, reason, None))
    return rows


def load_sources(
    store: Store, settings: Settings, *, at: datetime, tz_name: str, config_path: str,
    has_config: bool, store_name: str | None = None,
) -> SourcesView:  # fmt: skip
    """The Sources screen's data: with ``store_name``, only that store's files (and those
    of no store, refused before their store was known)."""
    records = store.ingest_history(exclude=api_sources(settings), limit=FILES_SHOWN)
    rows = [file_row(r, settings) for r in records]
    if store_name:
        rows = [r for r in rows if not r.store or store_name in r.store.split(", ")]
    return SourcesView(
        at=at,
        tz_name=tz_name,
        files=tuple(rows),
        sources=tuple(source_rows(store, settings)),
        drop_folders=tuple(drop_folders(settings)),
        health=tuple(load_health(store)),
        config_path=config_path,
        has_config=has_config,
    )


def start_help(config_path: str, has_config: bool, drops: list[tuple[str, str]]) -> list[str]:
    """How to get data in, one paragraph a line (the screen wraps them): where the config
    goes, how to make one, where files go. The first-run and Sources screens show it."""
    lines: list[str] = []
    if not has_config:
        folder = Path(config_path).parent
        make_folder = (
            ""
            if folder.is_dir()
            else _(" (make its folder first: mkdir -p {folder})").format(folder=folder)
        )
        lines += [
            _(
                "No config yet. opsboard reads it from {path} (or the file named by "
                "--config or OPSBOARD_CONFIG). To make one:"
            ).format(path=config_path),
            _(
                "- opsboard init: asks for a store, its platform, time zone and drop folder, "
                "and writes a valid config"
            ),
            _(
                "- opsboard config example > {path}: a commented example of every key, "
                "to edit{make_folder}"
            ).format(path=config_path, make_folder=make_folder),
            _("- opsboard demo: try it first on a simulated platform"),
        ]
    elif Path(config_path).is_file():
        lines.append(
            _("Config: {path} (`opsboard config check` checks it after an edit)").format(
                path=config_path
            )
        )
    if drops:
        lines.append(_("Drop export files (CSV, XLS/XLSX, ZIP) into:"))
        for path, store in drops:
            whose = (
                _("(store {store})").format(store=store) if store else _("(a sub-folder per store)")
            )
            lines.append(f"- {path}  {whose}")
    else:
        lines.append(
            _(
                "No drop folder is configured: `opsboard init` sets one up (a csv source in "
                "the config). Meanwhile `opsboard ingest FILE --store NAME` loads a file once."
            )
        )
    return lines


#: A source's state as the dashboard says it (the health states, and two of the config's).
STATE_WORDS = {
    "ok": N_("ok"),
    "slow": N_("slow"),
    "stale": N_("stale"),
    "rate_limited": N_("rate limited"),
    "failing": N_("failing"),
    "down": N_("down"),
    "unknown": N_("unknown"),
    "disabled": N_("disabled"),
}


def state_word(state: str) -> str:
    """A source's state in the reader's language: ``rate limited`` / its Chinese."""
    return _(STATE_WORDS.get(state, state.replace("_", " ")))
