"""The figures of a file's data rows: each row's store, scope and metric values.

Points of the same store, day and scope within one file are added up (two sources
feeding one channel, the ad groups of one campaign), except in formats whose rows are
one per day and scope (``unique_rows``): there a repeated row is refused, since adding it
would double the day. A dimension column always gives its rows a value: a missing cell
becomes ``(none)`` (no attribution, not a total), a cell meaning the whole store
(``all_values``, 淘宝联盟's 店铺整体) becomes ``""``.

Every level a file holds is stored, decided per day and scope, never per file: the
platform's own figure for a scope beside the rows that break it down, and rows that have
no finer breakdown as they are. The query engine takes, for each scope, the coarsest
figure that covers it and never adds two levels of one scope (DESIGN.md, Levels).

A profile with a ``term`` column (a customer search term) or a ``keyword`` column (a
targeted keyword) stores each row at that term or keyword under its campaign, and one with
a ``source`` column (a traffic source) under its channel; those points are handed over
apart (``fine_points``), below the campaign's or channel's own figures.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from opsboard.adapters.api import (
    MAX_TERM_LENGTH,
    N_,
    FinePoint,
    Names,
    RawPoint,
    RejectedInput,
    _,
    channel_of_source,
    local_midnight,
    span_grain,
    store_name_problem,
    text_problem,
)
from opsboard_csv.numbers import (
    Decimal,
    NumberError,
    decimal_convention,
    normalise_cell,
    parse_id,
    parse_number,
)
from opsboard_csv.periods import DataRow, Days, FileContext, key_of
from opsboard_csv.profiles import FieldSpec, HeaderMatch

#: The value of a plan or product cell that is missing (``-``, empty).
UNATTRIBUTED = "(none)"
#: (store, grain, day start, channel, campaign, sku, term, source, keyword, metric): the
#: scope of one point.
_Key = tuple[str, str, int, str, str, str, str, str, str, str]
#: (store, channel, campaign, sku, term, source, keyword): the scope of a row's figures.
_Scope = tuple[str, str, str, str, str, str, str]
#: (store, days, first-level cell): a group of a traffic-source tree.
_Group = tuple[str, tuple[date, date], str]
#: Rows looked at to decide the decimal convention of a file.
_CONVENTION_SAMPLE = 2000
_DIMENSIONS = ("channel", "source", "campaign", "sku", "keyword", "term")


@dataclass
class FilePoints:
    """What the rows of a file give: the points and the stores they name."""

    points: list[RawPoint]
    stores: set[str]
    #: The points of rows that name a search term or keyword (below its campaign) or a
    #: traffic source (below its channel).
    fine_points: list[FinePoint] = field(default_factory=list)
    #: Rows whose days were joined with overlapping rows of the same scope into one span.
    joined: int = 0
    #: The first and last days of the figures stored (after joining).
    days: set[Days] = field(default_factory=set)
    #: The names of the campaigns and SKUs of the rows (``name_of`` columns, title rows).
    names: Names = field(default_factory=dict)
    #: First levels of a traffic-source tree with no total row: their channels are the
    #: sums of their sources.
    summed_sources: list[str] = field(default_factory=list)


def dimension(spec: FieldSpec, role: str, cell: str, line: int, column: str) -> str:
    """The channel, traffic source, campaign, SKU, keyword or term a cell names (a
    source's total cell, ``汇总``, names none)."""
    if role == "source":
        source = normalise_cell(cell)
        if not source or source in ("-", "--"):
            return UNATTRIBUTED if spec.missing is None else spec.missing
        if source in {normalise_cell(v) for v in spec.keep}:
            return ""
        check_text(source, N_("traffic source"), line, column, typed=True)
        return source
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
            _("{problem}: the id was rounded when the file was saved in Excel").format(problem=exc),
            line=line,
            column=column,
            hint=_("download the report again and load it without opening it in Excel"),
        ) from None
    if text is None:
        return UNATTRIBUTED if spec.missing is None else spec.missing
    if normalise_cell(text) in spec.all_values:
        return ""
    check_text(text, _ID_LABELS.get(role, role), line, column, typed=role in ("term", "keyword"))
    return spec.prefix + text


