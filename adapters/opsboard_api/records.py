"""Checking the API's records and turning them into points.

A record that breaks the schema (an unknown metric, a string where a number should be, a
negative count, a time that is not the start of an hour) is refused with a reason; the
rest of its page can still be used. Each record's ``revision`` (how often the platform
restated its figures) travels with its points, so that the running hour's growth is not
taken for a restatement and a figure first read after its restatement is known as one.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from opsboard.adapters.api import CHANNELS, NAME_KINDS, Grain, Names, RawPoint, _, text_problem
from opsboard_api.wire import DATASET_METRICS

_CHANNELS = frozenset(CHANNELS)
_HOUR = Grain.HOUR.value


class BadRecord(ValueError):
    """A record that breaks the API's schema."""


def parse_instant(text: object, what: str) -> datetime:
    """An ISO 8601 instant with a zone, as aware UTC."""
    if not isinstance(text, str):
        raise BadRecord(_("{key} is {value!r}, not a time").format(key=what, value=text))
    value = _parse_iso(text)
    if value is None:
        raise BadRecord(
            _("{key} {value!r} is not an ISO 8601 time with a zone").format(key=what, value=text)
        )
    return value


@functools.lru_cache(maxsize=4096)
def _parse_iso(text: str) -> datetime | None:
    """Cached: a page repeats the same few hours and update times hundreds of times."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return None if value.tzinfo is None else value.astimezone(UTC)


def iso_z(value: datetime) -> str:
    """An aware instant as the API writes it: ISO 8601 in UTC with a ``Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _scope(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadRecord(_("{key} is {value!r}, not text").format(key=key, value=value))
    return value


def _check_texts(record: dict[str, Any], campaign: str, sku: str) -> None:
    """``BadRecord`` for an id or a name holding a control character or longer than any
    platform writes: it would be stored as it is and shown on every screen."""
    for key, value in (("campaign", campaign), ("sku", sku)):
        problem = text_problem(value, key)
        if problem:
            raise BadRecord(f"field {key}: {problem}")
    for kind in NAME_KINDS:
        name = record.get(f"{kind}_name")
        if isinstance(name, str):
            problem = text_problem(name, f"{kind}_name", name=True)
            if problem:
                raise BadRecord(f"field {kind}_name: {problem}")


@dataclass(frozen=True)
class RecordHead:
    """What a record says about its figures: when they changed, and how often restated."""

    updated_at: datetime
    revision: int


def record_points(
    record: object, dataset: str, store: str, *, include_partial: bool
) -> tuple[list[RawPoint], RecordHead]:
    """The points of one record (raw, for the store's fast path) and its head.

    Raises ``BadRecord`` when the record is unsound.
    """
    if not isinstance(record, dict):
        raise BadRecord(_("a record is {kind}, not an object").format(kind=type(record).__name__))
    ident = record.get("id", "?")
    try:
        updated = parse_instant(record.get("updated_at"), "updated_at")
        hour = parse_instant(record.get("hour"), "hour")
        if hour.minute or hour.second or hour.microsecond:
            raise BadRecord(
                _("hour {hour!r} is not the start of an hour").format(hour=record.get("hour"))
            )
        epoch = int(hour.timestamp())
        if record.get("store") != store:
            raise BadRecord(
                _("store is {found!r}, expected {store!r}").format(
                    found=record.get("store"), store=store
                )
            )
        channel = _scope(record, "channel")
        if channel and channel not in _CHANNELS:
            raise BadRecord(_("unknown channel {channel!r}").format(channel=channel))
        campaign, sku = _scope(record, "campaign"), _scope(record, "sku")
        _check_texts(record, campaign, sku)
        revision = record.get("revision", 0)
        if isinstance(revision, bool) or not isinstance(revision, int) or revision < 0:
            raise BadRecord(_("revision is {revision!r}, not a count").format(revision=revision))
        partial = record.get("partial", False)
        if not isinstance(partial, bool):
            raise BadRecord(_("partial is {partial!r}, not true or false").format(partial=partial))
        metrics = record.get("metrics")
        if not isinstance(metrics, dict):
            raise BadRecord(_("metrics is missing or not an object"))
        allowed = DATASET_METRICS[dataset]
        points: list[RawPoint] = []
        for name, value in metrics.items():
            if name not in allowed:
                raise BadRecord(_("unknown metric {metric!r}").format(metric=name))
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise BadRecord(_("{key} is {value!r}, not a number").format(key=name, value=value))
            if not math.isfinite(value) or value < 0:
                raise BadRecord(
                    _("{key} is {value!r}; figures are finite and not negative").format(
                        key=name, value=value
                    )
                )
            points.append((store, _HOUR, epoch, channel, campaign, sku, name, float(value)))
    except BadRecord as exc:
        raise BadRecord(_("record {id}: {problem}").format(id=ident, problem=exc)) from None
    if partial and not include_partial:
        points = []
    return points, RecordHead(updated, revision)


class RevisedPoints:
    """Raw points, each with the platform's own revision of its figure.

    Iterating yields the raw points, as the store's upsert takes them; ``with_revisions``
    pairs each with its revision (0 as first published, and for the running hour's
    figures however often they grow; 1 and up once the platform restated them), for a
    store that keeps the source's own restatement count.
    """

    def __init__(self) -> None:
        self.points: list[RawPoint] = []
        self.revisions: list[int] = []

    def add(self, points: list[RawPoint], revision: int) -> None:
        """Add the points of one record."""
        self.points.extend(points)
        self.revisions.extend([revision] * len(points))

    def extend(self, other: RevisedPoints) -> None:
        """Add the points of another set."""
        self.points.extend(other.points)
        self.revisions.extend(other.revisions)

    def __iter__(self) -> Iterator[RawPoint]:
        return iter(self.points)

    def __len__(self) -> int:
        return len(self.points)

    def with_revisions(self) -> Iterator[tuple[RawPoint, int]]:
        """Each point with the platform's revision of its figure."""
        return zip(self.points, self.revisions, strict=True)


@dataclass
class PageResult:
    """The usable points of a page, the bookmark it allows, and its refused records."""

    points: RevisedPoints = field(default_factory=RevisedPoints)
    bookmark: str | None = None
    newest_hour: datetime | None = None
    rejected: list[str] = field(default_factory=list)
    restated: int = 0
    """Records the platform has restated (revision 1 or more)."""
    sound: bool = True
    names: Names = field(default_factory=dict)
    """The platform's names of the page's campaigns and SKUs (see ``Batch.names``)."""


def record_names(record: dict[str, Any], store: str) -> Names:
    """The names a sound record gives its campaign and SKU (``campaign_name``,
    ``sku_name``: optional text), keyed as ``Batch.names``."""
    found: Names = {}
    for kind in NAME_KINDS:
        key, name = record.get(kind), record.get(f"{kind}_name")
        if isinstance(key, str) and key and isinstance(name, str) and name.strip():
            found[(store, kind, key)] = name
    return found


def read_page(
    records: list[Any],
    dataset: str,
    store: str,
    *,
    include_partial: bool,
) -> PageResult:
    """Check a page's records (sorted by ``updated_at``) and collect its points.

    The bookmark is the newest ``updated_at`` up to the first refused record; with a
    refused record it is that record's own ``updated_at`` (an inclusive ``since`` reads it
    again), so it never passes a refused record. A page with more refused records than
    good ones is not sound: none of it is kept.
    """
    result = PageResult()
    newest: datetime | None = None  # the newest update among the good records
    limit: datetime | None = None  # the bookmark may not pass a refused record
    blocked = False  # a refused record with no usable time, before any good one
    for record in records:
        try:
            points, head = record_points(record, dataset, store, include_partial=include_partial)
        except BadRecord as exc:
            result.rejected.append(str(exc))
            at = _updated_at(record) or newest
            if at is None:
                blocked = True
            elif limit is None or at < limit:
                limit = at
            continue
        updated = head.updated_at
        if newest is None or updated > newest:
            newest = updated
        result.points.add(points, head.revision)
        if isinstance(record, dict):
            result.names.update(record_names(record, store))
        if head.revision:
            result.restated += 1
        if points:
            hour = datetime.fromtimestamp(points[0][2], UTC)
            if result.newest_hour is None or hour > result.newest_hour:
                result.newest_hour = hour
    if len(result.rejected) * 2 > len(records):
        return PageResult(rejected=result.rejected, sound=False)
    candidates = [t for t in (newest, limit) if t is not None]
    if candidates and not blocked:
        result.bookmark = iso_z(min(candidates))
    return result


def _updated_at(record: object) -> datetime | None:
    if not isinstance(record, dict):
        return None
    try:
        return parse_instant(record.get("updated_at"), "updated_at")
    except BadRecord:
        return None
