"""The adapter contract and the registry of installed adapters (DESIGN.md 4.2).

Adapters are plugins found through the ``opsboard.adapters`` entry-point group; the
bundled ones are registered exactly as a third-party one would be, and the core never
imports them by name. Listing adapters reads package metadata only.
"""

from __future__ import annotations

import abc
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

from opsboard.config.models import Settings
from opsboard.config.problems import describe_errors
from opsboard.errors import ConfigError, UsageError
from opsboard.models import MetricPoint, SourceHealth
from opsboard.storage.store import RawPoint
from opsboard.timeutil import Clock

GROUP = "opsboard.adapters"


class AdapterOptions(BaseModel):
    """Base of every adapter's options model: unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


@dataclass
class Batch:
    """Points an adapter hands the collector to commit in one transaction.

    ``bookmarks`` move only if the points commit. After the commit the collector calls
    ``on_commit``; if the batch is rejected it calls ``on_reject`` with the reason. With
    ``stop_on_reject`` (the default) the collector stops reading the adapter's poll after a
    rejected batch, so that no later bookmark passes it.
    """

    points: Iterable[MetricPoint] = ()
    raw: Iterable[RawPoint] = ()
    bookmarks: dict[str, str] = field(default_factory=dict)
    origin: str = ""
    format: str = ""
    store: str = ""
    on_commit: Callable[[int], None] | None = None
    on_reject: Callable[[str], None] | None = None
    stop_on_reject: bool = True


@dataclass
class AdapterContext:
    """What an adapter may know of its surroundings."""

    source: str
    settings: Settings
    clock: Clock
    state_dir: Path

    def tz(self, store: str) -> tzinfo:
        """The time zone of ``store`` (configured, or the default)."""
        from opsboard.timeutil import zone

        return zone(self.settings.store(store).timezone)


@dataclass
class ParsedFile:
    """A file read by a file-reading adapter, ready to commit whole.

    ``points`` may be a generator: it is consumed once, inside the write transaction, and
    an error raised while consuming it rolls the whole file back.
    """

    format: str
    store: str
    points: Iterable[RawPoint]
    rows: int = 0
    skipped: int = 0
    notices: list[str] = field(default_factory=list)
    period: tuple[date, date] | None = None


class Adapter(abc.ABC):
    """A source of points: a drop folder, a platform API...

    Subclasses set ``Options`` (a pydantic model of their config options) and implement
    ``poll``. Health is reported per source and store through ``health``.
    """

    Options: ClassVar[type[AdapterOptions]] = AdapterOptions
    description: ClassVar[str] = ""

    def __init__(self, options: AdapterOptions, context: AdapterContext) -> None:
        self.options = options
        self.context = context

    @property
    def source(self) -> str:
        """The configured name of this source."""
        return self.context.source

    @abc.abstractmethod
    def poll(self, bookmarks: dict[str, str]) -> AsyncIterator[Batch]:
        """Yield batches of new points since ``bookmarks`` (as last committed)."""

    @abc.abstractmethod
    def health(self) -> list[SourceHealth]:
        """The current health of this source, per store where it differs."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release connections and watchers."""

    # Optional capabilities (class methods), used by `opsboard ingest` and `opsboard formats`.
    read_file: ClassVar[Callable[..., ParsedFile] | None] = None
    describe_formats: ClassVar[Callable[[], list[dict[str, str]]] | None] = None


def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def adapter_names() -> list[str]:
    """The names of the installed adapters, from package metadata, importing nothing."""
    return sorted(_entry_points())


def load_adapter(name: str) -> type[Adapter]:
    """The adapter class registered as ``name``; a clear error listing what is installed."""
    eps = _entry_points()
    if name not in eps:
        raise UsageError(
            f"no adapter called {name!r} is installed",
            hint="installed adapters: " + (", ".join(sorted(eps)) or "none"),
        )
    try:
        cls = eps[name].load()
    except Exception as exc:  # a broken plugin must not take the app down
        raise UsageError(f"adapter {name!r} failed to load: {exc}") from None
    if not (isinstance(cls, type) and issubclass(cls, Adapter)):
        raise UsageError(f"entry point {name!r} does not name an opsboard Adapter class")
    return cls


def validate_options(cls: type[Adapter], options: dict[str, Any], where: str) -> AdapterOptions:
    """``options`` validated by the adapter's model; ``ConfigError`` naming ``where``."""
    try:
        return cls.Options.model_validate(options)
    except ValidationError as exc:
        problems = describe_errors(exc, options, where)
        raise ConfigError(f"{where}: invalid adapter options", problems=problems) from None


def build_adapters(
    settings: Settings, clock: Clock, state_dir: Path
) -> list[tuple[Adapter, float]]:
    """The configured, enabled adapters with their poll intervals in seconds."""
    built = []
    for index, spec in enumerate(settings.adapters):
        if not spec.enabled:
            continue
        cls = load_adapter(spec.type)
        options = validate_options(cls, spec.options, f"adapters[{index}] ({spec.name}).options")
        context = AdapterContext(spec.name, settings, clock, state_dir)
        built.append((cls(options, context), spec.poll_interval.total_seconds()))
    return built


def as_utc(value: datetime) -> datetime:
    """Reject naive datetimes early: every point carries an aware UTC instant."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: adapters must give aware (UTC) instants")
    return value
