"""One ingest as one write transaction: points, names, bookmarks and the ingest record.

The hot write path: raw points are validated and upserted with ``executemany``; a bulk
reader (the canonical CSV) hands rows of the points table directly (``BulkPoints``).
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from operator import itemgetter
from types import TracebackType

from opsboard.models import MetricPoint
from opsboard.points import (
    AbandonBatch,
    BulkPoints,
    CheckedPoints,
    FinePoint,
    FineSeriesKey,
    InvalidPoint,
    LoadedFile,
    LoadedPeriod,
    Names,
    RawPoint,
    SeriesKey,
    SourceRevisions,
    raw_points,
)
from opsboard.storage import ingests, names
from opsboard.storage import targets as target_table
from opsboard.storage.connection import BULK_CACHE_KIB, Database, now_iso
from opsboard.storage.series import SeriesRegistry
from opsboard.storage.targets import StoredTarget
from opsboard.timeutil import EARLIEST_DAY, epoch_bounds

#: A point read again with the same value is left as it is (no page written, its ingest
#: the one that last changed it).
UPSERT = (
    "INSERT INTO points (series_id, ts, value, ingest_id) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value, "
    "ingest_id = excluded.ingest_id, revision = revision + (value != excluded.value) "
    "WHERE value != excluded.value"
)

#: For points that carry their source's own revision (``SourceRevisions``): the highest
#: revision seen is kept, so that a running hour's growth is no restatement and a figure
#: first read after its restatement is marked restated.
UPSERT_REVISED = (
    "INSERT INTO points (series_id, ts, value, ingest_id, revision) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (series_id, ts) DO UPDATE SET value = excluded.value, "
    "ingest_id = excluded.ingest_id, revision = max(revision, excluded.revision) "
    "WHERE value != excluded.value OR revision < excluded.revision"
)


#: Rows written per ``executemany`` on the bulk path, sorted by series first: a file lists
#: every series at each hour, and points go in clustered by series, so inserting a window
#: series by series keeps the B-tree pages it touches hot (about a third less time in
#: SQLite on 1,000,000 points than in file order) for 65,536 rows held at once.
_BULK_WINDOW = 1 << 16


def _invalid(store_name: str, metric: str, ts: int, value: float) -> InvalidPoint:
    """Why a point breaks the data model: its value, a period start that is not one, or a
    day outside the days kept."""
    low, high = epoch_bounds()
    if not low <= ts <= high:
        when = f"period start {ts}"
        with contextlib.suppress(OverflowError, OSError, ValueError):
            when = datetime.fromtimestamp(ts, UTC).date().isoformat()
        return InvalidPoint(
            f"{metric} for {store_name} dated {when}: outside the days opsboard keeps "
            f"({EARLIEST_DAY.isoformat()} .. a year after today); check the file's dates"
        )
    if not (value >= 0 and math.isfinite(value)):
        return InvalidPoint(
            f"{metric} for {store_name} at {ts}: value {value!r} is not a finite "
            "non-negative number"
        )
    return InvalidPoint(
        f"{metric} for {store_name}: period start {ts} is not the start of an hour or a day"
    )


class IngestBatch:
    """One ingest as one transaction: points, bookmarks and the ingest record together.

    Use as a context manager. On a clean exit the points, bookmarks and an ``ingests`` row
    commit together; on an exception everything rolls back and a ``failed`` ingest row is
    recorded with the reason. With ``quiet``, a batch that changed no point, series or name
    leaves no ``ingests`` row (nothing for a viewer to reload: an API poll that found
    nothing new), and writes nothing at all when its bookmarks did not move either
    (``unchanged`` then tells so).
    """

    def __init__(
        self,
        database: Database,
        series: SeriesRegistry,
        *,
        source: str,
        origin: str,
        format: str,
        store_name: str = "",
        file: LoadedFile | None = None,
        quiet: bool = False,
    ) -> None:
        self.database = database
        self.quiet = quiet
        #: True after a quiet batch that changed nothing was left unrecorded.
        self.unchanged = False
        self._mark = 0
        #: The file loaded, kept with the ingest record (None: not a file).
        self.file = file
        self.series = series
        self.source = source
        self.origin = origin
        self.format = format
        self.store_name = store_name
        self.rows = 0
        self.points = 0
        self.period_start: int | None = None
        self.period_end: int | None = None
        self.ingest_id = 0
        #: The stores whose points this batch wrote.
        self.stores: set[str] = set()
        self._started = now_iso()
        self._bookmarks: dict[str, str] = {}
        self._transaction = database.transaction()

    def __enter__(self) -> IngestBatch:
        self._transaction.__enter__()
        cursor = self.database.conn.execute(
            "INSERT INTO ingests (source, origin, format, store, status, started_at) "
            "VALUES (?, ?, ?, ?, 'loading', ?)",
            (self.source, self.origin, self.format, self.store_name, self._started),
        )
        self.ingest_id = int(cursor.lastrowid or 0)
        self._mark = self.database.conn.total_changes
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            conn = self.database.conn
            quiet = self.quiet and conn.total_changes == self._mark
            for key, value in self._bookmarks.items():
                conn.execute(
                    "INSERT INTO bookmarks (source, key, value, updated_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (source, key) DO UPDATE SET value = excluded.value, "
                    "updated_at = excluded.updated_at WHERE value != excluded.value",
                    (self.source, key, value, now_iso()),
                )
            if quiet:
                self._unchanged(conn.total_changes == self._mark)
                return
            conn.execute(
                "UPDATE ingests SET status = 'loaded', finished_at = ?, rows = ?, points = ?, "
                "period_start = ?, period_end = ? WHERE id = ?",
                (
                    now_iso(),
                    self.rows,
                    self.points,
                    self.period_start,
                    self.period_end,
                    self.ingest_id,
                ),
            )
            if self.file is not None:
                ingests.record_file(conn, self.ingest_id, self.file)
            self._transaction.__exit__(None, None, None)
            return
        self._transaction.__exit__(exc_type, exc, tb)
        # The series cache may name series created inside the rolled-back transaction.
        self.series.forget()
        if issubclass(exc_type, Exception) and not issubclass(exc_type, AbandonBatch):
            ingests.record_failed(
                self.database,
                source=self.source,
                origin=self.origin,
                format=self.format,
                store_name=self.store_name,
                message=str(exc),
            )

    def _unchanged(self, nothing: bool) -> None:
        """End a quiet batch that changed no point: without its ``ingests`` row, and
        rolled back whole when its bookmarks did not move either."""
        self.unchanged = True
        if nothing:
            self._transaction.__exit__(AbandonBatch, AbandonBatch(), None)
            return
        self.database.conn.execute("DELETE FROM ingests WHERE id = ?", (self.ingest_id,))
        self._transaction.__exit__(None, None, None)

    def set_bookmark(self, key: str, value: str) -> None:
        """Move a bookmark, committed with the points of this batch and only with them."""
        self._bookmarks[key] = value

    def add_names(self, found: Names) -> int:
        """Keep the platform's names of campaigns and SKUs with this batch's points (the
        newest wins; see ``opsboard.storage.names``); returns how many were written."""
        return names.write(self.database.conn, found) if found else 0

    def add_targets(self, found: Iterable[StoredTarget]) -> int:
        """Keep a plan sheet's targets with this batch (see ``opsboard.storage.targets``);
        returns how many were written."""
        return target_table.write(self.database.conn, found, self.ingest_id)

    def add_points(self, points: Iterable[MetricPoint]) -> int:
        """Upsert ``MetricPoint`` values; see ``add_raw``."""
        return self.add_raw(raw_points(points))

    def series_id(self, key: SeriesKey) -> int:
        """The id of series (store, grain, metric, channel, campaign, sku), created on first
        use inside this batch; ``InvalidPoint`` when the key breaks the data model."""
        self.stores.add(key[0])
        return self.series.id_of(key)

    def loaded_period(
        self, store: str, formats: Sequence[str], first: int, last: int
    ) -> LoadedPeriod | None:
        """A format among ``formats`` already loaded for ``store`` with figures between the
        period starts ``first`` and ``last``, with the span of its loads (see
        ``BatchWriter``); None when there is none."""
        return ingests.loaded_format(self.database, store, list(formats), first, last)

    def add_raw(self, rows: Iterable[RawPoint]) -> int:
        """Upsert raw points (the hot path); returns how many were written.

        Raises ``InvalidPoint`` (and the whole batch rolls back) on a point that breaks the
        data model: unknown metric, grain or channel, a value that is not a finite
        non-negative number, or a timestamp not at the start of its period.
        ``BulkPoints`` write their own validated rows; ``CheckedPoints`` are checked first.
        """
        if isinstance(rows, CheckedPoints):
            rows.check(self)
        if isinstance(rows, BulkPoints):
            return self._add_bulk(rows)
        if isinstance(rows, SourceRevisions):
            return self._add_rows(rows.with_revisions(), UPSERT_REVISED)
        return self._add_rows(((row, None) for row in rows), UPSERT)

    def add_fine(self, rows: Iterable[FinePoint]) -> int:
        """Upsert points of scopes below a campaign or a channel (search terms, keywords,
        traffic sources); returns how many were written. Checked like ``add_raw``'s."""
        series_id = self.series.fine_id_of
        return self._add_fine(
            (series_id(_fine_key(p)), p.store, p.metric, p.ts, p.value) for p in rows
        )

    def _add_fine(self, rows: Iterable[tuple[int, str, str, int, float]]) -> int:
        """Upsert (series id, store, metric, ts, value) rows of a scope below a campaign or
        channel, checked like ``add_raw``'s points."""
        ingest_id = self.ingest_id
        written = []
        first_ts, last_ts = epoch_bounds()
        for sid, store_name, metric, ts, value in rows:
            self.stores.add(store_name)
            if (
                not (value >= 0 and math.isfinite(value))
                or ts % 900
                or not first_ts <= ts <= last_ts
            ):
                raise _invalid(store_name, metric, ts, value)
            written.append((sid, ts, value, ingest_id))
        if not written:
            return 0
        self.database.conn.executemany(UPSERT, written)
        low = min(w[1] for w in written)
        high = max(w[1] for w in written)
        if self.period_start is not None and self.period_end is not None:
            low, high = min(low, self.period_start), max(high, self.period_end)
        self.period_start, self.period_end = low, high
        self.points += len(written)
        self.rows += len(written)
        return len(written)

    def _add_rows(self, rows: Iterable[tuple[RawPoint, int | None]], upsert: str) -> int:
        cache = self.series.known
        series_id = self.series.id_of
        ingest_id = self.ingest_id
        low = self.period_start if self.period_start is not None else 1 << 62
        high = self.period_end if self.period_end is not None else -(1 << 62)
        count = 0
        isfinite = math.isfinite
        stores = self.stores
        last_store = None
        first_ts, last_ts = epoch_bounds()

        def convert() -> Iterator[tuple[int, int, float, int] | tuple[int, int, float, int, int]]:
            nonlocal low, high, count, last_store
            for row, revision in rows:
                store_name, grain, ts, channel, campaign, sku, metric, value = row
                if store_name != last_store:
                    stores.add(store_name)
                    last_store = store_name
                key = (store_name, grain, metric, channel, campaign, sku)
                sid = cache.get(key)
                if sid is None:
                    sid = series_id(key)
                if (
                    not (value >= 0 and isfinite(value))
                    or ts % 900
                    or not first_ts <= ts <= last_ts
                ):
                    raise _invalid(store_name, metric, ts, value)
                if ts < low:
                    low = ts
                if ts > high:
                    high = ts
                count += 1
                if revision is None:
                    yield sid, ts, value, ingest_id
                else:
                    yield sid, ts, value, ingest_id, revision

        self.database.conn.executemany(upsert, convert())
        self.points += count
        self.rows += count
        if count:
            self.period_start, self.period_end = low, high
        return count

    def _add_bulk(self, rows: BulkPoints) -> int:
        # Reading and writing in slices keeps each phase's working set hot in the CPU caches.
        values = rows.series_values(self)
        write = self.database.conn.executemany
        by_series = itemgetter(0)
        chunk = list(itertools.islice(values, _BULK_WINDOW))
        # A window or more (a big file) gets a bulk-sized page cache for its own write. A
        # smaller one (a file of a day's SKUs) does without: pages once cached are memory a
        # process keeps, and `opsboard watch` fed such a file every 2 s held 155-204 MB.
        cache = self.database.cache_size()
        raise_cache = len(chunk) == _BULK_WINDOW and cache < BULK_CACHE_KIB
        if raise_cache:
            self.database.set_cache_size(BULK_CACHE_KIB)
        try:
            while chunk:
                chunk.sort(key=by_series)
                write(UPSERT, chunk)
                chunk = list(itertools.islice(values, _BULK_WINDOW))
        finally:
            if raise_cache:
                self.database.set_cache_size(cache)
        count = rows.count
        self.points += count
        self.rows += count
        if count and rows.span is not None:
            low, high = rows.span
            first_ts, last_ts = epoch_bounds()
            for ts in (low, high):
                if not first_ts <= ts <= last_ts:
                    raise _invalid(self.store_name or "the file", "a figure", ts, 0.0)
            if self.period_start is not None and self.period_end is not None:
                low, high = min(low, self.period_start), max(high, self.period_end)
            self.period_start, self.period_end = low, high
        return count


def _fine_key(p: FinePoint) -> FineSeriesKey:
    return (p.store, p.grain, p.metric, p.channel, p.campaign, p.sku, p.term, p.source, p.keyword)
