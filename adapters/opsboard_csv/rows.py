"""Turn the data rows under a recognised header into points, as the profile says.

Title, blank, note and total rows are skipped and counted; every number, date and id is
checked, and the first bad cell rejects the whole file with its line and column. A text
row with more cells than the header is refused (its values would land in the wrong
columns), and so is a text file whose last line has no newline (it may be cut off inside
its last number). ``points`` turns the kept rows into figures and ``grains`` keeps two
grains of one report apart.
"""

from __future__ import annotations

import re
from collections import defaultdict

from opsboard.adapters.api import N_, OTHER_TERMS, FinePoint, ParsedFile, RejectedInput, _
from opsboard_csv.account_totals import account_label, account_points
from opsboard_csv.containers import DELIMITER_OF, Table
from opsboard_csv.dates import find_dates
from opsboard_csv.errors import MISSING_COLUMN, IncompleteFile
from opsboard_csv.grains import exclusive_points
from opsboard_csv.numbers import normalise_cell
from opsboard_csv.periods import DataRow, FileContext, has_date_column, key_of, row_days
from opsboard_csv.points import file_points
from opsboard_csv.profiles import HeaderMatch, Profile, normalise_header, title_text

HEADER_ONLY = N_("header only: no data rows yet (T+1 data is not ready before the next day)")


def _is_total(text: str, markers: list[str]) -> bool:
    cell = normalise_cell(text).casefold()
    for marker in markers:
        if cell == marker:
            return True
        if cell.startswith(marker) and cell[len(marker) :].lstrip().startswith((":", "：")):
            return True
    return False


def _is_labelled_total(text: str) -> bool:
    """A ``Total: …`` label (with its colon) in a cell that may otherwise hold data."""
    cell = normalise_cell(text).casefold()
    return cell.startswith("total") and cell[5:].lstrip().startswith(":")


def _width(cells: list[str]) -> int:
    """The number of cells up to the last filled one (Excel pads rows with empty cells)."""
    width = len(cells)
    while width and not cells[width - 1].strip():
        width -= 1
    return width


def _check_complete(table: Table, match: HeaderMatch, width: int, context: FileContext) -> None:
    """``IncompleteFile`` for a table that was cut off by its writer.

    A download is judged by its last row, never by a missing final newline alone (Amazon
    and Shopify end their files without one): a last row with fewer fields than the
    header, an open quote, or a last cell that stops where its column's cells go on (an
    amount with fewer decimals than every other, a trailing separator, a cell empty where
    every other row has a value) is a cut.
    """
    if table.complete or len(table.rows) <= match.row + 1:
        return
    line, cells = table.lines[-1], table.rows[-1]
    hint = _(
        "the download was interrupted or the file is still being written: download the report again"
    )
    if table.container == "html":
        raise IncompleteFile(
            _(
                "{file}: the page ends before its table does (no </table>): the file is cut off"
            ).format(file=context.file_name),
            line=line,
            hint=hint,
        )
    found = _cut_sign(table, match, width, cells)
    if found is None:
        return
    raise IncompleteFile(
        _("{file}: the last line is cut off: {sign}").format(file=context.file_name, sign=found),
        line=line,
        hint=hint,
    )


_DECIMALS = re.compile(r"[.,](\d+)\D*$")


def _cut_sign(table: Table, match: HeaderMatch, width: int, cells: list[str]) -> str | None:
    """What shows that the last row (no newline after it) was cut, or None."""
    if table.open_quote:
        return _("it ends inside a quoted cell (the closing quote never came)")
    if len(cells) < width:
        return _("it has {found} of {width} fields").format(found=len(cells), width=width)
    index = width - 1
    last = cells[index].strip() if index < len(cells) else ""
    above = [
        row[index].strip() for row in table.rows[match.row + 1 : -1][-200:] if index < len(row)
    ]
    if not last:
        # Cut just after its last separator: every cell before is there, this one not.
        if above and all(above) and all(c.strip() for c in cells[:index]):
            return _("its last cell is empty, where every other row has a value")
        return None
    if last[-1] in ",.$£€¥₹" or last.endswith(("Rs", "Rs.")):
        return _("its last cell reads {last!r}, the start of a longer value").format(last=last)
    decimals = {len(m.group(1)) if (m := _DECIMALS.search(c)) else 0 for c in above if c}
    if len(decimals) == 1:
        (usual,) = decimals
        mine = _DECIMALS.search(last)
        if usual and (0 if mine is None else len(mine.group(1))) < usual:
            return _(
                "its last cell reads {last!r}, shorter than the column's other amounts "
                "({usual} decimals): the start of a longer value"
            ).format(last=last, usual=usual)
    return None


