"""Which stored rows make up a figure: the level choice of DESIGN.md section 3 ("Levels").

A row's level is the set of dimensions it names: channel 1, campaign 2, SKU 4, term 8,
source 16, keyword 32 (0 is the store's own total). A customer search term or a keyword
(stored below its campaign) and a traffic source (手淘搜索, 直通车, …, stored below its
channel) are finer than every scope without one: levels naming one come after all others,
so that such a row never stands for its campaign, channel or the store while their own
figures exist; a campaign's keywords and its search terms share the campaign, so its
search terms stand in for its keywords only where it has none (``Total: Other search
terms``, the unlisted rest, is a term of no campaign). Two rows overlap when they count
some of the same visitors or spend: the same metric, periods that meet (a day and its
hours), and the same value in every dimension both rows name. Rows are taken coarsest
level first (at one level, day grain before hours) and a row is kept only if it overlaps
no row kept before it. So:

* every sub-scope gets its own coarsest figure: a plan report wins over the item rows of
  that plan, while the item rows of a plan with no plan figure still count;
* no figure is ever the sum of two levels of the same scope (a 合计 row and its parts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter

from opsboard.storage.points import CELL, CHANNEL, DIMENSIONS, METRIC
from opsboard.storage.points import Found as Found

DIMS = DIMENSIONS
DIM_BITS = {"channel": 1, "campaign": 2, "sku": 4, "term": 8, "source": 16, "keyword": 32}
#: The dimensions below a campaign or a channel, finer than any scope without them, in the
#: order their levels are taken: keywords, traffic sources, then search terms (a keyword
#: report holds all of a campaign's targeted spend, a search term report leaves terms out).
_FINE_ORDER = ((32, 1), (16, 2), (8, 3))


def fine_rank(extra: int) -> int:
    """0 for a level naming no term, source or keyword; then keywords, sources, terms."""
    return next((rank for bit, rank in _FINE_ORDER if extra & bit), 0)


def projector(mask: int) -> Callable[[Found], object]:
    """A function giving the values of a row in the dimensions of ``mask``."""
    indices = [CHANNEL + i for i in range(len(DIMS)) if mask >> i & 1]
    if not indices:
        return _nothing
    return itemgetter(*indices)


def _nothing(_row: Found) -> object:
    return ()


@dataclass(slots=True)
class Rank:
    """The candidate series of one level and one grain.

    ``extra`` holds the dimensions the rows name beyond those the query fixes; ``detail``
    the ones whose values its rows must keep (to tell sub-scopes apart, or to pair the
    parts of a ratio); the others are summed away in SQL.
    """

    extra: int
    hourly: bool
    metrics: set[str] = field(default_factory=set)
    detail: int = 0

    @property
    def order(self) -> tuple[int, int, int, int]:
        """Coarsest level first (levels naming a keyword, source or term last, in that
        order); at one level, day grain before hours."""
        return (fine_rank(self.extra), self.extra.bit_count(), self.extra, int(self.hourly))


@dataclass(slots=True)
class _Index:
    """What kept rows cover, projected on some dimensions: (metric, values, period)."""

    touched: set[tuple[str, object, int]]  # days any kept row meets
    whole: set[tuple[str, object, int]]  # days kept day rows cover
    hours: set[tuple[str, object, int]]  # hours kept hour rows cover


class LevelChoice:
    """The rows kept so far, rank by rank (call ``add`` in ``Rank.order``).

    ``keep`` holds the dimensions every row shows (the one grouped by); ``hour_buckets``
    says whether hour rows come per hour (else already summed per day); ``day_of`` maps
    an hour's epoch second to its local day number.
    """

    def __init__(self, keep: int, hour_buckets: bool, day_of: Callable[[int], int]) -> None:
        self.keep = keep
        self.hour_buckets = hour_buckets
        self.day_of = day_of
        self.kept: list[tuple[Rank, list[Found]]] = []
        self._indexes: dict[tuple[int, int], _Index] = {}

    def _index(self, position: int, mask: int) -> _Index:
        found = self._indexes.get((position, mask))
        if found is not None:
            return found
        rank, rows = self.kept[position]
        project = projector(mask)
        if rank.hourly and self.hour_buckets:
            hours = {(r[METRIC], project(r), r[CELL]) for r in rows}
            day_of = self.day_of
            index = _Index({(m, p, day_of(t)) for m, p, t in hours}, set(), hours)
        else:
            days = {(r[METRIC], project(r), r[CELL]) for r in rows}
            index = _Index(days, days, set())
        self._indexes[(position, mask)] = index
        return index

    def blanket(self, rank: Rank) -> list[_Index]:
        """Kept rows of levels sharing no dimension with ``rank``: each overlaps every row
        of ``rank`` in the periods it covers (only meaningful when ``keep`` is 0)."""
        return [
            self._index(i, 0)
            for i, (other, _rows) in enumerate(self.kept)
            if not other.extra & rank.extra and other.metrics & rank.metrics
        ]

    def covers(
        self, rank: Rank, blankets: list[_Index], spans: list[tuple[str, int, int]], step: int
    ) -> bool:
        """True when ``blankets`` (``blanket(rank)``) cover every period from first to last
        of ``spans`` (metric, first, last period), so that no row of ``rank`` could be kept
        and its points need not be read."""
        if not blankets:
            return False
        hourly = rank.hourly and self.hour_buckets
        day_of = self.day_of
        for metric, low, high in spans:
            for period in range(low, high + 1, step):
                if hourly:
                    day = day_of(period)
                    if not any(
                        (metric, (), period) in b.hours or (metric, (), day) in b.whole
                        for b in blankets
                    ):
                        return False
                elif not any((metric, (), period) in b.touched for b in blankets):
                    return False
        return True

    def add(self, rank: Rank, found: list[Found]) -> None:
        """Keep the rows of ``rank`` that overlap no row kept before."""
        checks = []
        for position, (other, _rows) in enumerate(self.kept):
            if other.metrics & rank.metrics:
                mask = (other.extra & rank.extra) | self.keep
                checks.append((self._index(position, mask), projector(mask)))
        if not checks:
            self.kept.append((rank, found))
            return
        hourly = rank.hourly and self.hour_buckets
        day_of = self.day_of
        kept = []
        for row in found:
            metric, period = row[METRIC], row[CELL]
            day = day_of(period) if hourly else period
            for index, project in checks:
                values = project(row)
                if hourly:
                    if (metric, values, period) in index.hours or (
                        metric,
                        values,
                        day,
                    ) in index.whole:
                        break
                elif (metric, values, period) in index.touched:
                    break
            else:
                kept.append(row)
        self.kept.append((rank, kept))

    def days_met(self, extra: int, metric: str, row: Found, first: int, last: int) -> int:
        """How many of the local days ``first`` .. ``last`` the rows kept so far meet for
        ``metric`` in the scope of ``row`` (a row of level ``extra``); the kept rows must
        show every dimension of their level (``Rank.detail`` = ``Rank.extra``)."""
        met: set[int] = set()
        for position, (other, _rows) in enumerate(self.kept):
            if metric not in other.metrics:
                continue
            mask = (other.extra & extra) | self.keep
            index = self._index(position, mask)
            values = projector(mask)(row)
            met.update(d for d in range(first, last + 1) if (metric, values, d) in index.touched)
        return len(met)
