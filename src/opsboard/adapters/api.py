"""The plugin API: everything an adapter or a simulated platform may use (DESIGN.md 4.2).

This one module is the whole contract. A plugin imports from here and from nothing else of
opsboard: the base classes (``Adapter``, ``SimulatedPlatform``), the options base models,
the ``Batch`` it hands over and the point types a batch carries, health, the errors it
raises, the time helpers it needs and the language it speaks (``_``, ``N_``,
``ngettext``: a message marked with them reads in the operator's language; ``is_chinese``
for text a plugin carries in both languages itself). The registry
that finds plugins by entry point is ``opsboard.adapters.registry``.

An adapter says what it can do beyond ``poll`` and ``health`` with class-level flags, and
the core asks those flags, never the adapter's attributes:

- ``IMPLEMENTS_READ_FILE``: ``read_file`` reads one file whole (`opsboard ingest`), and
  ``describe_formats`` lists the formats it recognises (`opsboard formats`).
- ``IMPLEMENTS_CHANGED``: ``changed`` is an ``asyncio.Event`` the adapter sets when it has
  new data, so that the collector polls it at once rather than at its next interval.
"""

from __future__ import annotations

import abc
import asyncio
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict

from opsboard.config.models import Settings
from opsboard.config.targets import PLAN_COLUMNS, PLAN_REQUIRED
from opsboard.config.types import Duration, Secret
from opsboard.errors import OpsboardError, RejectedInput, UsageError
from opsboard.i18n import N_, is_chinese, ngettext
from opsboard.i18n import gettext as _
from opsboard.metrics import BASE_METRICS
from opsboard.models import (
    CHANNELS,
    Grain,
    HealthState,
    MetricPoint,
    SourceHealth,
    store_name_problem,
)
from opsboard.platforms import platform_mismatch
from opsboard.points import (
    NAME_KINDS,
    OTHER_TERMS,
    AbandonBatch,
    BatchWriter,
    BulkPoints,
    CheckedPoints,
    FinePoint,
    InvalidPoint,
    LoadedFile,
    LoadedPeriod,
    Names,
    RawPoint,
    SeriesKey,
    SourceRevisions,
    raw_points,
    span_days,
    span_grain,
)
from opsboard.text import (
    MAX_ID_LENGTH,
    MAX_NAME_LENGTH,
    MAX_TERM_LENGTH,
    inert,
    inert_message,
    text_problem,
)
from opsboard.timeutil import (
    DEFAULT_TIMEZONE,
    Clock,
    floor_hour,
    local_day,
    local_midnight,
    zone,
)
from opsboard.traffic_sources import SOURCE_CHANNELS, channel_of_source

__all__ = [
    "BASE_METRICS",
    "CHANNELS",
    "DEFAULT_TIMEZONE",
    "MAX_ID_LENGTH",
    "MAX_NAME_LENGTH",
    "MAX_TERM_LENGTH",
    "NAME_KINDS",
    "N_",
    "OTHER_TERMS",
    "PLAN_COLUMNS",
    "PLAN_REQUIRED",
    "SOURCE_CHANNELS",
    "AbandonBatch",
    "Adapter",
    "AdapterContext",
    "AdapterOptions",
    "Batch",
    "BatchWriter",
    "BulkPoints",
    "CheckedPoints",
    "Clock",
    "Duration",
    "FinePoint",
    "Grain",
    "HealthState",
    "InvalidPoint",
    "LoadedFile",
    "LoadedPeriod",
    "MetricPoint",
    "Names",
    "OpsboardError",
    "ParsedFile",
    "PlanSheet",
    "PluginOptions",
    "RawPoint",
    "RejectedInput",
    "Secret",
    "SeriesKey",
    "SimulatedPlatform",
    "SimulatorOptions",
    "SourceHealth",
    "SourceRevisions",
    "UsageError",
    "_",
    "as_utc",
    "channel_of_source",
    "floor_hour",
    "inert",
    "inert_message",
    "is_chinese",
    "local_day",
    "local_midnight",
    "ngettext",
    "platform_mismatch",
    "raw_points",
    "span_days",
    "span_grain",
    "store_name_problem",
    "text_problem",
    "zone",
]


