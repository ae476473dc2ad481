"""Turn the data rows under a recognised header into points, as the profile says.

Title, blank, note and total rows are skipped and counted; every number, date and id is
checked, and the first bad cell rejects the whole file with its line and column. Points
of the same scope and day within one file are added up (two sources feeding one channel),
and a file never yields two levels of the same figure.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date

from opsboard.adapters import ParsedFile
from opsboard.errors import RejectedInput
from opsboard.storage.store import RawPoint
from opsboard.timeutil import local_midnight
from opsboard_csv.containers import Table
from opsboard_csv.numbers import (
    NumberError,
    decimal_convention,
    normalise_cell,
    parse_id,
    parse_number,
)
from opsboard_csv.periods import DataRow, FileContext, has_date_column, key_of, row_days
from opsboard_csv.profiles import FieldSpec, HeaderMatch, Profile, normalise_header

HEADER_ONLY = "header only: no data rows yet (T+1 data is not ready before the next day)"
#: Rows looked at to decide the decimal convention of a file.
_CONVENTION_SAMPLE = 2000
#: (store, day start, channel, campaign, sku, metric): the scope of one point.
_Key = tuple[str, int, str, str, str, str]
_DIMENSIONS = ("channel", "campaign", "sku")


def _is_total(text: str, markers: list[str]) -> bool:
    cell = normalise_cell(text).casefold()
    for marker in markers:
        if cell == marker:
            return True
        if cell.startswith(marker) and cell[len(marker) :].lstrip().startswith((":", "：")):
            return True
    return False


def _width(header: list[str]) -> int:
    """The number of columns the header really names (Excel pads rows with empty cells)."""
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1
    return width


def extract(table: Table, match: HeaderMatch, context: FileContext) -> ParsedFile:
    """The points of ``table`` read with the matched profile; see the module docstring."""
    profile = match.profile
    columns = match.columns
    header = table.rows[match.row]
    header_line = table.lines[match.row]
    _check_refusals(profile, header, header_line)
    context.titles = table.rows[: match.row]
    width = _width(header)
    markers = [m.casefold() for m in profile.totals]
    total_columns = {0} | {
        columns[k]
        for k, spec in profile.fields.items()
        if k in columns and spec.role in ("date", "campaign", "sku")
    }
    skipped = match.row  # title and blank rows above the header
    finer = 0
    data: list[DataRow] = []
    body = list(zip(table.lines[match.row + 1 :], table.rows[match.row + 1 :], strict=True))
    for position, (line, cells) in enumerate(body):
        filled = [c for c in cells if c.strip()]
        last = position == len(body) - 1
        if last and not table.complete and filled and len(cells) < width:
            raise RejectedInput(
                f"{context.file_name}: the last line is cut off: it has {len(cells)} of "
                f"{width} fields and the file does not end with a newline",
                line=line,
                hint="the download was interrupted or the file is still being written: "
                "download the report again",
            )
        if len(filled) <= 1 and not _single_cell_is_data(profile, columns, cells):
            skipped += 1
            continue
        if any(_is_total(cells[i], markers) for i in total_columns if i < len(cells)):
            skipped += 1
            continue
        if not _kept(profile, columns, cells):
            finer += 1
            continue
        data.append(DataRow(line, cells))
    notices: list[str] = list(context.notes)
    if finer:
        notices.append(f"{finer} finer breakdown rows skipped (their totals were loaded)")
        skipped += finer
    if not data:
        return ParsedFile(
            format=profile.name,
            store=context.store or "",
            points=[],
            rows=0,
            skipped=skipped,
            notices=[HEADER_ONLY, *notices],
        )
    if not context.store and key_of(profile, "store") not in columns:
        raise RejectedInput(
            f"{context.file_name}: the report ({profile.title}) does not say which store it is for",
            hint="name the store with --store",
        )
    days = row_days(profile, match, data, context)
    if context.day is not None and has_date_column(profile, match):
        notices.append(f"the file has its own dates: --date {context.day} was not used")
    points, level_notice = _points(profile, match, data, days, context)
    if level_notice:
        notices.append(level_notice)
    stores = {point[0] for point in points}
    return ParsedFile(
        format=profile.name,
        store=context.store or (stores.pop() if len(stores) == 1 else ""),
        points=points,
        rows=len(data),
        skipped=skipped,
        notices=notices,
        period=(min(days), max(days)),
    )


def _single_cell_is_data(profile: Profile, columns: dict[str, int], cells: list[str]) -> bool:
    """A row with one filled cell is data only when that cell is a metric."""
    metric_columns = {columns[k] for k, s in profile.fields.items() if k in columns and s.metric}
    return any(cells[i].strip() for i in metric_columns if i < len(cells))


def _kept(profile: Profile, columns: dict[str, int], cells: list[str]) -> bool:
    for key, spec in profile.fields.items():
        if spec.role != "filter" or not spec.keep or key not in columns:
            continue
        index = columns[key]
        value = normalise_cell(cells[index]) if index < len(cells) else ""
        if value not in spec.keep:
            return False
    return True


def _check_refusals(profile: Profile, header: list[str], line: int) -> None:
    present = {normalise_header(c): c for c in header}
    for refusal in profile.refuse:
        for name in refusal.headers:
            if normalise_header(name) in present:
                raise RejectedInput(
                    refusal.reason,
                    line=line,
                    column=present[normalise_header(name)],
                    hint=refusal.hint,
                )


def _dimension(spec: FieldSpec, role: str, cell: str, line: int, column: str) -> str:
    if role == "channel":
        value = normalise_cell(cell).casefold()
        for name, channel in spec.map.items():
            if value.startswith(normalise_cell(name).casefold()):
                return channel
        return spec.default or "other"
    try:
        text = parse_id(cell)
    except NumberError as exc:
        raise RejectedInput(
            f"{exc}: the id was rounded when the file was saved in Excel",
            line=line,
            column=column,
            hint="download the report again and load it without opening it in Excel",
        ) from None
    if text is None:
        return spec.missing or ""
    if normalise_cell(text) in spec.all_values:
        return ""
    return text


def _points(
    profile: Profile,
    match: HeaderMatch,
    data: list[DataRow],
    days: list[date],
    context: FileContext,
) -> tuple[list[RawPoint], str]:
    columns = match.columns
    metric_fields = [
        (k, s) for k, s in profile.fields.items() if s.role == "metric" and k in columns
    ]
    sample = data[:_CONVENTION_SAMPLE]
    money = [row.cell(columns[k]) for k, s in metric_fields if s.kind == "money" for row in sample]
    decimal = decimal_convention(money)
    dims = {
        role: (key, profile.fields[key])
        for role in _DIMENSIONS
        if (key := key_of(profile, role)) is not None and key in columns
    }
    midnight: dict[date, int] = {}
    totals: dict[_Key, float] = defaultdict(float)
    store_key = key_of(profile, "store")
    store_column = columns.get(store_key or "")
    for row, day in zip(data, days, strict=True):
        store = context.store or _row_store(row, store_column, match)
        scope = {"channel": profile.channel, "campaign": "", "sku": ""}
        for role, (key, spec) in dims.items():
            index = columns[key]
            scope[role] = _dimension(spec, role, row.cell(index), row.line, match.headers[index])
        parsed: dict[str, float | None] = {}
        for key, spec in metric_fields:
            index = columns[key]
            try:
                value = parse_number(
                    row.cell(index), spec.kind, decimal=decimal, dash_is_zero=spec.dash_is_zero
                )
            except NumberError as exc:
                raise RejectedInput(
                    f"{exc} for {spec.metric}", line=row.line, column=match.headers[index]
                ) from None
            if value is not None and value < 0:
                raise RejectedInput(
                    f"found {row.cell(index).strip()!r}, a negative {spec.metric}",
                    line=row.line,
                    column=match.headers[index],
                )
            parsed[key] = value
        values: dict[str, float] = {}
        for key, spec in metric_fields:
            if spec.times is None and parsed[key] is not None and spec.metric:
                values[spec.metric] = values.get(spec.metric, 0.0) + float(parsed[key] or 0.0)
        for key, spec in metric_fields:
            if spec.times is None or not spec.metric or spec.metric in values:
                continue
            rate, base = parsed[key], parsed.get(spec.times)
            if rate is not None and base is not None:
                values[spec.metric] = math.floor(rate * base + 0.5)
        if day not in midnight:
            midnight[day] = int(local_midnight(day, context.tz).timestamp())
        ts = midnight[day]
        for metric, value in values.items():
            totals[(store, ts, scope["channel"], scope["campaign"], scope["sku"], metric)] += value
    return _one_level(totals)


def _row_store(row: DataRow, column: int | None, match: HeaderMatch) -> str:
    """The store named by a row's store column (when no store was given)."""
    name = normalise_cell(row.cell(column)) if column is not None else ""
    if not name:
        where = match.headers[column] if column is not None else None
        raise RejectedInput(
            "the row names no store",
            line=row.line,
            column=where,
            hint="name the store with --store",
        )
    return name


def _one_level(totals: dict[_Key, float]) -> tuple[list[RawPoint], str]:
    """The points, keeping for each metric only its finest level present in the file."""
    levels: dict[str, set[int]] = defaultdict(set)

    def level(key: _Key) -> int:
        """Which of channel, campaign and SKU the point is broken down by, as bits."""
        return (key[2] != "") | (key[3] != "") << 1 | (key[4] != "") << 2

    for key in totals:
        levels[key[5]].add(level(key))
    finest = {
        metric: max(found, key=lambda b: (bin(b).count("1"), b)) for metric, found in levels.items()
    }
    dropped = 0
    points: list[RawPoint] = []
    for key, value in totals.items():
        store, ts, channel, campaign, sku, metric = key
        if level(key) != finest[metric]:
            dropped += 1
            continue
        points.append((store, "day", ts, channel, campaign, sku, metric, value))
    notice = (
        f"{dropped} store-wide figures skipped: the file also breaks them down, and the "
        "breakdown was loaded"
        if dropped
        else ""
    )
    return points, notice
