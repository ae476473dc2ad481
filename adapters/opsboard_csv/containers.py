"""What a downloaded file really is, judged by its bytes, and its rows of cells.

Platforms name files ``.csv`` that are binary Excel, ``.xls`` that are HTML tables, and
ship reports zipped. ``sniff`` looks at the magic bytes; the readers here turn each kind
into ``Table`` objects (rows of text cells with their line numbers) for the profiles.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from typing import Literal

from opsboard.adapters.api import RejectedInput, _
from opsboard_csv.errors import IncompleteFile

Container = Literal["zip", "xlsx", "xls", "text"]
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".xls", ".xlsx")
#: The delimiter of each delimited-text container.
DELIMITER_OF = {"csv": ",", "tsv": "\t", "csv (;)": ";"}
DELIMITERS = tuple(DELIMITER_OF.values())
_CONTAINER_OF = {delimiter: container for container, delimiter in DELIMITER_OF.items()}
#: The largest report read when no limit is given (``opsboard ingest``).
DEFAULT_MAX_BYTES = 512 * 1024 * 1024


@dataclass
class Table:
    """Rows of cells from one sheet or one text file.

    ``lines[i]`` is the line (text) or row (sheet) number where ``rows[i]`` starts.
    ``complete`` is False when a text file does not end with a newline, so its last row
    is looked at for a cut (many platforms end their downloads without one);
    ``open_quote`` is True when such a file ends inside a quoted cell.
    """

    rows: list[list[str]]
    lines: list[int]
    complete: bool = True
    container: str = "csv"
    encoding: str = ""
    sheet: str = ""
    open_quote: bool = False


def sniff(data: bytes) -> Container:
    """The container of ``data`` by its magic bytes, whatever the file is called."""
    if data.startswith(_OLE):
        return "xls"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return "zip"
        if any(n.startswith("xl/") for n in names):
            return "xlsx"
        return "zip"
    return "text"


def zip_member(
    data: bytes, file_name: str, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[str, bytes]:
    """The one report inside a zip download, with its name.

    The report unpacked may not be larger than ``max_bytes`` (the drop folder's
    ``max_file_bytes``): a small zip can hold a huge file. The size the archive declares is
    checked first, and the reading stops past the limit whatever it declares.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and not info.filename.startswith("__MACOSX/")
                and info.filename.rsplit("/", 1)[-1].lower().endswith(_DATA_SUFFIXES)
            ]
            if len(members) != 1:
                listed = ", ".join(m.filename for m in members) or _("no report file")
                raise RejectedInput(
                    _("{file}: a zip download should hold one report; it holds {listed}").format(
                        file=file_name, listed=listed
                    ),
                    hint=_("unzip it and ingest each report file on its own"),
                )
            member = members[0]
            with archive.open(member) as handle:
                content = b"" if member.file_size > max_bytes else handle.read(max_bytes + 1)
            if member.file_size > max_bytes or len(content) > max_bytes:
                size = max(member.file_size, len(content))
                raise RejectedInput(
                    _(
                        "{file}: {member} is {size} bytes unpacked, more than "
                        "max_file_bytes ({max_bytes}); it was not read"
                    ).format(
                        file=file_name, member=member.filename, size=size, max_bytes=max_bytes
                    ),
                    hint=_("split the export, or raise max_file_bytes in the adapter's options"),
                )
            return member.filename.rsplit("/", 1)[-1], content
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise IncompleteFile(
            _("{file}: looks like a zip file but cannot be opened ({error})").format(
                file=file_name, error=exc
            ),
            hint=_("download the report again; the file is damaged or incomplete"),
        ) from None


