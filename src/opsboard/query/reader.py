"""Reading a store for one query: the candidate series, their rows, the level choice,
and the output rows with the parts of each ratio paired (see ``opsboard.query.engine``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from opsboard.metrics import BASE_METRICS, DERIVED_METRICS, PACING
from opsboard.query.levels import DIM_BITS, DIMS, Found, LevelChoice, Rank, projector
from opsboard.query.scope import Filters, Period, filter_equals
from opsboard.query.spans import add_spans
from opsboard.storage import points
from opsboard.storage.points import CELL, CHANNEL, METRIC, VALUE, SeriesSelection
from opsboard.storage.store import Store

_EPOCH = date(1970, 1, 1)

#: Base sums of one output row by (store, period cell), then metric.
Cells = dict[tuple[str, int], dict[str, float]]


@dataclass
class Rows:
    """The output rows being built, by label.

    ``cells`` holds base sums per (store, period cell); ``pairs`` the parts of a ratio
    summed over the rows where both are known, for each (store, ratio) in ``row_paired``;
    other ratios pair the cell sums themselves (one figure per cell on both sides).
    """

    cells: dict[str, Cells] = field(default_factory=dict)
    pairs: dict[str, dict[tuple[str, int], dict[str, tuple[float, float]]]] = field(
        default_factory=dict
    )
    row_paired: set[tuple[str, str]] = field(default_factory=set)
    #: What the answer leaves out and why (figures of a span the period only partly covers).
    notes: list[str] = field(default_factory=list)


def day_label(day_number: int) -> str:
    """``2026-06-18`` for a local day number (days since 1970-01-01)."""
    return (_EPOCH + timedelta(days=day_number)).isoformat()


def is_money(metric: str) -> bool:
    """Whether a base metric is an amount of money."""
    spec = BASE_METRICS.get(metric)
    return spec is not None and spec.kind == "money"


def ratio_parts(name: str) -> tuple[str, str]:
    """The numerator and denominator of a ratio (pacing: spend and budget)."""
    if name == PACING:
        return "spend", "budget"
    spec = DERIVED_METRICS[name]
    return spec.numerator, spec.denominator


def convert_money(rows: Rows, rates: Mapping[str, float]) -> None:
    """Money of each store times its rate, so that stores in different currencies add up
    (``rates``: {store: units of the reporting currency per unit of the store's}); the
    parts of ratios paired row by row are converted alike."""
    for cells in rows.cells.values():
        for (store_name, _cell), values in cells.items():
            rate = rates.get(store_name, 1.0)
            if rate != 1.0:
                for metric in values:
                    if is_money(metric):
                        values[metric] *= rate
    for paired in rows.pairs.values():
        for (store_name, _cell), ratios in paired.items():
            rate = rates.get(store_name, 1.0)
            if rate == 1.0:
                continue
            for name, (numerator, denominator) in ratios.items():
                top, bottom = ratio_parts(name)
                ratios[name] = (
                    numerator * rate if is_money(top) else numerator,
                    denominator * rate if is_money(bottom) else denominator,
                )


def required_bits(filters: Filters) -> int:
    """The dimension bits a series must have for ``filters`` (a filter on a value needs
    that dimension; "" asks for none)."""
    return sum(DIM_BITS[dim] for dim in DIMS if getattr(filters, dim))


def gather(
    store: Store,
    store_name: str,
    tz: tzinfo,
    now: datetime,
    inputs: list[str],
    by: str,
    period: Period,
    filters: Filters,
    out: Rows,
    pairs: list[tuple[str, str, str]],
) -> None:
    """Add one store's figures for ``inputs`` to ``out``.

    ``tz`` is the store's time zone and ``now`` the current instant (for relative days);
    ``pairs`` are the ratios asked, as (name, numerator, denominator).
    """
    equal = filter_equals(filters)
    required = required_bits(filters)
    keep = DIM_BITS.get(by, 0)
    required |= keep
    hourly_only = by == "hour" or period.partial_days
    absent = sum(DIM_BITS[d] for d in DIMS if getattr(filters, d) == "")

    # Candidate levels and grains, from the catalogue of series (no SQL per query).
    wanted = set(inputs)
    ranked: dict[tuple[int, bool], Rank] = {}
    for metric, level, hourly in store.series_levels().get(store_name, {}):
        if metric not in wanted or level & required != required or level & absent:
            continue
        if hourly_only and not hourly:
            continue
        rank = ranked.get((level & ~required, hourly))
        if rank is None:
            rank = ranked[(level & ~required, hourly)] = Rank(level & ~required, hourly)
        rank.metrics.add(metric)

    def selection_of(rank: Rank) -> SeriesSelection:
        """The series of ``rank``: the filters' values, a value in the dimension grouped
        by and in the rank's extra dimensions, none in the others."""
        named = [by] if keep else []
        unnamed: list[str] = []
        for dim in DIMS:
            bit = DIM_BITS[dim]
            if not required & bit:
                (named if rank.extra & bit else unnamed).append(dim)
        return SeriesSelection(
            store_name,
            tuple(sorted(rank.metrics)),
            rank.hourly,
            equal,
            tuple(named),
            tuple(unnamed),
        )

    day_cache: dict[int, int] = {}

    def day_of(ts: int) -> int:
        day = day_cache.get(ts)
        if day is None:
            offset = datetime.fromtimestamp(ts, tz).utcoffset()
            day = day_cache[ts] = (ts + int(offset.total_seconds() if offset else 0)) // 86400
        return day

    # Without a dimension, levels are chosen per hour and the hours summed into days, so
    # that a total covering part of a day and channel rows covering the rest both count.
    per_hour = not keep
    choice = LevelChoice(keep, per_hour, day_of)
    spanned = bool(store.span_metrics().get(store_name, frozenset()) & wanted)
    if ranked:
        _read_levels(store, tz, now, period, pairs, ranked, selection_of, choice, spanned)
    if spanned:
        equal_spans = SeriesSelection(
            store_name,
            tuple(sorted(wanted)),
            None,
            equal,
            (by,) if keep else (),
            tuple(d for d in DIMS if getattr(filters, d) == ""),
            spans=True,
        )
        add_spans(store, equal_spans, tz, now, by, period, required, choice, out.notes)
    _place(store_name, by, tz, choice, day_of, out, pairs)


def _read_levels(
    store: Store,
    tz: tzinfo,
    now: datetime,
    period: Period,
    pairs: list[tuple[str, str, str]],
    ranked: dict[tuple[int, bool], Rank],
    selection_of: Callable[[Rank], SeriesSelection],
    choice: LevelChoice,
    spanned: bool,
) -> None:
    """Read the rows of each candidate level and grain into ``choice``, coarsest first;
    with ``spanned`` (figures of a span follow) every row keeps the values of its level's
    dimensions, so that a span's scope can be told."""
    keep, per_hour, day_of = choice.keep, choice.hour_buckets, choice.day_of
    start, end = period.bounds(tz, now)
    if start is None or end is None:
        low, high = None, None
        for rank in ranked.values():
            known = points.span(store, selection_of(rank))
            if known is not None:
                first, last = known
                low = first if low is None else min(low, first)
                high = last if high is None else max(high, last)
        if low is None or high is None:
            return
        start = low if start is None else start
        end = high + 1 if end is None else end
    if start >= end:
        return

    for rank in ranked.values():
        # Values of a dimension are kept where another level shares it (to tell its
        # sub-scopes apart) or where both parts of a ratio lie (to pair them per row).
        shares = any(other is not rank and other.extra & rank.extra for other in ranked.values())
        holds_pair = any(n in rank.metrics and d in rank.metrics for _, n, d in pairs)
        rank.detail = rank.extra if shares or holds_pair or spanned else 0

    first_day, last_day = day_of(start), day_of(end - 1)
    # The whole period may lie in one local day: then no per-row time-zone arithmetic.
    one_day = first_day == last_day
    for rank in sorted(ranked.values(), key=lambda r: r.order):
        selection = selection_of(rank)
        hourly = rank.hourly and per_hour
        blankets = choice.blanket(rank) if per_hour else []
        if blankets:
            # Coarser rows met so far may cover every period: then no row of this
            # level could count, and its (many) points need not be read.
            step = 3600 if hourly else 1
            low, high = (start, end - 1) if hourly else (first_day, last_day)
            whole = [(metric, low, high) for metric in rank.metrics]
            if choice.covers(rank, blankets, whole, step) or choice.covers(
                rank,
                blankets,
                _spans(store, selection, start, end, None if hourly else day_of),
                step,
            ):
                continue
        shown_bits = rank.detail | keep
        shown = frozenset(dim for dim in DIMS if shown_bits & DIM_BITS[dim])
        # Series that differ only in dimensions not shown are summed together.
        summed = rank.detail != rank.extra
        found: list[Found]
        if not hourly and one_day:
            found = points.series_sums(store, selection, shown, first_day, start, end)
            if summed:
                found = _summed(found)
        elif hourly and not summed:
            # One row per point: no GROUP BY, hence no sort.
            found = points.hour_points(store, selection, shown, start, end)
        else:
            found = points.summed_points(
                store, selection, shown, start, end, None if hourly else tz
            )
        choice.add(rank, found)


def _place(
    store_name: str,
    by: str,
    tz: tzinfo,
    choice: LevelChoice,
    day_of: Callable[[int], int],
    out: Rows,
    pairs: list[tuple[str, str, str]],
) -> None:
    """Add the kept rows to the output rows, and pair the parts of each ratio."""
    label_at = DIMS.index(by) + CHANNEL if by in DIM_BITS else None
    labels: dict[int, str] = {}

    def time_label(cell: int) -> str:
        label = labels.get(cell)
        if label is None:
            label = labels[cell] = (
                datetime.fromtimestamp(cell, tz).isoformat(timespec="minutes")
                if by == "hour"
                else day_label(cell)
            )
        return label

    def label_of(row: Found, cell: int) -> str:
        if label_at is not None:
            return str(row[label_at])
        return "" if by == "total" else time_label(cell)

    cells_out = out.cells
    keys: dict[int, tuple[str, int]] = {}
    for rank, found in choice.kept:
        to_day = rank.hourly and by != "hour" and choice.hour_buckets
        for row in found:
            cell = day_of(row[CELL]) if to_day else row[CELL]
            label = label_of(row, cell)
            key = keys.get(cell)
            if key is None:
                key = keys[cell] = (store_name, cell)
            by_cell = cells_out.get(label)
            values: dict[str, float] | None
            if by_cell is None:
                values = {}
                cells_out[label] = {key: values}
            else:
                values = by_cell.get(key)
                if values is None:
                    values = by_cell[key] = {}
            metric = row[METRIC]
            values[metric] = values.get(metric, 0.0) + row[VALUE]
    if not pairs or not any(rank.extra for rank, _found in choice.kept):
        return
    # The dimensions both parts of a ratio name at every level they came from: the
    # parts are paired row by row on those (none: the cell sums pair as they are).
    levels: dict[str, int] = {}
    for rank, found in choice.kept:
        for metric in {row[METRIC] for row in found}:
            levels[metric] = levels.get(metric, rank.extra) & rank.extra
    for name, numerator, denominator in pairs:
        mask = levels.get(numerator, 0) & levels.get(denominator, 0)
        if mask:
            out.row_paired.add((store_name, name))
            _pair_rows(store_name, name, numerator, denominator, mask, choice,
                            by, day_of, label_of, out)  # fmt: skip


def _pair_rows(
    store_name: str,
    name: str,
    numerator: str,
    denominator: str,
    mask: int,
    choice: LevelChoice,
    by: str,
    day_of: Callable[[int], int],
    label_of: Callable[[Found, int], str],
    out: Rows,
) -> None:
    """Sum the parts of ratio ``name`` over the rows (values in ``mask``'s dimensions,
    period cell) that have both."""
    project = projector(mask)
    sums: dict[tuple[str, int, object], float] = {}
    matched: dict[tuple[str, int, object], list[float]] = {}
    for part in (numerator, denominator):
        for rank, found in choice.kept:
            to_day = rank.hourly and by != "hour" and choice.hour_buckets
            for row in found:
                if row[METRIC] != part:
                    continue
                cell = day_of(row[CELL]) if to_day else row[CELL]
                slot = (label_of(row, cell), cell, project(row))
                if part == numerator:
                    sums[slot] = sums.get(slot, 0.0) + row[VALUE]
                elif slot in sums:
                    entry = matched.get(slot)
                    if entry is None:
                        matched[slot] = [sums[slot], row[VALUE]]
                    else:
                        entry[1] += row[VALUE]
    for (label, cell, _values), (num, den) in matched.items():
        paired = out.pairs.setdefault(label, {}).setdefault((store_name, cell), {})
        before = paired.get(name, (0.0, 0.0))
        paired[name] = (before[0] + num, before[1] + den)


def _spans(
    store: Store,
    selection: SeriesSelection,
    start: int,
    end: int,
    to_day: Callable[[int], int] | None,
) -> list[tuple[str, int, int]]:
    """(metric, first, last period) of the selected series within ``[start, end)``."""
    return [
        (s.metric, s.first, s.last)
        if to_day is None
        else (s.metric, to_day(s.first), to_day(s.last))
        for s in points.metric_spans(store, selection, start, end)
    ]


def _summed(rows: list[Found]) -> list[Found]:
    """Rows that differ only in their value added up (dimensions not shown are "")."""
    sums: dict[tuple[str, str, str, str, str, str, str, int], float] = {}
    for row in rows:
        key = row[:-1]
        sums[key] = sums.get(key, 0.0) + row[-1]
    return [(*key, total) for key, total in sums.items()]
