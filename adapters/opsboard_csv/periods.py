"""The day each row of a report covers: its own date column, or the one day of the file.

Reports without a date column take their day from ``--date``, their title rows or their
file name, in the order the profile gives; in a drop folder, where there is no
``--date``, the file name takes its place (``BusinessReport_2026-06-18.csv``). A row or a
file covering several days in one figure is refused, because opsboard stores one figure
per day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, tzinfo

from opsboard.adapters.api import RejectedInput
from opsboard_csv.containers import DEFAULT_MAX_BYTES
from opsboard_csv.dates import DateError, check_plausible, find_dates, parse_date, slash_order
from opsboard_csv.profiles import HeaderMatch, Profile


@dataclass
class FileContext:
    """What the reader knows of a file besides its rows."""

    file_name: str
    store: str | None
    tz: tzinfo
    day: date | None
    today: date
    inner_names: list[str] = field(default_factory=list)
    titles: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dropped: bool = False
    """The file came from a drop folder: no --date, --store or --format there."""
    max_bytes: int = DEFAULT_MAX_BYTES

    def advice(self, option: str, folder: str) -> str:
        """What to do, said for the command line or for a drop folder."""
        return folder if self.dropped else option


@dataclass
class DataRow:
    """One data row: its cells and the line (or sheet row) where it starts."""

    line: int
    cells: list[str]

    def cell(self, index: int | None) -> str:
        """The cell at ``index``; empty where the row is short or there is no column."""
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index]


def key_of(profile: Profile, role: str) -> str | None:
    """The field of ``profile`` with ``role``, if any."""
    return next((k for k, s in profile.fields.items() if s.role == role), None)


def row_days(
    profile: Profile, match: HeaderMatch, data: list[DataRow], context: FileContext
) -> list[date]:
    """The day of each data row: from its date column, or the one day of the file."""
    if has_date_column(profile, match):
        index = match.columns[key_of(profile, "date") or ""]
        column = match.headers[index]
        cells = [row.cell(index) for row in data]
        order = slash_order(cells, profile.slash_order)
        days = []
        seen: dict[str, date] = {}
        for row, cell in zip(data, cells, strict=True):
            if cell in seen:
                days.append(seen[cell])
                continue
            try:
                day = parse_date(cell, order)
                if day is None:
                    raise DateError("the date is empty")
            except DateError as exc:
                day = _single_day_range(cell, order, row.line, column)
                if day is None:
                    raise RejectedInput(str(exc), line=row.line, column=column) from None
            try:
                check_plausible(day, context.today)
            except DateError as exc:
                raise RejectedInput(str(exc), line=row.line, column=column) from None
            seen[cell] = day
            days.append(day)
        _check_end_dates(profile, match, data, days)
        return days
    day = _file_day(profile, match, context)
    try:
        check_plausible(day, context.today)
    except DateError as exc:
        raise RejectedInput(f"{context.file_name}: {exc}") from None
    return [day] * len(data)


def _check_end_dates(
    profile: Profile, match: HeaderMatch, data: list[DataRow], days: list[date]
) -> None:
    """Refuse rows whose end date is not their start date: they sum several days."""
    index = match.columns.get(key_of(profile, "end_date") or "")
    if index is None:
        return
    cells = [row.cell(index) for row in data]
    order = slash_order(cells, profile.slash_order)
    for row, cell, day in zip(data, cells, days, strict=True):
        try:
            last = parse_date(cell, order)
        except DateError as exc:
            raise RejectedInput(str(exc), line=row.line, column=match.headers[index]) from None
        if last is not None and last != day:
            raise RejectedInput(
                f"{_a(profile.title)} over a date range: the row covers {day} .. {last} "
                f"({(last - day).days + 1} days) in one figure; reports over a range are not "
                "read yet (opsboard stores figures per day)",
                line=row.line,
                column=match.headers[index],
                hint="download the report with a daily time unit (one row per day, Start "
                "Date = End Date)",
            )


def _a(title: str) -> str:
    """``title`` with its indefinite article: "an Amazon ...", "a Google Ads ..."."""
    return ("an " if title[:1] in "AEIOU" else "a ") + title


def has_date_column(profile: Profile, match: HeaderMatch) -> bool:
    """True when the file's rows carry their own dates."""
    key = key_of(profile, "date")
    return key is not None and key in match.columns and "column" in profile.date_from


def _single_day_range(cell: str, order: str, line: int, column: str) -> date | None:
    """The day of a ``Jul 6, 2026 - Jul 6, 2026`` cell; a longer range is refused."""
    found = find_dates(cell, "dmy" if order == "dmy" else "mdy")
    if len(found) != 2:
        return None
    first, last = found
    if first == last:
        return first
    raise RejectedInput(
        f"the row covers {first} .. {last} ({(last - first).days + 1} days) in one figure; "
        "opsboard stores one figure per day",
        line=line,
        column=column,
        hint="download the report with a daily time unit (one row per day)",
    )


def _file_day(profile: Profile, match: HeaderMatch, context: FileContext) -> date:
    """The one day a report without a date column covers."""
    sources = [s for s in profile.date_sources(dropped=context.dropped) if s != "column"]
    if "option" in sources and context.day is not None:
        return context.day
    for source in sources:
        if source == "title":
            text = " ".join(" ".join(r) for r in context.titles)
            found = find_dates(text, profile.slash_order)
            where = "its title rows"
        elif source == "file_name":
            found = []
            for name in [*reversed(context.inner_names), context.file_name]:
                found = find_dates(name.rsplit("/", 1)[-1])
                if found:
                    break
            where = "its file name"
        else:
            continue
        if not found:
            continue
        first, last = found[0], found[min(1, len(found) - 1)]
        if first != last:
            raise RejectedInput(
                f"{context.file_name}: {_a(profile.title)} over a date range: {where} say it "
                f"covers {first} .. {last} ({abs((last - first).days) + 1} days) and it has "
                "no date column, so its rows are totals of the whole range; reports over a "
                "range are not read yet (opsboard stores figures per day, and --date cannot "
                "put a range on one day)",
                hint="download the report again segmented by day (Google Ads: Segment → "
                "Time → Day), or for a single day",
            )
        return first
    places = {"title": "its title rows", "file_name": "its file name"}
    looked = [places[s] for s in sources if s in places]
    where = f", and no day is named in {' or '.join(looked)}" if looked else ""
    stem, dot, suffix = context.file_name.rpartition(".")
    example = f"{stem}_2026-06-18.{suffix}" if dot else f"{context.file_name}_2026-06-18"
    raise RejectedInput(
        f"{context.file_name}: the report ({profile.title}) has no date column{where}",
        hint=context.advice(
            "give the day the report covers with --date YYYY-MM-DD",
            "put the day the report covers in the file name, e.g. "
            f"{example}, and drop it into the folder again",
        ),
    )
