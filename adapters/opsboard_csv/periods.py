"""The days each row of a report covers: its own date column, or the days of the file.

Reports without a date column take their day from ``--date``, their title rows or their
file name, in the order the profile gives; in a drop folder, where there is no
``--date``, the file name takes its place (``BusinessReport_2026-06-18.csv``). A row or a
file covering several days in one figure (a summary report over a range: ``Start Date``
/ ``End Date`` columns, a range in a cell or in the title rows) covers that span of whole
days, and its figures are stored as figures of the span (DESIGN.md section 3); ``--date``
never puts a span on one day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo

from opsboard.adapters.api import N_, RejectedInput, _
from opsboard_csv.containers import DEFAULT_MAX_BYTES
from opsboard_csv.dates import DateError, check_plausible, find_dates, parse_date, slash_order
from opsboard_csv.profiles import HeaderMatch, Profile, normalise_header


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


#: The first and last day a row's figures cover (the same day for a day's figures).
Days = tuple[date, date]


def row_days(
    profile: Profile, match: HeaderMatch, data: list[DataRow], context: FileContext
) -> list[Days]:
    """The first and last day of each data row: from its date column (and end date
    column), or the days of the file."""
    if has_date_column(profile, match):
        key = key_of(profile, "date") or ""
        index = match.columns[key]
        column = match.headers[index]
        covers = {normalise_header(h): p for h, p in profile.fields[key].covers.items()}
        period = covers.get(normalise_header(column))
        cells = [row.cell(index) for row in data]
        order = slash_order(cells, profile.slash_order)
        days: list[Days] = []
        seen: dict[str, Days] = {}
        for row, cell in zip(data, cells, strict=True):
            if cell in seen:
                days.append(seen[cell])
                continue
            try:
                day = parse_date(cell, order)
                if day is None:
                    raise DateError(_("the date is empty"))
                found = (day, day)
            except DateError as exc:
                ranged = _range_cell(cell, order)
                if ranged is None:
                    raise RejectedInput(str(exc), line=row.line, column=column) from None
                found = ranged
            for day in found:
                try:
                    check_plausible(day, context.today)
                except DateError as exc:
                    raise RejectedInput(str(exc), line=row.line, column=column) from None
            if period is not None:
                found = _month_days(found[0], row, column, profile, context)
            seen[cell] = found
            days.append(found)
        return _with_end_dates(profile, match, data, days)
    first, last = _file_days(profile, match, context)
    for day in (first, last):
        try:
            check_plausible(day, context.today)
        except DateError as exc:
            raise RejectedInput(
                _("{file}: {problem}").format(file=context.file_name, problem=exc)
            ) from None
    return [(first, last)] * len(data)


def _month_days(
    first: date, row: DataRow, column: str, profile: Profile, context: FileContext
) -> Days:
    """The days a month row covers: from its first day to the month's last, cut to the
    days the file name names (an export of 2024-01-01 .. 2024-12-12 holds 12 days of
    December) and to today."""
    if first.day != 1:
        raise RejectedInput(
            _("{day} does not start a month").format(day=first),
            line=row.line,
            column=column,
            hint=_("export the report again grouped by Month or by Day"),
        )
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    last = min(following - timedelta(days=1), context.today)
    named = _named_days("file_name", profile, context)
    if named is not None and named[0] != named[1]:
        first, last = max(first, named[0]), min(last, named[1])
    if last < first:
        raise RejectedInput(
            _(
                "the month of {day} lies outside the days the file name names ({first} .. {last})"
            ).format(day=first, first=named[0], last=named[1])
            if named
            else _("the month of {day} has not begun").format(day=first),
            line=row.line,
            column=column,
            hint=_("keep the file name Shopify gives the export (it names the days exported)"),
        )
    return first, last


def _with_end_dates(
    profile: Profile, match: HeaderMatch, data: list[DataRow], days: list[Days]
) -> list[Days]:
    """The rows' days with their ``End Date``: a row whose end date is after its start
    date is a figure of that span. Only a ``Start Date`` column has its end in ``End
    Date``: beside a ``Date`` column, ``End Date`` is the campaign's end, not the row's."""
    index = match.columns.get(key_of(profile, "end_date") or "")
    start = match.columns.get(key_of(profile, "date") or "")
    if index is None or start is None or not _is_start(match.headers[start]):
        return days
    cells = [row.cell(index) for row in data]
    order = slash_order(cells, profile.slash_order)
    ended: list[Days] = []
    for row, cell, (day, until) in zip(data, cells, days, strict=True):
        try:
            last = parse_date(cell, order)
        except DateError as exc:
            raise RejectedInput(str(exc), line=row.line, column=match.headers[index]) from None
        if last is None or last == until:
            ended.append((day, until))
        elif last < day or until != day:
            raise RejectedInput(
                _("the row's end date {last} does not follow its start {day}").format(
                    last=last, day=day
                ),
                line=row.line,
                column=match.headers[index],
                hint=_("download the report again; if it was edited, restore the dates"),
            )
        else:
            ended.append((day, last))
    return ended


def _is_start(header: str) -> bool:
    """True for a ``Start Date`` header (in the languages the profiles know)."""
    text = header.strip().casefold()
    return text.startswith("start") or text.startswith("début") or text.startswith("beginn")


def _a(title: str) -> str:
    """``title`` with its indefinite article: "an Amazon ...", "a Google Ads ..."."""
    return ("an " if title[:1] in "AEIOU" else "a ") + title


def has_date_column(profile: Profile, match: HeaderMatch) -> bool:
    """True when the file's rows carry their own dates."""
    key = key_of(profile, "date")
    return key is not None and key in match.columns and "column" in profile.date_from


