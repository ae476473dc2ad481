"""Read one downloaded export file into points: the entry point of the CSV drop adapter.

``read_file`` finds what the file really is (by its bytes), its encoding and delimiter,
the header row (by content, below any title rows) and the export format (a profile in
``profiles/``), then turns every data row into day-grain points. It raises
``RejectedInput`` naming the line and column for a bad file and never returns part of
one. Its work is bounded (``bounds``): only a regular file is read, a line longer than
any export writes is refused at once, and the header is looked for in the file's head.
``describe_formats`` lists the recognised formats for ``opsboard formats``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from pathlib import Path

from opsboard.adapters.api import N_, ParsedFile, RejectedInput, _
from opsboard_csv.bounds import MAX_HEADER_CELLS, check_line_lengths, head_of, read_regular
from opsboard_csv.containers import (
    DEFAULT_MAX_BYTES,
    DELIMITER_OF,
    Table,
    delimited_table,
    is_html,
    iter_text_tables,
    sniff,
    workbook_tables,
    zip_member,
)
from opsboard_csv.decoding import WEAK, candidates, implausible_share
from opsboard_csv.describe import describe_profile
from opsboard_csv.errors import IncompleteFile
from opsboard_csv.periods import FileContext
from opsboard_csv.plans import FORMAT as PLAN_FORMAT
from opsboard_csv.plans import read_plan
from opsboard_csv.profiles import (
    HeaderMatch,
    Profile,
    load_profiles,
    match_row,
    missing_required,
    normalise_header,
)
from opsboard_csv.rows import extract

#: How many rows from the top are searched for the header row.
HEAD_ROWS = 40


def describe_formats() -> list[dict[str, str]]:
    """One entry per recognised export format: ``name``, ``title`` (``title_zh`` in
    Chinese) and ``detect``."""
    return [
        *(
            {
                "name": p.name,
                "title": p.title,
                "title_zh": p.title_zh or p.title,
                "detect": describe_profile(p),
            }
            for p in load_profiles()
        ),
        {
            "name": PLAN_FORMAT,
            "title": "Plan sheet: targets by store, metric and period",
            "title_zh": "计划表：按店铺、指标和周期填写的目标",
            "detect": "header store,metric,period,value\n"
            f"{'':<29}or 店铺,指标,周期,目标值 (+ scope/范围)",
        },
    ]


def read_file(
    path: Path,
    *,
    store: str | None,
    tz: tzinfo,
    day: date | None = None,
    format: str | None = None,
    today: date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    dropped: bool = False,
) -> ParsedFile:
    """The points of one export file, whole; ``RejectedInput`` for a file that is not usable.

    ``store`` names the store when the file does not; ``day`` gives the date of reports
    that have none; ``format`` forces a profile by name; ``today`` (the store's current
    day by default) bounds plausible dates; ``max_bytes`` bounds a report unpacked from a
    zip; ``dropped`` says the file came from a drop folder (the advice in refusals differs:
    there is no --date or --store there). A file that looks cut off raises
    ``IncompleteFile``.
    """
    data = read_regular(path, max_bytes)
    if not data.removeprefix(b"\xef\xbb\xbf").strip(b" \t\r\n\x00\xff\xfe"):
        raise IncompleteFile(
            _("{file}: empty file ({size} bytes), nothing to load").format(
                file=path.name, size=len(data)
            ),
            hint=_("the download failed or is still being written: download the report again"),
        )
    if format is None or format == PLAN_FORMAT:
        plan = read_plan(data, path.name, store)
        if plan is not None:
            return plan
        if format == PLAN_FORMAT:
            raise RejectedInput(
                _("{file}: not a plan sheet").format(file=path.name),
                hint=_(
                    "its first row must be store,metric,period,value[,scope] "
                    "(or 店铺,指标,周期,目标值[,范围])"
                ),
            )
    profiles = _profiles_for(format)
    context = FileContext(
        file_name=path.name,
        store=store,
        tz=tz,
        day=day,
        today=today or datetime.now(tz).date(),
        dropped=dropped,
        max_bytes=max_bytes,
    )
    if format is None and sniff(data) == "text":
        canonical = _canonical(path, data, store, tz)
        if canonical is not None:
            return canonical
    return _read_bytes(data, path.name, profiles, context)


def _profiles_for(format: str | None) -> tuple[Profile, ...]:
    profiles = load_profiles()
    if format is None:
        return profiles
    chosen = tuple(p for p in profiles if p.name == format)
    if not chosen:
        raise RejectedInput(
            _("no export format called {format!r}").format(format=format),
            hint=_("use one of: {formats}").format(formats=", ".join(p.name for p in profiles)),
        )
    return chosen


#: How much of a file's start is looked at for the canonical header.
_CANONICAL_HEAD = 65536


def _canonical(path: Path, data: bytes, store: str | None, tz: tzinfo) -> ParsedFile | None:
    """The file read as opsboard's canonical long CSV, if its first line is that header."""
    # The canonical header is short: a first line longer than its head is not one.
    first = data[:_CANONICAL_HEAD].split(b"\n", 1)[0].lstrip(b"\xef\xbb\xbf").rstrip(b"\r")
    try:
        cells = first.decode("utf-8").split(",")
    except UnicodeDecodeError:
        return None
    from opsboard_csv.canonical import is_canonical_header, read_canonical

    if not is_canonical_header([c.strip() for c in cells]):
        return None
    return read_canonical(path, store=store, tz=tz)