#: How each kind of id is named in a refusal.
_ID_LABELS = {
    "campaign": N_("campaign id"),
    "sku": N_("SKU"),
    "term": N_("search term"),
    "keyword": N_("keyword"),
}
#: How the name of each kind of id is called in a refusal.
_NAME_LABELS = {"campaign": N_("campaign name"), "sku": N_("sku name")}


def check_text(
    text: str,
    what: str,
    line: int | None,
    column: str | None,
    *,
    name: bool = False,
    typed: bool = False,
) -> None:
    """``RejectedInput`` at ``line`` and ``column`` for an id (or a ``name``; ``typed``:
    a search term, keyword or traffic source) holding a control character or longer than
    any platform writes: it would be stored as it is and shown on every screen."""
    problem = text_problem(text, what, name=name, longest=MAX_TERM_LENGTH if typed else None)
    if problem is not None:
        raise RejectedInput(
            problem,
            line=line,
            column=column,
            hint=_(
                "no platform writes this: download the report again; if it was edited, "
                "remove the character (or shorten the cell) and load it again"
            ),
        )


def row_stores(match: HeaderMatch, data: list[DataRow], context: FileContext) -> list[str]:
    """The store of each row: the given one, or the row's own store column (checked)."""
    column = match.columns.get(key_of(match.profile, "store") or "")
    name_it = context.advice(
        _("name the store with --store"), _("drop it into the folder of its store")
    )
    if column is None:
        if context.store:
            return [context.store] * len(data)
        raise RejectedInput(
            _("{file}: the report ({title}) does not say which store it is for").format(
                file=context.file_name, title=match.profile.shown_title()
            ),
            hint=name_it,
        )
    header = match.headers[column]
    names = [normalise_cell(row.cell(column)) for row in data]
    first: dict[str, int] = {}
    for row, name in zip(data, names, strict=True):
        if name and name not in first:
            first[name] = row.line
            problem = None if context.store else store_name_problem(name)
            if problem:
                raise RejectedInput(
                    problem,
                    line=row.line,
                    column=header,
                    hint=name_it,
                )
    if context.store:
        if len(first) > 1:
            (a, line_a), (b, line_b) = list(first.items())[:2]
            raise RejectedInput(
                _(
                    "{file}: the file holds figures of several stores ({a!r} on "
                    "line {line_a}, {b!r} on line {line_b}), but {but}"
                ).format(
                    file=context.file_name,
                    a=a,
                    line_a=line_a,
                    b=b,
                    line_b=line_b,
                    but=context.advice(
                        _("--store names one"), _("its folder belongs to one store")
                    ),
                ),
                column=header,
                hint=context.advice(
                    _(
                        "leave out --store: the file is then split by its {header} column "
                        "(each name a store)"
                    ).format(header=header),
                    _(
                        "drop it into the parent drop folder (the one whose sub-folders are "
                        "named after stores): there it is split by its {header} column"
                    ).format(header=header),
                ),
            )
        return [context.store] * len(data)
    for row, name in zip(data, names, strict=True):
        if not name:
            raise RejectedInput(
                _("the row names no store"),
                line=row.line,
                column=header,
                hint=name_it,
            )
    return names