def _check_width(table: Table, line: int, cells: list[str], width: int) -> None:
    """Refuse a text row with filled cells beyond the header: its values are shifted."""
    if table.container not in DELIMITER_OF or len(cells) <= width:
        return
    filled = _width(cells)
    if filled <= width:
        return
    delimiter = DELIMITER_OF[table.container]
    extra = next(c.strip() for c in cells[width:] if c.strip())
    raise RejectedInput(
        _(
            "found {filled} cells, expected {width} (one per header column): the row has "
            "values past the last column (the first reads {extra!r}), so its values do not "
            "line up with their headers; a value written without quotes around its "
            "{delimiter!r} (1{delimiter}234.00) splits in two like this"
        ).format(filled=filled, width=width, extra=extra, delimiter=delimiter),
        line=line,
        hint=_(
            "download the report again; if it was edited, quote values that hold "
            "{delimiter!r} (or save it as XLSX)"
        ).format(delimiter=delimiter),
    )


def extract(table: Table, match: HeaderMatch, context: FileContext) -> ParsedFile:
    """The points of ``table`` read with the matched profile; see the module docstring."""
    profile = match.profile
    columns = match.columns
    header = table.rows[match.row]
    context.titles = table.rows[: match.row]
    _check_refusals(profile, header, table.lines[: match.row + 1], context.titles)
    width = _width(header)
    _check_complete(table, match, width, context)
    markers = [m.casefold() for m in profile.totals]
    labelled: set[int] = set()
    total_columns = {0} | {
        columns[k]
        for k, spec in profile.fields.items()
        if k in columns and spec.role in ("date", "campaign", "sku", "keyword", "term")
    }
    if profile.account_totals or profile.other_terms:
        # Google Ads puts the label of some `Total:` rows in the second or third cell (a
        # keyword report's, after empty cells or the Device segment).
        labelled = {1, 2} - total_columns
        total_columns |= labelled
    skipped = match.row  # title and blank rows above the header
    compared = 0
    date_column = columns.get(key_of(profile, "date") or "")
    metric_columns = [columns[k] for k, s in profile.fields.items() if k in columns and s.metric]
    data: list[DataRow] = []
    accounts: list[DataRow] = []
    others: list[DataRow] = []
    for line, cells in zip(table.lines[match.row + 1 :], table.rows[match.row + 1 :], strict=True):
        _check_width(table, line, cells, width)
        filled = [c for c in cells if c.strip()]
        if len(filled) <= 1 and not _single_cell_is_data(profile, columns, cells):
            skipped += 1
            continue
        if any(
            _is_total(cells[i], markers) if i not in labelled else _is_labelled_total(cells[i])
            for i in total_columns
            if i < len(cells)
        ):
            skipped += 1
            if profile.account_totals and account_label(match, cells, total_columns):
                accounts.append(DataRow(line, cells))
            elif profile.other_terms and account_label(
                match, cells, total_columns, profile.other_terms
            ):
                others.append(DataRow(line, cells))
            continue
        if date_column is not None and _undated_and_empty(cells, date_column, metric_columns):
            compared += 1
            continue
        data.append(DataRow(line, cells))
    if compared:
        skipped += compared
        context.notes.append(
            _(
                "{count} row(s) without a date and without figures skipped (a comparison "
                "period's extra day)"
            ).format(count=compared)
        )
    notices: list[str] = [*context.notes, *missing_expected(match)]
    data, finer, summed = _group_totals(match, data)
    if finer:
        notices.append(
            _("{count} finer breakdown rows skipped (their totals were loaded)").format(count=finer)
        )
        skipped += finer
    if summed:
        notices.append(summed)
    if not data:
        return ParsedFile(
            format=profile.name,
            store=context.store or "",
            points=[],
            rows=0,
            skipped=skipped,
            notices=[_(HEADER_ONLY), *notices],
        )
    noted = len(context.notes)
    days = row_days(profile, match, data, context)
    notices += context.notes[noted:]
    if context.day is not None and has_date_column(profile, match):
        notices.append(
            _("the file has its own dates: --date {day} was not used").format(day=context.day)
        )
    found = file_points(match, data, days, context)
    if found.summed_sources:
        named = _some(found.summed_sources)
        notices.append(
            _(
                "no 汇总 row for {named}: their channels are their sources added up (a visitor "
                "who came by two of them counts in both)"
            ).format(named=named)
        )
    if found.joined:
        notices.append(
            _(
                "{count} group(s) of rows over days that overlap other rows of the same scope "
                "(finer rows: terms, ad groups) were added up into the span they cover together"
            ).format(count=found.joined)
        )
    if accounts:
        extra, notice = account_points(match, accounts, data, days, found.stores, context)
        found.points += extra
        notices.append(notice)
    if others:
        rest, notice = account_points(
            match, others, data, days, found.stores, context, profile.other_terms
        )
        found.fine_points += [FinePoint(*p, term=OTHER_TERMS) for p in rest]
        notices.append(
            _(
                "the {label!r} row (line {line}) holds the terms the "
                "report does not list: stored as the term {other!r}"
            ).format(label=profile.other_terms[0], line=others[0].line, other=OTHER_TERMS)
            if rest
            else notice
        )
    single = [first for first, last in found.days if first == last]
    return ParsedFile(
        format=profile.name,
        store=context.store or (next(iter(found.stores)) if len(found.stores) == 1 else ""),
        points=exclusive_points(profile, found.points, context.file_name, context.tz),
        fine_points=found.fine_points,
        rows=len(data),
        skipped=skipped,
        notices=notices,
        period=(min(single), max(single)) if single else None,
        spans=sorted({(first, last) for first, last in found.days if first != last}),
        platform=profile.platform,
        names=found.names,
    )


