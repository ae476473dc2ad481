"""The canonical long CSV: one point per row, the format opsboard itself writes and reads fastest.

Header ``ts,store,channel,campaign,sku,metric,value`` with an optional ``grain`` column, in
any order, UTF-8 with or without a BOM. ``ts`` is an ISO 8601 instant with an offset or
``Z``, a naive date-time (the store's local time) or a bare date (day grain, the store's
local midnight). ``grain`` defaults to ``hour`` when ``ts`` has a time and ``day`` for a
bare date. A store cell must be a valid store name (``store_name_problem``), checked once
per store; a file whose last line has no newline is refused as cut off (``...,uv,127`` may
be the start of ``1275``).

This is the hot path of bulk ingest: lines without quotes are split on commas and quoted
ones go through the csv module, timestamps and series are resolved once per distinct text,
and points are yielded lazily so that the whole file is consumed inside one write
transaction (an error anywhere rolls the whole file back).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, tzinfo
from itertools import chain
from operator import itemgetter
from pathlib import Path

from opsboard.adapters.api import (
    BASE_METRICS,
    CHANNELS,
    N_,
    BatchWriter,
    ParsedFile,
    RawPoint,
    RejectedInput,
    _,
    store_name_problem,
    text_problem,
)
from opsboard_csv.describe import INDENT
from opsboard_csv.errors import IncompleteFile

FORMAT = "canonical"
REQUIRED = ("ts", "store", "channel", "campaign", "sku", "metric", "value")
OPTIONAL = ("grain",)
#: Cell texts that mean "no figure": the row is skipped, never stored as 0.
MISSING = frozenset({"", "-", "--", "nan", "NaN", "NAN", "null", "NULL", "None"})

_METRICS = frozenset(BASE_METRICS)
_CHANNELS = frozenset(("", *CHANNELS))
_GRAINS = ("hour", "day")
_INF = math.inf
#: Distinct timestamps remembered while reading; past this the cache starts over.
_TS_CACHE_LIMIT = 100_000


def is_canonical_header(cells: list[str]) -> bool:
    """True when ``cells`` (a header row) is the canonical long format."""
    names = [c.strip().lstrip("\ufeff").lower() for c in cells]
    return set(names) - set(OPTIONAL) == set(REQUIRED) and len(names) == len(set(names))


def describe() -> dict[str, str]:
    """The canonical format as listed by ``opsboard formats``."""
    return {
        "name": FORMAT,
        "title": "opsboard canonical long CSV (one point per row)",
        "title_zh": "opsboard 标准长表 CSV（每行一个数据点）",
        "detect": "a header row with, in any order:\n"
        + INDENT
        + "ts,store,channel,campaign,sku,metric,value\n"
        + INDENT
        + "and optionally grain",
    }


def read_header(path: Path) -> list[str]:
    """The first row of ``path`` as text cells (BOM removed); ``[]`` when it has none.

    Reads at most 64 KiB, so that a large binary workbook is not read to find out.
    """
    with path.open("rb") as handle:
        head = handle.read(65536)
    line = head.split(b"\n", 1)[0].rstrip(b"\r")
    if len(line) == len(head) == 65536:
        return []
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        return []
    return next(csv.reader([text]), [])


def read_canonical(path: Path, *, store: str | None, tz: tzinfo) -> ParsedFile:
    """Read a canonical long CSV; points are yielded lazily while the caller commits.

    The ``store`` column wins; an empty store cell takes ``store``. Raises
    ``RejectedInput`` naming the line and column of the first bad row (header problems
    at once, row problems while the points are consumed, which rolls the file back).
    """
    header = read_header(path)
    if not header:
        raise RejectedInput(
            _("the file is empty or not UTF-8 text"),
            line=1,
            hint=_("save it as UTF-8 CSV with the header {header}").format(
                header=",".join(REQUIRED)
            ),
        )
    names = [c.strip().lstrip("\ufeff").lower() for c in header]
    if not is_canonical_header(names):
        missing = [n for n in REQUIRED if n not in names]
        unknown = [n for n in names if n not in REQUIRED and n not in OPTIONAL]
        found = ",".join(header)
        raise RejectedInput(
            _(
                "not a canonical long CSV header: found {found!r}; "
                "expected the columns {columns} (and optionally grain)"
            ).format(found=found, columns=",".join(REQUIRED))
            + (_("; missing {columns}").format(columns=", ".join(missing)) if missing else "")
            + (_("; unknown {columns}").format(columns=", ".join(unknown)) if unknown else ""),
            line=1,
        )
    _check_last_line(path)
    parsed = ParsedFile(format=FORMAT, store=store or "", points=())
    parsed.points = CanonicalPoints(path, names, parsed, store, tz)
    return parsed


def _check_last_line(path: Path) -> None:
    """``IncompleteFile`` when the file has rows and its last line has no newline: the
    download (or the writer) may have stopped inside the last value (``...,127`` of 1275).

    Only the last byte is read, unless it is not a newline (then the lines are counted,
    to name the cut one).
    """
    with path.open("rb") as handle:
        handle.seek(0, 2)
        if handle.tell() == 0:
            return
        handle.seek(-1, 2)
        if handle.read(1) in (b"\n", b"\r"):
            return
        handle.seek(0)
        lines = 1 + sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))
    if lines > 1:
        raise IncompleteFile(
            _(
                "the last line is cut off: the file does not end with a newline, so its last "
                "value may be the start of a longer one"
            ),
            line=lines,
            hint=_(
                "the download was interrupted or the file is still being written: export "
                "it again (a complete file must end with a newline)"
            ),
        )


class _Timestamps:
    """Timestamp texts to (epoch, grain), parsed and checked once per distinct text.

    With a grain column the key is ``ts + "\\x00" + grain``, so the hot loop stays the same.
    """

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz
        self.cache: dict[str, tuple[int, str, dict[object, int]]] = {}
        #: Series ids by a key of the row's scope cells, one table per grain.
        self.series: dict[str, dict[object, int]] = {"hour": {}, "day": {}}
        self.low: int | None = None
        self.high: int | None = None

    def parse(self, key: str) -> tuple[int, str, dict[object, int]]:
        """Epoch seconds and grain of ``key``; ``ValueError`` naming what is wrong."""
        text, _nul, given = key.partition("\x00")
        stripped = text.strip()
        if len(stripped) == 10:
            instant = datetime.combine(date.fromisoformat(stripped), time(), tzinfo=self.tz)
            grain = "day"
        else:
            instant = datetime.fromisoformat(stripped)
            if instant.tzinfo is None:
                instant = instant.replace(tzinfo=self.tz)
            grain = "hour"
        if given:
            if given not in _GRAINS:
                raise _BadGrain(given)
            grain = given
        epoch = int(instant.timestamp())
        local = instant.astimezone(self.tz)
        if grain == "day" and local.time() != time():
            raise _NotPeriodStart(
                _(
                    "found ts {ts!r}, expected the store's local midnight for a day-grain point"
                ).format(ts=text)
            )
        if grain == "hour" and (local.minute or local.second or local.microsecond):
            raise _NotPeriodStart(
                _("found ts {ts!r}, expected the start of an hour for an hour-grain point").format(
                    ts=text
                )
            )
        if len(self.cache) >= _TS_CACHE_LIMIT:
            self.cache.clear()
        stamp = self.cache[key] = (epoch, grain, self.series[grain])
        if self.low is None or epoch < self.low:
            self.low = epoch
        if self.high is None or epoch > self.high:
            self.high = epoch
        return stamp

    def period(self) -> tuple[date, date] | None:
        """The first and last local day seen."""
        if self.low is None or self.high is None:
            return None
        first = datetime.fromtimestamp(self.low, UTC).astimezone(self.tz).date()
        last = datetime.fromtimestamp(self.high, UTC).astimezone(self.tz).date()
        return first, last


class _BadGrain(Exception):
    """A grain cell that is neither hour nor day."""


class _NotPeriodStart(Exception):
    """A timestamp that does not start a period of its grain."""


def _reorder(
    names: list[str], reject: Callable[[str, str | None], Exception]
) -> Callable[[list[str]], list[str] | tuple[str, ...] | None]:
    """A function putting a row's cells in the canonical order, the grain folded into ts.

    It returns None for a blank line and raises for a row of the wrong width.
    """
    width = len(names)
    pick = itemgetter(*[names.index(n) for n in REQUIRED])
    grain_at = names.index("grain") if "grain" in names else None

    def reorder(row: list[str]) -> list[str] | tuple[str, ...] | None:
        row[-1] = row[-1].rstrip("\r\n")
        if len(row) != width:
            if len(row) == 1 and not row[0].strip():
                return None
            raise reject(f"found {len(row)} cells, expected {width} (one per header column)", None)
        cells: tuple[str, ...] = pick(row)
        if grain_at is not None:
            cells = (cells[0] + "\x00" + row[grain_at].strip(), *cells[1:])
        return cells

    return reorder


class CanonicalPoints:
    """The points of a canonical file, read once, lazily, while the caller commits.

    Iterating yields raw points. ``series_values`` (the ``BulkPoints`` protocol of the
    store) yields rows of the points table directly, resolving each series once: the bulk
    path. Either way ``parsed.rows``, ``skipped`` and ``period`` are set at the end.
    """

    def __init__(
        self,
        path: Path,
        names: list[str],
        parsed: ParsedFile,
        default_store: str | None,
        tz: tzinfo,
    ) -> None:
        self.path = path
        self.names = names
        self.parsed = parsed
        self.default_store = default_store
        self.tz = tz
        self.span: tuple[int, int] | None = None
        self.count = 0

    def __iter__(self) -> Iterator[RawPoint]:
        return self._read(None)  # type: ignore[return-value]

    def series_values(self, batch: BatchWriter) -> Iterator[tuple[int, int, float, int]]:
        """Rows (series id, period start, value, ingest id) for ``batch``."""
        return self._read(batch)  # type: ignore[return-value]

    def _read(self, batch: BatchWriter | None) -> Iterator[tuple[object, ...]]:
        """Lines without a quote are split on commas (the common case, and the fast one); a
        line with a quote goes through the csv module, which reads on when a quoted cell
        spans lines."""
        path, names, parsed, tz = self.path, self.names, self.parsed, self.tz
        default_store = self.default_store
        stamps = _Timestamps(tz)
        cache, parse = stamps.cache, stamps.parse
        metrics, channels, missing, inf = _METRICS, _CHANNELS, MISSING, _INF
        fallback_store = default_store or ""
        width = len(names)
        line = 1
        blank = skipped = 0

        def reject(message: str, column: str | None) -> RejectedInput:
            return RejectedInput(message, line=line, column=column)

        def check(metric: str, channel: str, store: str, campaign: str, sku: str) -> None:
            for column, cell in (("campaign", campaign), ("sku", sku)):
                what = N_("campaign id") if column == "campaign" else N_("SKU")
                problem = text_problem(cell, what)
                if problem:
                    raise RejectedInput(
                        problem,
                        line=line,
                        column=column,
                        hint=_("remove the character (or shorten the cell) and load it again"),
                    )
            if store not in stores and store != fallback_store:
                problem = store_name_problem(store)
                if problem:
                    raise reject(problem, "store")
            if metric not in metrics:
                raise reject(
                    _("found metric {metric!r}, expected a base metric: {metrics}").format(
                        metric=metric, metrics=", ".join(sorted(metrics))
                    ),
                    "metric",
                )
            if channel not in channels:
                raise reject(
                    _("found channel {channel!r}, expected empty or one of: {channels}").format(
                        channel=channel, channels=", ".join(CHANNELS)
                    ),
                    "channel",
                )

        resolve = None if batch is None else batch.series_id
        ingest_id = 0 if batch is None else batch.ingest_id
        direct = names == list(REQUIRED)
        stores: set[str] = set()
        reorder = None if direct else _reorder(names, reject)

        def stamp_of(ts_text: str) -> tuple[int, str, dict[object, int]]:
            try:
                return parse(ts_text)
            except _BadGrain as exc:
                found = _("found grain {grain!r}, expected hour or day").format(grain=str(exc))
                raise reject(found, "grain") from None
            except _NotPeriodStart as exc:
                raise reject(str(exc), "ts") from None
            except ValueError:
                raise reject(
                    _(
                        "found ts {ts!r}, expected an ISO 8601 "
                        "instant (2026-06-18T10:00:00+08:00 or ...Z), a local date-time "
                        "(2026-06-18 10:00) or a date (2026-06-18)"
                    ).format(ts=ts_text.partition(chr(0))[0]),
                    "ts",
                ) from None

        def no_figure(value_text: str) -> bool:
            """True for a cell meaning "no figure" (the row is skipped); raises otherwise."""
            if value_text.strip() in missing:
                return True
            raise reject(
                _(
                    "found value {value!r}, expected a finite number >= 0 "
                    "(or empty, -, --, nan for no figure)"
                ).format(value=value_text.strip()),
                "value",
            )

        row: list[str] | tuple[str, ...] | None
        with path.open(encoding="utf-8-sig", newline="") as handle:
            try:
                handle.readline()
                for text in handle:
                    line += 1
                    key = None
                    if direct and resolve is not None and '"' not in text:
                        # The hot path: the timestamp before the first comma, the value after
                        # the last, and the scope cells between them as one key to hash. A
                        # line met for the first time (its timestamp or its series), or one
                        # with no figure or a bad cell, takes the general path below, which
                        # checks it and says what is wrong.
                        ts_text, _comma, rest = text.partition(",")
                        key, comma, value_text = rest.rpartition(",")
                        stamp = cache.get(ts_text)
                        if comma and stamp is not None:
                            series_id = stamp[2].get(key)
                            if series_id is not None:
                                try:
                                    value = float(value_text)
                                except ValueError:
                                    value = -1.0
                                if 0.0 <= value < inf:
                                    yield series_id, stamp[0], value, ingest_id
                                    continue
                    if '"' in text:
                        # The csv module reads on when a quoted cell spans lines.
                        record = csv.reader(chain((text,), handle))
                        row = next(record, [])
                        line += record.line_num - 1
                    else:
                        row = text.split(",")
                    if reorder is not None:
                        row = reorder(row)
                        if row is None:
                            blank += 1
                            continue
                    try:
                        ts_text, store, channel, campaign, sku, metric, value_text = row
                    except ValueError:
                        if not row or (len(row) == 1 and not row[0].strip()):
                            blank += 1
                            continue
                        raise reject(
                            f"found {len(row)} cells, expected {width} (one per header column)",
                            None,
                        ) from None
                    try:
                        value = float(value_text)
                        if not 0.0 <= value < inf:
                            raise ValueError
                    except ValueError:
                        if no_figure(value_text):
                            skipped += 1
                            continue
                    stamp = cache.get(ts_text) or stamp_of(ts_text)
                    if not store:
                        store = fallback_store
                        if not store:
                            raise reject(
                                _(
                                    "found an empty store cell and no store was given, "
                                    "expected a store name (or name one with --store / the "
                                    "folder's store)"
                                ),
                                "store",
                            )
                    if resolve is None:
                        check(metric, channel, store, campaign, sku)
                        stores.add(store)
                        yield store, stamp[1], stamp[0], channel, campaign, sku, metric, value
                        continue
                    known = stamp[2]
                    scope = (store, channel, campaign, sku, metric)
                    series_id = known.get(scope)
                    if series_id is None:
                        check(metric, channel, store, campaign, sku)
                        stores.add(store)
                        series_id = known[scope] = resolve(
                            (store, stamp[1], metric, channel, campaign, sku)
                        )
                    if key is not None:
                        # The hot path finds this series by the line's text from now on.
                        known[key] = series_id
                    yield series_id, stamp[0], value, ingest_id
            except UnicodeDecodeError as exc:
                raise reject(
                    _(
                        "the file is not UTF-8 text ({reason} at byte {byte}), "
                        "expected UTF-8 with or without a BOM"
                    ).format(reason=exc.reason, byte=exc.start),
                    None,
                ) from None
            except csv.Error as exc:
                raise reject(_("malformed CSV: {error}").format(error=exc), None) from None
        parsed.rows = line - 1 - blank
        parsed.skipped = skipped
        if not parsed.store and len(stores) == 1:
            parsed.store = stores.pop()
        self.count = parsed.rows - skipped
        parsed.period = stamps.period()
        if stamps.low is not None and stamps.high is not None:
            self.span = (stamps.low, stamps.high)