def _read_bytes(
    data: bytes, name: str, profiles: Sequence[Profile], context: FileContext
) -> ParsedFile:
    kind = sniff(data)
    _note_container(name, kind, context)
    if kind == "zip":
        inner, inner_data = zip_member(data, name, context.max_bytes)
        context.inner_names.append(inner)
        return _read_bytes(inner_data, f"{name}/{inner}", profiles, context)
    if kind in ("xls", "xlsx"):
        tables = workbook_tables(data, kind, name)
        for table in tables:
            found = _recognise(table, profiles)
            if found is not None:
                return extract(table, found, context)
        raise _unknown(name, tables, profiles)
    if not is_html(data[:4096].replace(b"\x00", b"").decode("latin-1")):
        check_line_lengths(data, name)
    heads: list[Table] = []
    # (implausible share, candidate order, text, head, match) per decoding that works.
    recognised: list[tuple[float, int, str, Table, HeaderMatch]] = []
    # Heads searched in vain: plain ASCII reads the same in every encoding.
    missed: set[str] = set()
    for order, (encoding, text) in enumerate(candidates(data)):
        searched = head_of(text)
        if searched in missed:
            continue
        hit = _first_match(text, encoding, profiles, heads)
        if hit is None:
            if not is_html(text):
                missed.add(searched)
            continue
        if encoding not in WEAK or text.isascii():
            recognised = [(0.0, order, text, *hit)]
            break
        # A header in plain ASCII confirms GB18030 and cp1252 alike: let the names decide.
        recognised.append((implausible_share(text), order, text, *hit))
    if recognised:
        _share, _order, text, head, found = min(recognised, key=lambda r: (r[0], r[1]))
        if head.container == "html":
            return extract(head, found, context)
        delimiter = DELIMITER_OF[head.container]
        return extract(delimited_table(text, delimiter, head.encoding), found, context)
    error = _unknown(name, heads, profiles)
    if heads and not heads[0].complete:
        # No header yet: the writer may not have got past the title rows.
        raise IncompleteFile(error.message, line=error.line, hint=error.hint)
    raise error


def _first_match(
    text: str, encoding: str, profiles: Sequence[Profile], heads: list[Table]
) -> tuple[Table, HeaderMatch] | None:
    """The first way of splitting ``text`` whose head holds a known header row; the heads
    that hold none are added to ``heads`` (for the closest-format message). Only the head
    of a delimited text is split (an HTML page is parsed whole: its table is the data)."""
    searched = text if is_html(text) else head_of(text)
    for head in iter_text_tables(searched, encoding, HEAD_ROWS):
        found = _recognise(head, profiles)
        if found is not None:
            return head, found
        heads.append(head)
    return None


_CONTAINER_NAMES = {
    "xls": (N_("an Excel 97-2003 workbook"), (".xls",)),
    "xlsx": (N_("an Excel workbook"), (".xlsx", ".xlsm")),
    "zip": (N_("a zip archive"), (".zip",)),
}


def _note_container(name: str, kind: str, context: FileContext) -> None:
    """A notice when the file is not what its name says (a workbook named .csv...)."""
    if kind not in _CONTAINER_NAMES:
        return
    label, suffixes = _CONTAINER_NAMES[kind]
    if not name.lower().endswith(suffixes):
        context.notes.append(
            _("{file} is {kind}; it was read as one").format(
                file=name.rsplit("/", 1)[-1], kind=_(label)
            )
        )


def _recognise(table: Table, profiles: Iterable[Profile]) -> HeaderMatch | None:
    """The best profile match on the first row that holds a profile's required headers."""
    for index, row in enumerate(table.rows[:HEAD_ROWS]):
        if len(row) > MAX_HEADER_CELLS or not any(cell.strip() for cell in row):
            continue
        above = table.rows[:index]
        matches = [m for p in profiles if (m := match_row(p, row, index, above)) is not None]
        if matches:
            return max(matches, key=lambda m: m.score)
    return None


#: Separators some tools write that no platform export uses: a file split by one of
#: them is named as such, beside the format its header would be.
_ODD_SEPARATORS = ("|",)


def _header_variants(row: list[str]) -> list[tuple[list[str], str]]:
    """A row's cells, and the cells it would have if split by an unusual separator."""
    cells = [c for c in row if normalise_header(c)]
    variants = [(cells, "")]
    joined = ",".join(row)
    for separator in _ODD_SEPARATORS:
        if joined.count(separator) >= 2:
            split = joined.replace(",", separator).split(separator)
            variants.append(([c for c in split if normalise_header(c)], separator))
    return variants


