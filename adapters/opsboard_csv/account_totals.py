"""The account's own figure in a report's ``Total: Account`` row (Google Ads).

Google Ads writes ``Total: …`` rows below the data. They are never added to the rows; the
one a profile names in ``account_totals`` holds the whole account, including activity that
no listed row has (campaigns without ad groups, unlisted search terms). In a report of a
single day it is that day's store-level figure: stored beside the rows, it is what the
query answers for the store (the coarsest level covering a scope wins), while each
campaign keeps its own rows. In a report of several days the row is a figure of the range
and is left out.
"""

from __future__ import annotations

from datetime import date

from opsboard.adapters.api import RawPoint, local_midnight
from opsboard_csv.dates import find_dates
from opsboard_csv.numbers import decimal_convention, normalise_cell
from opsboard_csv.periods import DataRow, FileContext
from opsboard_csv.profiles import HeaderMatch


def account_label(match: HeaderMatch, cells: list[str], columns: set[int]) -> bool:
    """True when ``cells`` is one of the profile's account total rows."""
    labels = {normalise_cell(t).casefold() for t in match.profile.account_totals}
    return any(normalise_cell(cells[i]).casefold() in labels for i in columns if i < len(cells))


def account_points(
    match: HeaderMatch,
    totals: list[DataRow],
    data: list[DataRow],
    days: list[date],
    stores: set[str],
    context: FileContext,
) -> tuple[list[RawPoint], str]:
    """The store-level points of the account total row, and a notice saying what became
    of it."""
    from opsboard_csv.points import metric_values

    label = normalise_cell(next(c for c in totals[0].cells if _is_label(c, match)))
    first, last = min(days), max(days)
    titled = find_dates(" ".join(" ".join(r) for r in context.titles), match.profile.slash_order)
    if titled:
        # The total covers the report's range, whatever days its rows have.
        first, last = min(first, *titled), max(last, *titled)
    if first != last:
        return [], (
            f"the {label!r} row covers {first} .. {last}, a figure of the whole range: "
            "not stored (the rows are)"
        )
    if len(totals) > 1 or len(stores) != 1:
        return [], f"{len(totals)} {label!r} rows (one per segment): not stored (the rows are)"
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
    points: list[RawPoint] = [
        (store, "day", ts, "", "", "", metric, value) for metric, value in values.items()
    ]
    return points, (
        f"the {label!r} row (line {totals[0].line}) is the account's own figure for {first}: "
        "stored as the store's figure, beside the rows"
    )


def _is_label(cell: str, match: HeaderMatch) -> bool:
    return normalise_cell(cell).casefold() in {
        normalise_cell(t).casefold() for t in match.profile.account_totals
    }