def file_points(
    match: HeaderMatch, data: list[DataRow], days: list[Days], context: FileContext
) -> FilePoints:
    """The points of the data rows (see the module docstring)."""
    profile, columns = match.profile, match.columns
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
    fixed = {
        "channel": profile.channel,
        "campaign": profile.campaign,
        "sku": profile.sku,
        "term": "",
        "source": "",
        "keyword": "",
    }
    fixed.update({k: v for k, v in match.titled.items() if k in fixed})
    for kind in ("campaign", "sku"):
        if kind in match.titled:
            what = _("{what} of the title rows").format(what=_(_ID_LABELS[kind]))
            check_text(match.titled[kind], what, None, None)
    stores = row_stores(match, data, context)
    named = [
        (spec.name_of, columns[k])
        for k, spec in profile.fields.items()
        if spec.name_of and k in columns and spec.name_of in dims
    ]
    names: Names = {}
    titled_names = {
        kind: match.titled[f"{kind}_name"]
        for kind in ("campaign", "sku")
        if f"{kind}_name" in match.titled and fixed.get(kind)
    }
    for kind, text in titled_names.items():
        what = _("{what} of the title rows").format(what=_(_NAME_LABELS[kind]))
        check_text(text, what, None, None, name=True)
        for store in set(stores):
            names[(store, kind, fixed[kind] or "")] = text
    keyed = _keyed_fields(match, metric_fields)
    taken: dict[tuple[object, ...], tuple[float, int]] = {}
    midnight: dict[date, int] = {}
    totals: dict[_Key, float] = defaultdict(float)
    pieces: dict[_Scope, dict[Days, dict[str, float]]] = {}
    tree = _SourceTree(match) if "source" in dims else None
    seen: dict[tuple[str, Days, str, str, str], int] = {}
    for row, (day, last), store in zip(data, days, stores, strict=True):
        scope = dict(fixed)
        for role, (key, spec) in dims.items():
            index = columns[key]
            cell = row.cell(index)
            if spec.combined_with:
                cell = f"{row.cell(columns.get(spec.combined_with))} {cell}".strip()
            scope[role] = dimension(spec, role, cell, row.line, match.headers[index])
        for kind, index in named:
            key = scope[kind] or ""
            text = row.cell(index).strip()
            if key and key != UNATTRIBUTED and text and text not in ("-", "--"):
                what = _NAME_LABELS.get(kind) or f"{kind} name"
                check_text(text, what, row.line, match.headers[index], name=True)
                names[(store, kind, key)] = text
        if profile.unique_rows:
            _check_unique(
                seen,
                (store, (day, last), scope["channel"], scope["campaign"], scope["sku"]),
                row,
            )
        values = metric_values(match, metric_fields, row, decimal)
        for metric, key_columns in keyed:
            if metric in values:
                at = (store, day, last, metric, *(row.cell(i).strip() for i in key_columns))
                _once_per_key(taken, at, values, metric, row)
        if tree is not None and not tree.place(scope, store, (day, last), row, values):
            continue
        _add(pieces, (store, scope["channel"], scope["campaign"], scope["sku"], scope["term"],
                      scope["source"], scope["keyword"]), (day, last), values)  # fmt: skip
    if tree is not None:
        for scope_key, days_, values in tree.totals():
            _add(pieces, scope_key, days_, values)
    merged = 0
    stored: set[Days] = set()
    spanned = profile.joined_spans and any(first != last for first, last in days)
    for (store, channel, campaign, sku, term, source, keyword), parts in pieces.items():
        joined = joined_spans(parts) if spanned else {}
        for own, sums in parts.items():
            day, last = joined.get(own, own)
            merged += (day, last) != own
            stored.add((day, last))
            if day not in midnight:
                midnight[day] = int(local_midnight(day, context.tz).timestamp())
            ts = midnight[day]
            grain = "day" if last == day else span_grain((last - day).days + 1)
            for metric, value in sums.items():
                totals[(store, grain, ts, channel, campaign, sku, term, source, keyword,
                        metric)] += value  # fmt: skip
    found: list[RawPoint] = []
    fine: list[FinePoint] = []
    for (
        store,
        grain,
        ts,
        channel,
        campaign,
        sku,
        term,
        source,
        keyword,
        metric,
    ), value in totals.items():
        if term or source or keyword:
            fine.append(FinePoint(store, grain, ts, channel, campaign, sku, metric, value,
                                  term, source, keyword))  # fmt: skip
        else:
            found.append((store, grain, ts, channel, campaign, sku, metric, value))
    summed = tree.without_total() if tree is not None else []
    return FilePoints(found, set(stores), fine, merged, stored, names, summed)


def _add(
    pieces: dict[_Scope, dict[Days, dict[str, float]]],
    scope: _Scope,
    days: Days,
    values: dict[str, float],
) -> None:
    _sum_into(pieces.setdefault(scope, {}).setdefault(days, {}), values)