#: How each platform of the profiles is named in messages.
_PLATFORM_NAMES = {"amazon": "Amazon", "shopify": "Shopify", "google": "Google Ads"}


def _aliases(profile: Profile) -> set[str]:
    """Every normalised header name ``profile`` knows, for guessing a file's platform."""
    return {alias for key in profile.fields for alias in profile.field_headers(key)}


def _unknown(name: str, tables: Sequence[Table], profiles: Sequence[Profile]) -> RejectedInput:
    """The error for a file no profile recognises, naming its platform (by the header names
    its formats know) and the closest format of that platform."""
    # (required found, names known, profile, missing, line, separator, header cells)
    candidates: list[tuple[int, int, Profile, list[str], int, str, list[str]]] = []
    forced = len(profiles) == 1
    known = {p.name: _aliases(p) for p in profiles}
    for table in tables:
        for row, line in zip(table.rows[:HEAD_ROWS], table.lines, strict=False):
            if len(row) > MAX_HEADER_CELLS:
                continue
            for cells, separator in _header_variants(row):
                if not cells:
                    continue
                names = {normalise_header(c) for c in cells}
                for profile in profiles:
                    missing = missing_required(profile, cells)
                    found = len(profile.required) - len(missing)
                    hits = len(names & known[profile.name])
                    if found or forced or hits >= 2:
                        candidates.append((found, hits, profile, missing, line, separator, cells))
    if not tables:
        return RejectedInput(
            _("{file}: neither text nor a spreadsheet the formats know").format(file=name),
            hint=_("ingest the CSV, XLSX, XLS or ZIP file the platform gave you"),
        )
    if not candidates:
        return RejectedInput(
            _(
                "{file}: not a known export format (no header row in the first {rows} "
                "rows matches any format)"
            ).format(file=name, rows=HEAD_ROWS),
            hint=_("`opsboard formats` lists the formats and the headers that identify them"),
        )
    platform = _platform(candidates)
    pool = [c for c in candidates if platform is None or c[2].platform == platform]
    # The first of the best, as before: most required headers found, then most names known.
    _found, _hits, profile, missing, line, separator, cells = max(
        pool, key=lambda c: (c[0], c[1], -candidates.index(c))
    )
    if separator:
        lacks = (
            _("; split by it, its header still lacks: {missing}").format(missing=", ".join(missing))
            if missing
            else ""
        )
        return RejectedInput(
            _(
                "{file}: its cells are separated by {separator!r}, which no export format "
                "uses; the header looks like {title} ({format}){lacks}"
            ).format(
                file=name,
                separator=separator,
                title=profile.shown_title(),
                format=profile.name,
                lacks=lacks,
            ),
            line=line,
            hint=_("download the report again, or save it as CSV (comma-separated) or as XLSX"),
        )
    if forced:
        return RejectedInput(
            _("{file}: not a {title} export: its header lacks: {missing}").format(
                file=name, title=profile.shown_title(), missing=", ".join(missing)
            ),
            line=line,
            hint=_("leave out --format to let the format be recognised"),
        )
    closest = _("the closest is {title} ({format}), but its header lacks: {missing}").format(
        title=profile.shown_title(), format=profile.name, missing=", ".join(missing)
    )
    if platform is None:
        return RejectedInput(
            _("{file}: not a known export format; {closest}").format(file=name, closest=closest),
            line=line,
            hint=_(
                "check that the file is an unchanged download of a report `opsboard formats` "
                "lists, with all its columns ticked"
            ),
        )
    label = _PLATFORM_NAMES.get(platform, platform)
    kind = _("an {platform} report") if label[:1] in "AEIOU" else _("a {platform} report")
    shown = ", ".join(cells[:6]) + (", ..." if len(cells) > 6 else "")
    reads = _("; ").join(p.shown_title() for p in load_profiles() if p.platform == platform)
    return RejectedInput(
        _(
            "{file}: not a known export format: {kind} of a type opsboard "
            "does not read yet (its header: {header}); it reads: {reads}; {closest}"
        ).format(
            file=name,
            kind=kind.format(platform=label),
            header=shown,
            reads=reads,
            closest=closest,
        ),
        line=line,
        hint=_(
            "download one of the {platform} reports it reads (`opsboard formats` lists their "
            "headers); if the file is one of them, download it again unchanged, with all its "
            "columns"
        ).format(platform=label),
    )


def _platform(
    candidates: Sequence[tuple[int, int, Profile, list[str], int, str, list[str]]],
) -> str | None:
    """The platform whose formats know the most of the file's header names (two at least)."""
    best: dict[str, int] = {}
    for _found, hits, profile, *_rest in candidates:
        best[profile.platform] = max(best.get(profile.platform, 0), hits)
    if not best:
        return None
    platform, hits = max(best.items(), key=lambda item: item[1])
    return platform if hits >= 2 else None