def missing_expected(match: HeaderMatch) -> list[str]:
    """A notice for each ``expected`` column the header lacks (when no other column of the
    file feeds its metric): the figure is missing from the load, not zero."""
    profile, columns = match.profile, match.columns
    fed = {s.metric for k, s in profile.fields.items() if k in columns}
    notices = []
    for key, spec in profile.fields.items():
        if spec.expected and key not in columns and spec.metric not in fed:
            # The notice begins with MISSING_COLUMN, in the language of the reader: the
            # drop folder's health picks these notices out by it.
            rest = _(
                "{header!r} ({title} has it): its {metric} is not loaded; headers found: {found}"
            )
            notices.append(
                _(MISSING_COLUMN)
                + " "
                + rest.format(
                    header=spec.headers[0],
                    title=profile.shown_title(),
                    metric=spec.metric,
                    found=_(", ").join(_named(match)),
                )
            )
    return notices


def _some(names: list[str]) -> str:
    """The first five of ``names`` and how many more (``a, b, c, d, e and 3 more``)."""
    more = _(" and {count} more").format(count=len(names) - 5) if len(names) > 5 else ""
    return ", ".join(names[:5]) + more


def _named(match: HeaderMatch) -> list[str]:
    """The header cells of the file, for a notice (long headers shortened)."""
    cells = [c.strip() for c in match.headers if c.strip()]
    return cells if len(cells) <= 30 else [*cells[:30], "..."]


def _undated_and_empty(cells: list[str], date_column: int, metric_columns: list[int]) -> bool:
    """A row with an empty date whose figures are all empty or 0: the comparison-only row
    Shopify adds when the previous period has one day more (after a 29 February)."""
    if date_column < len(cells) and cells[date_column].strip():
        return False
    return all(
        normalise_cell(cells[i]) in ("", "0", "0.0", "0.00")
        for i in metric_columns
        if i < len(cells)
    )