def _cell_text(value: object) -> str:
    """A spreadsheet cell as the text an export would show (dates ISO, ids without .0)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value.total_seconds())
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        text = repr(value)
        return format(value, "f") if "e" in text else text
    return str(value)


def workbook_tables(data: bytes, kind: Container, file_name: str) -> list[Table]:
    """Every non-empty sheet of an ``.xlsx`` or legacy ``.xls`` workbook."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        tables = []
        for name in book.sheet_names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            cells = [[_cell_text(v) for v in row] for row in rows]
            if any(any(c.strip() for c in row) for row in cells):
                tables.append(
                    Table(cells, list(range(1, len(cells) + 1)), container=kind, sheet=name)
                )
    except RejectedInput:
        raise
    except Exception as exc:  # calamine raises several error types for damaged files
        label = "Excel 97-2003 (.xls)" if kind == "xls" else "Excel (.xlsx)"
        raise IncompleteFile(
            _("{file}: an {kind} workbook that cannot be read ({error})").format(
                file=file_name, kind=label, error=exc
            ),
            hint=_("download the report again, or open it in Excel and save it as CSV UTF-8"),
        ) from None
    return tables


def delimited_table(text: str, delimiter: str, encoding: str, limit: int | None = None) -> Table:
    """The rows of delimited ``text``; ``limit`` stops after that many rows."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[list[str]] = []
    lines: list[int] = []
    previous = 0
    try:
        for row in reader:
            rows.append(row)
            lines.append(previous + 1)
            previous = reader.line_num
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error as exc:
        raise RejectedInput(
            _("the text cannot be split into cells ({error})").format(error=exc),
            line=previous + 1,
        ) from None
    complete = text.endswith(("\n", "\r"))
    container = _CONTAINER_OF[delimiter]
    open_quote = not complete and limit is None and bool(lines) and _open_quote(text, lines[-1])
    return Table(rows, lines, complete, container, encoding, open_quote=open_quote)


def _open_quote(text: str, line: int) -> bool:
    """True when the row starting at ``line`` (the last) ends inside a quoted cell: the
    lenient reader takes the rest of the file into that cell without a word."""
    if '"' not in text:
        return False
    tail = "".join(text.splitlines(keepends=True)[line - 1 :])
    try:
        for _row in csv.reader(io.StringIO(tail, newline=""), strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def likely_delimiters(text: str) -> list[str]:
    """The delimiters to try, the most frequent in the first lines first."""
    head = "\n".join(text.splitlines()[:30])
    return sorted(DELIMITERS, key=lambda d: -head.count(d))


def is_html(text: str) -> bool:
    """True for an HTML page (the ``.xls`` some platforms export is an HTML table)."""
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<table", "<?xml")) or "<table" in head


class _TableParser(HTMLParser):
    """Collects the cells of every ``<tr>`` of an HTML document, tables in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Open a row or a cell."""
        if tag == "tr":
            self._finish_row()
            self._row = []
        elif tag in ("td", "th"):
            self._finish_cell()
            if self._row is None:
                self._row = []
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag: str) -> None:
        """Close a cell or a row."""
        if tag in ("td", "th"):
            self._finish_cell()
        elif tag in ("tr", "table"):
            self._finish_row()

    def handle_data(self, data: str) -> None:
        """Text inside a cell."""
        if self._cell is not None:
            self._cell.append(data)

    def _finish_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
        self._cell = None

    def _finish_row(self) -> None:
        self._finish_cell()
        if self._row is not None:
            self.rows.append(self._row)
        self._row = None


def html_table(text: str, encoding: str) -> Table:
    """The rows of the tables in an HTML document (an ``.xls`` that is really HTML)."""
    parser = _TableParser()
    parser.feed(text)
    parser.close()
    parser._finish_row()
    rows = parser.rows
    # A page cut off by an interrupted download ends before its table does.
    lowered = text.lower()
    complete = lowered.rfind("</table") > lowered.rfind("<table")
    return Table(rows, list(range(1, len(rows) + 1)), complete, "html", encoding)


def iter_text_tables(text: str, encoding: str, limit: int | None) -> Iterator[Table]:
    """The ways to split ``text`` into a table: HTML, or each likely delimiter."""
    if is_html(text):
        yield html_table(text, encoding)
        return
    for delimiter in likely_delimiters(text):
        yield delimited_table(text, delimiter, encoding, limit)
