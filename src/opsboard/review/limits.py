"""What a review cannot tell, and why: so that a gap in the data is never read as news."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from opsboard import i18n
from opsboard.glossary import metric_label
from opsboard.i18n import _, ngettext
from opsboard.metrics import base_inputs
from opsboard.review.model import Completeness, MetricMove

WEEKS = 4
#: How the base metrics behind the headline are named to the reader.
INPUT_NAMES = {
    "uv": "visitors",
    "buyers": "paying buyers",
    "gmv": "GMV",
    "spend": "ad spend",
    "ad_gmv": "attributed ad sales",
}
_AD_FIGURES = ("spend", "impressions", "clicks")

Row = dict[str, Any]


@dataclass(frozen=True)
class Scope:
    """The day under review and what the store holds around it."""

    store: str
    day: date
    before_day: date
    has_data: bool
    day_has_data: bool
    latest: date | None
    has_ads: bool


def limits(
    scope: Scope,
    found: list[str],
    *,
    today: Row,
    weeks: list[Row],
    headline: list[MetricMove],
    health: Completeness,
    not_assessed: list[str],
) -> list[str]:
    """Every "cannot tell" line of the review: ``found`` (from building its parts) with
    the day-wide limits first."""
    if not scope.has_data:
        return [
            _("anything about {store}: the store has no data at all yet").format(store=scope.store),
            *found,
        ]
    first: list[str] = []
    last: list[str] = []
    if health.unfinished:
        until = (
            _(" (data so far through {hour})").format(hour=health.data_until)
            if health.data_until
            else ""
        )
        first.append(
            _(
                "the whole day: {day} is not over{until}; figures so far are not compared and "
                "diagnoses that need a whole day wait until it is"
            ).format(day=scope.day, until=until)
        )
    if not scope.day_has_data and not health.missing_metrics:
        where = (
            _(" (the latest data is for {day})").format(day=scope.latest) if scope.latest else ""
        )
        first.append(
            _("how {day} went: there is no data for that day{where}").format(
                day=scope.day, where=where
            )
        )
    history = [w for w in weeks if any(v is not None for v in w.values())]
    if not history:
        last.append(
            _(
                "changes: no data for the same weekday in the {weeks} weeks before "
                "(a new store, or history not loaded)"
            ).format(weeks=WEEKS)
        )
    else:
        if not any(v is not None for v in weeks[0].values()):
            last.append(
                _(
                    "the change on last week: no data for {day}; the trailing median is "
                    "shown instead"
                ).format(day=scope.before_day)
            )
        if len(history) < WEEKS:
            alone = _(" (it is that one day's figure)") if len(history) == 1 else ""
            last.append(
                _(
                    "a steady baseline: the median covers only {count} of the {weeks} weeks "
                    "before{alone}"
                ).format(count=len(history), weeks=WEEKS, alone=alone)
            )
    unmatched = [
        m.label
        for m in headline
        if today.get(m.metric) is not None and all(w.get(m.metric) is None for w in weeks)
    ]
    if unmatched and history:
        last.append(
            _(
                "changes in {figures}: no such data on the same weekday in the {weeks} weeks before"
            ).format(figures=_(", ").join(unmatched), weeks=WEEKS)
        )
    has_ad_figures = any(today.get(m) is not None for m in _AD_FIGURES)
    if scope.day_has_data:
        last += _absent_figures(headline, today, health, ads=has_ad_figures)
        if not has_ad_figures:
            last.append(
                _(
                    "ad performance: no ad data for {day}, though the store has ads on other days"
                ).format(day=scope.day)
                if scope.has_ads
                else _("ad performance: there is no ad data for this store")
            )
    last += [_("diagnoses not assessed: {rules}").format(rules=line) for line in not_assessed]
    return list(dict.fromkeys([*first, *found, *last]))


def _absent_figures(
    headline: list[MetricMove], today: Row, health: Completeness, *, ads: bool
) -> list[str]:
    """Headline figures missing from a day that has other data, and what they lack."""
    labels: list[str] = []
    lacking: list[str] = []
    for move in headline:
        if move.value is not None or move.status != "no_data":
            continue
        inputs = base_inputs([move.metric])
        if not ads and any(m in ("spend", "ad_gmv") for m in inputs):
            continue  # said once for all ad figures
        absent = [m for m in inputs if today.get(m) is None]
        if not absent or health.status_of(absent) != "ok":
            continue
        labels.append(move.label)
        lacking += [m for m in absent if m not in lacking]
    if not labels:
        return []
    names = _(" or ").join(_input_name(m) for m in lacking)
    return [
        ngettext(
            "{figures}: the day's data has no {names}; no source reported it for the day",
            "{figures}: the day's data has no {names}; no source reported them for the day",
            len(lacking),
        ).format(figures=_(", ").join(labels), names=names)
    ]


def _input_name(metric: str) -> str:
    """A base metric behind the headline as the reader names it (the platforms' word in
    Chinese)."""
    if i18n.is_chinese():
        return metric_label(metric)
    return INPUT_NAMES.get(metric, metric)