def _single_cell_is_data(profile: Profile, columns: dict[str, int], cells: list[str]) -> bool:
    """A row with one filled cell is data only when that cell is a metric."""
    metric_columns = {columns[k] for k, s in profile.fields.items() if k in columns and s.metric}
    return any(cells[i].strip() for i in metric_columns if i < len(cells))


def _group_totals(match: HeaderMatch, data: list[DataRow]) -> tuple[list[DataRow], int, str]:
    """The rows kept by the profile's ``keep`` filters, the count of finer rows skipped,
    and a notice for groups that have no total row (their rows are added up).

    A group is the rows of one date with the same store and dimension cells: where it has
    a row whose filter cell is a ``keep`` value (``汇总``), that row is the platform's own
    figure and the others are finer; a group without one keeps every row.
    """
    profile, columns = match.profile, match.columns
    filters = [
        (key, spec)
        for key, spec in profile.fields.items()
        if spec.role == "filter" and spec.keep and key in columns
    ]
    if not filters:
        return data, 0, ""
    group_columns = [
        columns[k]
        for k, spec in profile.fields.items()
        if k in columns
        and spec.role in ("date", "store", "channel", "campaign", "sku", "keyword", "term")
    ]
    kept_rows = data
    finer = 0
    without: list[str] = []
    for key, spec in filters:
        index = columns[key]
        keep = {normalise_cell(v) for v in spec.keep}
        groups: dict[tuple[str, ...], list[DataRow]] = defaultdict(list)
        for row in kept_rows:
            groups[tuple(normalise_cell(row.cell(i)) for i in group_columns)].append(row)
        chosen: list[DataRow] = []
        for group_key, rows in groups.items():
            totals = [r for r in rows if normalise_cell(r.cell(index)) in keep]
            if totals:
                chosen += totals
                finer += len(rows) - len(totals)
            else:
                chosen += rows
                without.append(" ".join(c for c in group_key if c) or _("the file"))
        kept_rows = sorted(chosen, key=lambda r: r.line)
    notice = ""
    if without:
        column = match.headers[columns[filters[0][0]]]
        notice = _(
            "no {keep} row for {named}: their {column} rows were added up "
            "(a visitor who came by two of them counts in both)"
        ).format(keep=filters[0][1].keep[0], named=_some(without), column=column)
    return kept_rows, finer, notice


def _check_refusals(
    profile: Profile, header: list[str], lines: list[int], titles: list[list[str]]
) -> None:
    """The profile's refusal for a header name or a title row found in the file."""
    present = {normalise_header(c): c for c in header}
    line = lines[-1]
    above = title_text(titles)
    for refusal in profile.refuse:
        names = refusal.headers
        if refusal.together and not all(normalise_header(n) in present for n in names):
            names = []
        for name in names[:1] if refusal.together else names:
            if normalise_header(name) in present:
                raise RejectedInput(
                    refusal.shown_reason() + _title_range(above),
                    line=line,
                    column=present[normalise_header(name)],
                    hint=refusal.shown_hint(),
                )
        for pattern in refusal.titles:
            found = re.search(pattern, above)
            if found is not None:
                raise RejectedInput(
                    _("{reason} (a title row reads {title!r})").format(
                        reason=refusal.shown_reason(), title=found.group(0)
                    ),
                    line=_title_line(titles, lines, found.group(0)),
                    hint=refusal.shown_hint(),
                )


def _title_range(above: str) -> str:
    """`` (its title rows say 2026-06-01 .. 2026-06-30)`` when they name a range."""
    found = find_dates(above)
    if len(found) < 2 or found[0] == found[1]:
        return ""
    return _(" (its title rows say {first} .. {last})").format(first=found[0], last=found[1])


def _title_line(titles: list[list[str]], lines: list[int], text: str) -> int | None:
    """The line of the title row that holds ``text``."""
    for row, line in zip(titles, lines, strict=False):
        if text in title_text([row]):
            return line
    return None
