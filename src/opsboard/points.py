"""The points a batch carries, as adapters hand them over and the store writes them.

This module sits below both the storage package and the plugin API (``opsboard.adapters.
api``, which re-exports it for plugins), so that an adapter never imports storage and
storage never imports the plugin API.

A batch carries one kind of point: the ``RawPoint`` tuple, the form the store's hot path
writes. An iterable of them may also say more about itself, each a protocol the store
recognises: ``BulkPoints`` write themselves as rows of the points table (the canonical
CSV's fast path), ``CheckedPoints`` check themselves against what the store holds before
any of them is written, and ``SourceRevisions`` carry the source's own revision of each
figure. What those points may ask of the write in progress is ``BatchWriter``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

from opsboard.models import MetricPoint

#: A point in its raw form for the hot path:
#: (store, grain, ts epoch seconds, channel, campaign, sku, metric, value).
RawPoint = tuple[str, str, int, str, str, str, str, float]

#: What names a series: (store, grain, metric, channel, campaign, sku).
SeriesKey = tuple[str, str, str, str, str, str]

#: The kinds of thing a platform names: an ad plan (campaign) and a product (sku).
NAME_KINDS = ("campaign", "sku")

#: Names a batch carries: (store, kind, key) -> the platform's name for that campaign or
#: SKU, e.g. ``("tmall-flagship", "campaign", "77012003172"): "春季新品推广"``. The store
#: keeps the newest name of each key, written with the batch's points.
Names = dict[tuple[str, str, str], str]


class FinePoint(NamedTuple):
    """A point of a scope below a campaign or a channel (DESIGN 3, "the finest scope is
    kept"): a customer search ``term`` or a targeted ``keyword`` under its campaign, or a
    traffic ``source`` (生意参谋's 二级来源: 手淘推荐) under its channel. The first eight
    fields are a ``RawPoint``'s; those points are handed over apart (a batch's
    ``fine_points``) so that the hot path of every other point is unchanged."""

    store: str
    grain: str
    ts: int
    channel: str
    campaign: str
    sku: str
    metric: str
    value: float
    term: str = ""
    source: str = ""
    keyword: str = ""


#: What names a series of any scope: (store, grain, metric, channel, campaign, sku, term,
#: source, keyword).
FineSeriesKey = tuple[str, str, str, str, str, str, str, str, str]

#: The term of a report's unlisted rest (Google Ads ``Total: Other search terms``): the
#: figures of the search terms the report does not list, so that a list of terms never
#: pretends to be the whole. The only term that may name no campaign.
OTHER_TERMS = "(other search terms)"

#: The grain of a span's figures starts with this, followed by its number of days
#: (``span:30``); the point's ts is the local midnight starting its first day.
SPAN_PREFIX = "span:"


def span_grain(days: int) -> str:
    """The grain of a figure of ``days`` whole local days (2 or more): ``span:30``."""
    if days < 2:
        raise ValueError(f"a span covers 2 days or more, not {days}")
    return f"{SPAN_PREFIX}{days}"


def span_days(grain: str) -> int | None:
    """The number of days a span grain covers (``span:30`` -> 30); None for ``hour``,
    ``day`` or anything else."""
    if not grain.startswith(SPAN_PREFIX):
        return None
    text = grain[len(SPAN_PREFIX) :]
    if not text.isdigit() or text.startswith("0") or int(text) < 2:
        return None
    return int(text)


def raw_points(points: Iterable[MetricPoint]) -> Iterator[RawPoint]:
    """``MetricPoint`` values (the readable form) as the raw points a batch carries."""
    for p in points:
        yield (
            p.store,
            p.grain,
            int(p.ts.timestamp()),
            p.channel,
            p.campaign,
            p.sku,
            p.metric,
            p.value,
        )


class LoadedPeriod(NamedTuple):
    """Figures of one format already loaded for a store: the format and the first and last
    period start (epoch seconds) they cover."""

    format: str
    first: int
    last: int


class BatchWriter(Protocol):
    """The write in progress of one batch, as points that write or check themselves see it.

    The store's ingest transaction is one; an adapter never makes one.
    """

    @property
    def ingest_id(self) -> int:
        """The id of the ingest record the points are written under."""
        ...

    def series_id(self, key: SeriesKey) -> int:
        """The id of the series ``key``, created on first use inside this write;
        ``InvalidPoint`` when the key breaks the data model."""
        ...

    def loaded_period(
        self, store: str, formats: Sequence[str], first: int, last: int
    ) -> LoadedPeriod | None:
        """A format among ``formats`` already loaded for ``store`` with figures between the
        period starts ``first`` and ``last`` (inclusive), with the span of its loads; None
        when there is none."""
        ...


@runtime_checkable
class BulkPoints(Protocol):
    """Raw points that can also write themselves as rows of the points table.

    A bulk reader (the canonical CSV) validates each row itself, resolves series through
    ``BatchWriter.series_id`` and yields ``(series id, period start, value, ingest id)``,
    which spares the hot path a second pass over every point. Once ``series_values`` is
    exhausted, ``count`` is the number of rows it yielded and ``span`` the first and last
    period start among them.
    """

    count: int

    def __iter__(self) -> Iterator[RawPoint]: ...

    def series_values(self, batch: BatchWriter) -> Iterator[tuple[int, int, float, int]]: ...

    @property
    def span(self) -> tuple[int, int] | None: ...


@runtime_checkable
class SourceRevisions(Protocol):
    """Raw points that carry their source's own revision of each figure: 0 as first
    published (however often a running hour's figures grow), 1 and up once restated."""

    def __iter__(self) -> Iterator[RawPoint]: ...

    def with_revisions(self) -> Iterator[tuple[RawPoint, int]]: ...


@runtime_checkable
class CheckedPoints(Protocol):
    """Raw points with a check of their own against what the store already holds, run
    inside the write transaction before any of them is written (a report at one grain
    that must not sit beside the same figures at another); ``check`` raises to refuse."""

    def __iter__(self) -> Iterator[RawPoint]: ...

    def check(self, batch: BatchWriter) -> None: ...


class InvalidPoint(ValueError):
    """A point that breaks the data model; the batch holding it is rolled back."""


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """A file as it was when its points were loaded, kept with its load: where it was read
    (``path``), its size, modification time and inode, the SHA-256 of the bytes loaded,
    and where it was to be kept after (``kept_at``, "" for nowhere). ``loaded_at`` is when
    the load committed (ISO text; "" before)."""

    path: str
    size: int
    mtime_ns: int
    inode: int
    sha256: str
    kept_at: str = ""
    loaded_at: str = ""


class AbandonBatch(Exception):
    """Raised inside a batch's write to roll it back without recording a failed ingest
    (the caller will try the same input again another way)."""
