"""Two grains of one report kept apart: 京东商智 商品明细 by SKU and by SPU.

Both downloads give the same products' visitors and sales, one per SKU and one per SPU
(a product with its variants); stored side by side, a store's figures would count every
product twice. SPU ids carry a prefix (``SPU-``, set in the profile) so that they never
pass for SKU ids, and a file whose profile names ``exclusive_with`` formats is refused
for a store and days that already hold figures loaded from one of them. The check needs
the database, so these points are ``CheckedPoints``: the store runs ``check`` inside the
write transaction, which tells what earlier loads cover (``BatchWriter.loaded_period``),
before writing them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime, tzinfo

from opsboard.adapters.api import BatchWriter, RawPoint, RejectedInput, _
from opsboard_csv.profiles import Profile, profile_named


def exclusive_points(
    profile: Profile, points: list[RawPoint], file_name: str, tz: tzinfo
) -> Iterable[RawPoint]:
    """``points`` as they are, or checked against the other grains when they are written."""
    if not profile.exclusive_with or not points:
        return points
    return ExclusivePoints(profile, points, file_name, tz)


class ExclusivePoints:
    """A file's points, refused at write time if another grain of them is stored."""

    def __init__(
        self, profile: Profile, points: list[RawPoint], file_name: str, tz: tzinfo
    ) -> None:
        self.profile = profile
        self.points = points
        self.file_name = file_name
        self.tz = tz

    def __iter__(self) -> Iterator[RawPoint]:
        return iter(self.points)

    def check(self, batch: BatchWriter) -> None:
        """Refuse the points when a store already holds another grain of them for these days."""
        stores = sorted({p[0] for p in self.points})
        low = min(p[2] for p in self.points)
        high = max(p[2] for p in self.points)
        others = list(self.profile.exclusive_with)
        for store in stores:
            found = batch.loaded_period(store, others, low, high)
            if found is None:
                continue
            other = profile_named(found.format)
            title = other.shown_title() if other is not None else found.format
            first, last = (self._day(max(found.first, low)), self._day(min(found.last, high)))
            raise RejectedInput(
                _(
                    "{file}: store {store} already holds {title} figures for "
                    "{first} .. {last}; this file ({own}) gives the same "
                    "products at another grain, and the two together would count every "
                    "product twice"
                ).format(
                    file=self.file_name,
                    store=store,
                    title=title,
                    first=first,
                    last=last,
                    own=self.profile.shown_title(),
                ),
                hint=_(
                    "keep to one grain per store: for these days load the {title} "
                    "download, as before (this grain can be loaded for other days)"
                ).format(title=title),
            )

    def _day(self, ts: int) -> str:
        return datetime.fromtimestamp(ts, self.tz).date().isoformat()
