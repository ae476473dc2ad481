"""The account's own figure in a report's ``Total: Account`` row (Google Ads).

Google Ads writes ``Total: …`` rows below the data. They are never added to the rows; the
one a profile names in ``account_totals`` holds the whole account, including activity that
no listed row has (campaigns without ad groups, unlisted search terms). In a report of a
single day it is that day's store-level figure: stored beside the rows, it is what the
query answers for the store (the coarsest level covering a scope wins), while each
campaign keeps its own rows. In a summary report over a range (rows without a day of
their own) it is the store's figure of that span; in a report of several days whose rows
have their own days it is left out (the day rows answer for those days).
"""

from __future__ import annotations

from opsboard.adapters.api import RawPoint, _, local_midnight, span_grain
from opsboard_csv.dates import find_dates
from opsboard_csv.numbers import decimal_convention, normalise_cell
from opsboard_csv.periods import DataRow, Days, FileContext
from opsboard_csv.profiles import HeaderMatch


def account_label(
    match: HeaderMatch, cells: list[str], columns: set[int], labels: list[str] | None = None
) -> bool:
    """True when ``cells`` is one of the profile's account total rows (or a total row
    with one of ``labels``)."""
    named = labels if labels is not None else match.profile.account_totals
    casefolded = {normalise_cell(t).casefold() for t in named}
    return any(normalise_cell(cells[i]).casefold() in casefolded for i in columns if i < len(cells))


def account_points(
    match: HeaderMatch,
    totals: list[DataRow],
    data: list[DataRow],
    days: list[Days],
    stores: set[str],
    context: FileContext,
    labels: list[str] | None = None,
) -> tuple[list[RawPoint], str]:
    """The store-level points of the account total row, and a notice saying what became
    of it. ``labels`` are the total rows' labels when not the profile's account totals
    (the figure of the unlisted terms, stored the same way but as a term)."""
    from opsboard_csv.points import metric_values

    named = labels if labels is not None else match.profile.account_totals
    label = normalise_cell(next(c for c in totals[0].cells if _is_label(c, named)))
    first, last = min(d[0] for d in days), max(d[1] for d in days)
    titled = find_dates(" ".join(" ".join(r) for r in context.titles), match.profile.slash_order)
    if titled:
        # The total covers the report's range, whatever days its rows have.
        first, last = min(first, *titled), max(last, *titled)
    spanned = set(days) == {(first, last)} and first != last
    if first != last and not spanned:
        return [], _(
            "the {label!r} row covers {first} .. {last}, a figure of the whole range: "
            "not stored (the rows are)"
        ).format(label=label, first=first, last=last)
    if len(totals) > 1 or len(stores) != 1:
        return [], _("{count} {label!r} rows (one per segment): not stored (the rows are)").format(
            count=len(totals), label=label
        )
    (store,) = stores
    profile, columns = match.profile, match.columns
    metric_fields = [
        (k, s) for k, s in profile.fields.items() if s.role == "metric" and k in columns
    ]
    money = [
        row.cell(columns[k]) for k, s in metric_fields if s.kind == "money" for row in data[:200]
    ]
    values = metric_values(match, metric_fields, totals[0], decimal_convention(money))
    ts = int(local_midnight(first, context.tz).timestamp())
    grain = span_grain((last - first).days + 1) if spanned else "day"
    points: list[RawPoint] = [
        (store, grain, ts, "", "", "", metric, value) for metric, value in values.items()
    ]
    when = _("the span {first} .. {last}").format(first=first, last=last) if spanned else str(first)
    return points, _(
        "the {label!r} row (line {line}) is the account's own figure for {when}: "
        "stored as the store's figure, beside the rows"
    ).format(label=label, line=totals[0].line, when=when)


def _is_label(cell: str, labels: list[str]) -> bool:
    return normalise_cell(cell).casefold() in {normalise_cell(t).casefold() for t in labels}