# -- options -------------------------------------------------------------------------------


class PluginOptions(BaseModel):
    """Base of every plugin's options model: unknown keys are rejected, and each field's
    docstring is its description (in the config schema, in command-line help)."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class AdapterOptions(PluginOptions):
    """Base of every adapter's options model (the ``options`` table of its config entry)."""


class SimulatorOptions(PluginOptions):
    """Base of every simulated platform's options model (`opsboard mock-api`'s flags)."""


# -- what an adapter hands over ------------------------------------------------------------


@dataclass
class PlanSheet:
    """The rows of a plan sheet (targets, not figures), handed over as text.

    ``rows`` are (line, {column: cell}) with the columns ``store``, ``metric``,
    ``period``, ``value`` and optionally ``scope``; ``columns`` gives each column's header
    as the sheet wrote it (``目标值``), for messages. The core checks the cells and refuses
    the sheet whole, by line and cell, where one is wrong.
    """

    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class Batch:
    """Points an adapter hands the collector to commit in one transaction.

    ``points`` are raw points (``raw_points`` turns ``MetricPoint`` values into them); an
    iterable that is also ``BulkPoints``, ``CheckedPoints`` or ``SourceRevisions`` is
    written as such. ``bookmarks`` move only if the points commit. After the commit the
    collector calls ``on_commit``; if the batch is rejected it calls ``on_reject`` with the
    reason. With ``stop_on_reject`` (the default) the collector stops reading the adapter's
    poll after a rejected batch, so that no later bookmark passes it.

    ``names`` are the platform's names of the campaigns and SKUs of the points,
    ``{(store, kind, key): name}`` with ``kind`` one of ``NAME_KINDS`` (``campaign``,
    ``sku``) and ``key`` the id the points carry (``"77012003172"``): kept with the
    points, the newest winning. Read it after ``points``, which may fill it as they are
    consumed. Leave it empty where the key is the name (a campaign keyed by its name).
    The store cleans names (control characters, length); adapters hand them as found.
    """

    points: Iterable[RawPoint] = ()
    names: Names = field(default_factory=dict)
    #: Points of scopes below a campaign or a channel (search terms, keywords, traffic
    #: sources), written with ``points``.
    fine_points: Iterable[FinePoint] = ()
    bookmarks: dict[str, str] = field(default_factory=dict)
    #: A plan sheet's targets, committed with the batch.
    plan: PlanSheet | None = None
    origin: str = ""
    format: str = ""
    store: str = ""
    #: The file the points were read from, as it was read: kept with the load's record, and
    #: handed back to ``Adapter.recall`` after a restart.
    file: LoadedFile | None = None
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
        return zone(self.settings.store(store).timezone)


@dataclass
class ParsedFile:
    """A file read by a file-reading adapter, ready to commit whole.

    ``points`` may be a generator: it is consumed once, inside the write transaction, and
    an error raised while consuming it rolls the whole file back. ``names`` are the
    platform's names of the file's campaigns and SKUs, as in ``Batch.names`` (read after
    the points, which may fill it).
    """

    format: str
    store: str
    points: Iterable[RawPoint]
    rows: int = 0
    #: Points of scopes below a campaign or a channel (search terms, keywords, traffic
    #: sources), committed with ``points``.
    fine_points: Iterable[FinePoint] = ()
    skipped: int = 0
    notices: list[str] = field(default_factory=list)
    period: tuple[date, date] | None = None
    #: The distinct (first, last) days of the file's figures of a span (see DESIGN 3).
    spans: list[tuple[date, date]] = field(default_factory=list)
    #: The platform the format belongs to (``taobao``, ``jd``, ``amazon``, …; "" for none),
    #: checked against the store's configured platform.
    platform: str = ""
    #: The platform's names of campaigns and SKUs: {(store, kind, key): name}.
    names: Names = field(default_factory=dict)
    #: A plan sheet's targets (the file holds no points then).
    plan: PlanSheet | None = None


# -- adapters ------------------------------------------------------------------------------