def _range_cell(cell: str, order: str) -> Days | None:
    """The first and last day of a ``Jul 6, 2026 - Jul 13, 2026`` cell (None: not a range,
    or the days in the wrong order)."""
    found = find_dates(cell, "dmy" if order == "dmy" else "mdy")
    if len(found) != 2 or found[1] < found[0]:
        return None
    return found[0], found[1]


def _named_days(source: str, profile: Profile, context: FileContext) -> Days | None:
    """The first and last day the title rows or the file name name (None: no date)."""
    if source == "title":
        text = " ".join(" ".join(r) for r in context.titles)
        found = find_dates(text, profile.slash_order)
    elif source == "file_name":
        found = []
        for name in [*reversed(context.inner_names), context.file_name]:
            found = find_dates(name.rsplit("/", 1)[-1])
            if found:
                break
    else:
        return None
    if not found:
        return None
    first, last = found[0], found[min(1, len(found) - 1)]
    return min(first, last), max(first, last)


#: Where a report names the days it covers, as a message says it.
_PLACES = {"title": N_("its title rows"), "file_name": N_("its file name")}


def _file_days(profile: Profile, match: HeaderMatch, context: FileContext) -> Days:
    """The days a report without a date column covers: the span its title rows or file
    name name (which wins over ``--date``, and a ``--date`` outside it is an error), else
    one day from the first of the profile's sources that names one."""
    sources = [s for s in profile.date_sources(dropped=context.dropped) if s != "column"]
    named = {source: _named_days(source, profile, context) for source in sources}
    for source, found in named.items():
        if found is None or found[0] == found[1]:
            continue
        first, last = found
        place = _PLACES["title" if source == "title" else "file_name"]
        where = _(place)
        if context.day is not None:
            if not first <= context.day <= last:
                raise RejectedInput(
                    _(
                        "{file}: {where} say the report covers {first} .. {last}, "
                        "and --date {day} is not in it"
                    ).format(
                        file=context.file_name, where=where, first=first, last=last, day=context.day
                    ),
                    hint=_(
                        "leave out --date: a report over a range loads as a figure of its "
                        "range, never of one day"
                    ),
                )
            context.notes.append(
                _(
                    "the report covers {first} .. {last} ({where}): --date {day} was "
                    "not used (a figure of a range is never put on one day)"
                ).format(first=first, last=last, where=where, day=context.day)
            )
        return first, last
    for source in sources:
        if source == "option" and context.day is not None:
            return context.day, context.day
        found = named.get(source)
        if found is not None:
            return found
    looked = [_(_PLACES[s]) for s in sources if s in _PLACES]
    where = (
        _(", and no day is named in {places}").format(places=_(" or ").join(looked))
        if looked
        else ""
    )
    stem, dot, suffix = context.file_name.rpartition(".")
    if "option" not in sources:
        # A report over a range: --date would put its figures on one day.
        example = f"{stem or context.file_name} - 2026-06-01 - 2026-06-30.{suffix or 'csv'}"
        raise RejectedInput(
            _(
                "{file}: the report ({title}) holds figures of the days it "
                "was exported for, and names none{where}"
            ).format(file=context.file_name, title=profile.shown_title(), where=where),
            hint=_(
                "put the first and last day in the file name, e.g. {example!r}, as the "
                "platform names its export, and load it again"
            ).format(example=example),
        )
    example = f"{stem}_2026-06-18.{suffix}" if dot else f"{context.file_name}_2026-06-18"
    raise RejectedInput(
        _("{file}: the report ({title}) has no date column{where}").format(
            file=context.file_name, title=profile.shown_title(), where=where
        ),
        hint=context.advice(
            _("give the day the report covers with --date YYYY-MM-DD"),
            _(
                "put the day the report covers in the file name, e.g. "
                "{example}, and drop it into the folder again"
            ).format(example=example),
        ),
    )
