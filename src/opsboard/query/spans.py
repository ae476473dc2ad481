"""Figures of a span in a query (DESIGN.md section 3, "Spans").

A summary report over a date range holds figures of that span of whole local days, not of
any day in it. A query uses such a figure only when its period contains the whole span,
and then as one figure: never spread over the span's days, never added to day figures of
the same scope and days. Where day (or hour) figures already kept meet every day of the
span, they win and the span is dropped; where they meet only some of its days, or the
period covers only part of the span, or the question is per day or per hour, the span is
left out and a note says so. Of two spans of one scope that overlap, the coarser level,
then the longer span, is used and the other left out with a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from opsboard.query.levels import (
    DIM_BITS,
    DIMS,
    Found,
    LevelChoice,
    Rank,
    fine_rank,
    projector,
)
from opsboard.query.scope import Period
from opsboard.storage import points
from opsboard.storage.points import CELL, SeriesSelection, SpanPoint
from opsboard.storage.store import Store

_EPOCH = date(1970, 1, 1)
#: A bound later than any period start (epoch seconds).
_NEVER = 2**62


@dataclass(slots=True)
class _Kept:
    """A span kept so far: its level, metric, scope row and first and last day."""

    extra: int
    row: Found
    first: int
    last: int


def add_spans(
    store: Store,
    selection: SeriesSelection,
    tz: tzinfo,
    now: datetime,
    by: str,
    period: Period,
    required: int,
    choice: LevelChoice,
    notes: list[str],
) -> None:
    """Add the figures of a span that answer the question to ``choice`` (after its day and
    hour rows), and a note to ``notes`` for each span left out."""
    metrics = store.span_metrics().get(selection.store, frozenset())
    selection = SeriesSelection(
        selection.store,
        tuple(m for m in selection.metrics if m in metrics),
        None,
        selection.equal,
        selection.named,
        selection.unnamed,
        spans=True,
    )
    if not selection.metrics:
        return
    first_asked, last_asked = period.days(tz, now)
    _start, end = period.bounds(tz, now)
    low = None if first_asked is None else (first_asked - _EPOCH).days
    high = None if last_asked is None else (last_asked - _EPOCH).days
    left: dict[tuple[int, int, str], set[str]] = {}
    candidates: list[tuple[int, SpanPoint, int, int]] = []
    for point in points.span_points(store, selection, _NEVER if end is None else end):
        first = choice.day_of(point.ts)
        last = first + point.days - 1
        if (low is not None and last < low) or (high is not None and first > high):
            continue
        level = sum(DIM_BITS[d] for d in DIMS if getattr(point, d))
        if by in ("day", "hour"):
            reason = f"figures of a span are never put on one {by}; ask without --by {by}"
        elif (
            period.partial_days
            or (low is not None and first < low)
            or (high is not None and last > high)
        ):
            reason = "the period asked covers only part of it"
        else:
            candidates.append((level & ~required, point, first, last))
            continue
        left.setdefault((first, last, reason), set()).add(point.metric)
    # Coarsest level first, then the longest span, then the earliest.
    candidates.sort(key=lambda c: (fine_rank(c[0]), c[0].bit_count(), c[0], c[2] - c[3], c[2]))
    kept = _KeptSpans(choice.keep)
    ranks: dict[int, tuple[Rank, list[Found]]] = {}
    cells: dict[tuple[int, int], int] = {}
    for extra, point, first, last in candidates:
        row: Found = (
            point.metric,
            point.channel,
            point.campaign,
            point.sku,
            point.term,
            point.source,
            point.keyword,
            0,
            point.value,
        )
        why = _overlap(kept, choice.keep, extra, row, first, last)
        if why is None:
            met = choice.days_met(extra, point.metric, row, first, last)
            if met == last - first + 1:
                continue  # The day figures cover the span: they win.
            if met:
                why = (
                    f"day figures of the same scope cover {met} of its {last - first + 1} "
                    "days, and the two are never added"
                )
        if why is not None:
            if why:
                left.setdefault((first, last, why), set()).add(point.metric)
            continue
        kept.add(_Kept(extra, row, first, last))
        # Each span has a cell of its own (below the day numbers of 1970), so that the
        # parts of a ratio pair within one span.
        cell = cells.setdefault((first, last), -1 - len(cells))
        rank, rows = ranks.setdefault(extra, (Rank(extra, False), []))
        rank.metrics.add(point.metric)
        rows.append((*row[:CELL], cell, point.value))
    choice.kept.extend(ranks.values())
    for (first, last, reason), names in sorted(left.items()):
        notes.append(
            f"{selection.store}: {', '.join(sorted(names))} of the span {_day(first)} .. "
            f"{_day(last)} left out: {reason}"
        )


class _KeptSpans:
    """The spans kept so far, indexed by level and by the scope values a later span of
    some level shares with them (thousands of search terms' spans must not be compared
    each with each)."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.by_level: dict[int, list[_Kept]] = {}
        self._indexes: dict[tuple[int, int], dict[tuple[str, object], list[_Kept]]] = {}

    def add(self, kept: _Kept) -> None:
        """Keep one more span."""
        self.by_level.setdefault(kept.extra, []).append(kept)
        for (level, mask), index in self._indexes.items():
            if level == kept.extra:
                index.setdefault((kept.row[0], projector(mask)(kept.row)), []).append(kept)

    def meeting(self, extra: int, row: Found) -> list[_Kept]:
        """The kept spans of ``row``'s metric whose scope meets that of ``row`` (a span of
        level ``extra``)."""
        found: list[_Kept] = []
        for level, spans in self.by_level.items():
            mask = (level & extra) | self.keep
            index = self._indexes.get((level, mask))
            if index is None:
                index = self._indexes[(level, mask)] = {}
                project = projector(mask)
                for span in spans:
                    index.setdefault((span.row[0], project(span.row)), []).append(span)
            found.extend(index.get((row[0], projector(mask)(row)), []))
        return found


def _overlap(
    kept: _KeptSpans, keep: int, extra: int, row: Found, first: int, last: int
) -> str | None:
    """None when no kept span overlaps this one; "" when a kept span of a coarser scope
    holds it whole (the levels rule: the coarser figure counts it); else why it is left
    out."""
    for other in kept.meeting(extra, row):
        if other.last < first or other.first > last:
            continue
        inside = other.first <= first and last <= other.last
        if inside and other.extra != extra:
            return ""  # A coarser scope's figure of the span holds this one.
        how = "lies within" if inside else "overlaps"
        return (
            f"it {how} the span {_day(other.first)} .. {_day(other.last)} of the same "
            "scope, which is used, and the two are never added"
        )
    return None


def _day(number: int) -> str:
    """The ISO date of a local day number."""
    return (_EPOCH + timedelta(days=number)).isoformat()