class Adapter(abc.ABC):
    """A source of points: a drop folder, a platform API...

    Subclasses set ``Options`` (a pydantic model of their config options) and implement
    ``poll``. Health is reported per source and store through ``health``. Optional
    capabilities are declared with the ``IMPLEMENTS_*`` flags below; a subclass that sets
    one implements the method it names.
    """

    Options: ClassVar[type[AdapterOptions]] = AdapterOptions
    description: ClassVar[str] = ""

    #: ``read_file`` and ``describe_formats`` are implemented (`opsboard ingest`).
    IMPLEMENTS_READ_FILE: ClassVar[bool] = False
    #: ``changed`` is implemented: the adapter asks for a poll when it has new data.
    IMPLEMENTS_CHANGED: ClassVar[bool] = False

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

    #: How far back ``recall`` is handed the files this source loaded (seconds).
    RECALL_SECONDS: ClassVar[float] = 7 * 86400.0

    def recall(self, files: list[LoadedFile]) -> None:  # noqa: B027 - optional hook
        """Called once before the first poll with the files this source loaded in the last
        ``RECALL_SECONDS`` (``Batch.file`` as committed), oldest first: a file whose writer
        went on after it was loaded (while no collector ran) can be read again whole."""

    @property
    def changed(self) -> asyncio.Event:
        """Set when the adapter has new data to be polled for now (``IMPLEMENTS_CHANGED``).

        The collector sets it too, to ask for a full look rather than trusting events.
        """
        raise NotImplementedError(f"{type(self).__name__} does not implement changed")

    @classmethod
    def read_file(
        cls,
        path: Path,
        *,
        store: str | None,
        tz: tzinfo,
        day: date | None = None,
        format: str | None = None,
    ) -> ParsedFile:
        """Read one file whole (``IMPLEMENTS_READ_FILE``).

        ``store`` is the store of rows that name none; local times are read in ``tz``;
        ``day`` is the day of a file that carries no date; ``format`` forces a format.
        Raises ``RejectedInput`` (or another ``OpsboardError``) for a file it refuses.
        """
        raise NotImplementedError(f"{cls.__name__} does not read files")

    @classmethod
    def describe_formats(cls) -> list[dict[str, str]]:
        """The file formats this adapter recognises: ``name``, ``title`` and ``detect``
        (how it is recognised) of each, and optionally ``title_zh`` (its title in Chinese);
        none unless it reads files."""
        return []


# -- simulated platforms -------------------------------------------------------------------


class SimulatedPlatform(abc.ABC):
    """A simulated data platform a source can be pointed at (`opsboard mock-api`, the demo).

    Registered under the ``opsboard.simulators`` entry-point group. Built from its
    ``Options``; ``start`` serves in a background thread (``stop`` ends it), and
    ``serve_forever`` in the foreground until interrupted.
    """

    Options: ClassVar[type[SimulatorOptions]] = SimulatorOptions

    @abc.abstractmethod
    def __init__(self, options: SimulatorOptions) -> None:
        """Bind the address the options name and build the simulated data."""

    @property
    @abc.abstractmethod
    def base_url(self) -> str:
        """Where the API answers, e.g. ``http://127.0.0.1:8765``."""

    @property
    @abc.abstractmethod
    def token(self) -> str:
        """The bearer token the API accepts (a demo value, not a secret)."""

    @property
    @abc.abstractmethod
    def stores(self) -> list[dict[str, Any]]:
        """The simulated stores: name, platform, timezone, currency, margin, daily_budget."""

    @property
    def promotions(self) -> list[dict[str, str]]:
        """Promotions the simulated stores run: ``store``, ``name``, ``warmup_from`` and
        ``peak`` (local dates) of each; none unless the platform simulates them."""
        return []

    @abc.abstractmethod
    def now(self) -> datetime:
        """The simulated current time."""

    @abc.abstractmethod
    def start(self) -> Self:
        """Serve in a background thread; returns once the server accepts requests."""

    @abc.abstractmethod
    def serve_forever(self) -> None:
        """Serve in this thread until interrupted, after saying where on stderr."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Stop serving and wait for the server thread to end."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def as_utc(value: datetime) -> datetime:
    """Reject naive datetimes early: every point carries an aware UTC instant."""
    if value.tzinfo is None:
        raise ValueError("naive datetime: adapters must give aware (UTC) instants")
    return value