def _sum_into(sums: dict[str, float], values: dict[str, float]) -> None:
    """Add ``values`` to ``sums``, metric by metric."""
    for metric, value in values.items():
        sums[metric] = sums.get(metric, 0.0) + value


class _SourceTree:
    """The first level of a traffic-source tree (生意参谋's 一级来源) and its sources.

    A source row goes under the channel of ``channel_of_source`` (its first level's
    channel where the table does not know it). A first level's total row (``汇总``) is held
    back until every row is read: where all its listed sources fall in its own channel, it
    is that channel's own figure (the sources lie below it, DESIGN 3 "Levels"); where they
    fall in several channels (淘内免费: 手淘搜索 is search, 手淘推荐 the feed), those
    channels are the sums of their sources, and only what the total holds beyond the listed
    sources is kept, as the source ``<first level> (其他)`` under the first level's channel.
    """

    def __init__(self, match: HeaderMatch) -> None:
        key = key_of(match.profile, "channel")
        self.column = match.columns[key] if key is not None else None
        source = key_of(match.profile, "source")
        #: Whether the report has total rows (``汇总``) at all.
        self.has_totals = source is not None and bool(match.profile.fields[source].keep)
        self.held: dict[_Group, tuple[str, dict[str, float]]] = {}
        self.listed: dict[_Group, dict[str, dict[str, float]]] = {}

    def place(
        self,
        scope: dict[str, str],
        store: str,
        days: tuple[date, date],
        row: DataRow,
        values: dict[str, float],
    ) -> bool:
        """Put the row's source under its channel (False: a total row, held back)."""
        group = (store, days, row.cell(self.column).strip() if self.column is not None else "")
        if not scope["source"]:
            _channel, held = self.held.setdefault(group, (scope["channel"], {}))
            _sum_into(held, values)
            return False
        scope["channel"] = channel_of_source(scope["source"], scope["channel"])
        _sum_into(self.listed.setdefault(group, {}).setdefault(scope["channel"], {}), values)
        return True

    def without_total(self) -> list[str]:
        """The first levels with listed sources and no total row, in order met (none
        where the report has no total rows at all)."""
        if not self.has_totals:
            return []
        held = {first for _store, _days, first in self.held}
        found = (first for _store, _days, first in self.listed)
        return [first for first in dict.fromkeys(found) if first not in held]

    def totals(self) -> Iterable[tuple[_Scope, Days, dict[str, float]]]:
        """The scopes the held-back total rows are stored at, with their figures."""
        for (store, days, first), (channel, values) in self.held.items():
            listed = self.listed.get((store, days, first), {})
            if set(listed) <= {channel}:
                yield (store, channel, "", "", "", "", ""), days, values
                continue
            rest = {
                metric: value - sum(sums.get(metric, 0.0) for sums in listed.values())
                for metric, value in values.items()
            }
            rest = {m: v for m, v in rest.items() if v > 1e-6 * max(1.0, values[m])}
            if rest:
                yield (store, channel, "", "", "", f"{first or channel} (其他)", ""), days, rest


def joined_spans(parts: Iterable[Days]) -> dict[Days, Days]:
    """For the days of a file's rows of one scope, the span each belongs to once rows
    whose days overlap are joined: such rows are finer pieces of the scope (search terms,
    ad groups, each with its own first and last day of activity), so their sum is the
    scope's figure over the joined span, and no piece is a figure of its own days."""
    joined: dict[Days, Days] = {}
    group: list[Days] = []
    end: date | None = None
    for part in [*sorted(parts), None]:
        if part is None or end is None or part[0] > end:
            if group:
                whole = (group[0][0], max(p[1] for p in group))
                joined.update((p, whole) for p in group)
            if part is None:
                break
            group, end = [part], part[1]
        else:
            group.append(part)
            end = max(end, part[1])
    return joined


def _check_parts(
    match: HeaderMatch,
    metric_fields: list[tuple[str, FieldSpec]],
    values: dict[str, float],
    metric: str,
    row: DataRow,
) -> None:
    """A metric added up from parts (amounts with discounts below zero) is rounded to the
    cent of its parts and must not come out negative."""
    total = round(values[metric], 6)
    values[metric] = 0.0 if total == 0 else total
    if total >= 0:
        return
    named = ", ".join(
        repr(match.headers[match.columns[k]]) for k, s in metric_fields if s.metric == metric
    )
    raise RejectedInput(
        _("{named} add up to {total:g}, a negative {metric}").format(
            named=named, total=total, metric=metric
        ),
        line=row.line,
        hint=_("check that the file is an unchanged download"),
    )


def _keyed_fields(
    match: HeaderMatch, metric_fields: list[tuple[str, FieldSpec]]
) -> list[tuple[str, list[int]]]:
    """The metrics whose figure lives at a coarser key than the rows (``per``), each with
    the columns of its key found in the file."""
    keyed = []
    for _key, spec in metric_fields:
        columns = [match.columns[k] for k in spec.per if k in match.columns]
        if columns and spec.metric:
            keyed.append((spec.metric, columns))
    return keyed


def _once_per_key(
    taken: dict[tuple[object, ...], tuple[float, int]],
    key: tuple[object, ...],
    values: dict[str, float],
    metric: str,
    row: DataRow,
) -> None:
    """Keep the first row's figure of a key and drop the repeats (they are the same
    figure, not more of it); a repeat that differs is refused."""
    value = values[metric]
    first = taken.setdefault(key, (value, row.line))
    if first[1] == row.line:
        return
    del values[metric]
    if not math.isclose(first[0], value, rel_tol=1e-9, abs_tol=1e-9):
        named = " / ".join(str(k) for k in key[3:])
        raise RejectedInput(
            _(
                "{metric} of {named} reads {value:g} here and {first:g} on line {line}: "
                "the report repeats this figure on every row of its key, so both rows must "
                "hold the same value"
            ).format(metric=metric, named=named, value=value, first=first[0], line=first[1]),
            line=row.line,
            hint=_("download the report again; if it was edited, restore the repeated values"),
        )


def _check_unique(
    seen: dict[tuple[str, Days, str, str, str], int],
    key: tuple[str, Days, str, str, str],
    row: DataRow,
) -> None:
    first = seen.setdefault(key, row.line)
    if first == row.line:
        return
    store, (day, last), *scope = key
    day_text = f"{day} .. {last}" if last != day else str(day)
    named = ", ".join(s for s in scope if s)
    raise RejectedInput(
        _(
            "the row repeats line {first}: both hold {days}{scope} (store {store}); adding "
            "them up would count the day twice"
        ).format(
            first=first,
            days=day_text,
            scope=_(" for {named}").format(named=named) if named else "",
            store=store,
        ),
        line=row.line,
        hint=_(
            "remove the repeated rows, or download the report again instead of pasting "
            "two downloads together"
        ),
    )


def metric_values(
    match: HeaderMatch,
    metric_fields: list[tuple[str, FieldSpec]],
    row: DataRow,
    decimal: Decimal,
) -> dict[str, float]:
    """The base metric values of one row; rates turned into counts where asked."""
    parsed: dict[str, float | None] = {}
    for key, spec in metric_fields:
        index = match.columns[key]
        try:
            value = parse_number(
                row.cell(index), spec.kind, decimal=decimal, dash_is_zero=spec.dash_is_zero
            )
        except NumberError as exc:
            raise RejectedInput(
                f"{exc} for {spec.metric}", line=row.line, column=match.headers[index]
            ) from None
        if value is not None and value < 0 and not spec.part:
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
    for _key, spec in metric_fields:
        if spec.part and spec.metric in values:
            _check_parts(match, metric_fields, values, spec.metric, row)
    for key, spec in metric_fields:
        if spec.times is None or not spec.metric or spec.metric in values:
            continue
        rate, base = parsed[key], parsed.get(spec.times)
        if rate is not None and base is not None:
            values[spec.metric] = math.floor(rate * base + 0.5)
    return values
