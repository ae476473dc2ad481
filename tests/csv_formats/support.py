"""Helpers for the format tests: read a file, load it through the real store, build fixtures.

Spreadsheet fixtures are written here by hand (a minimal SpreadsheetML package), because
the reader only reads them; HTML and zip fixtures likewise.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from opsboard_csv.reader import read_file

from opsboard.adapters.api import ParsedFile
from opsboard.query.engine import MetricsEngine
from opsboard.storage import Store
from opsboard.timeutil import zone

REPO = Path(__file__).resolve().parents[2]
FORMATS = REPO / "tests" / "data" / "formats"
SHANGHAI = zone("Asia/Shanghai")
TODAY = date(2026, 11, 22)


def read(
    path: Path,
    *,
    store: str | None = "s1",
    day: date | None = None,
    format: str | None = None,
) -> ParsedFile:
    """``read_file`` with the test defaults (Shanghai, a fixed today)."""
    return read_file(path, store=store, tz=SHANGHAI, day=day, format=format, today=TODAY)


def load(store: Store, parsed: ParsedFile) -> int:
    """Commit a parsed file through the real store; the number of points written."""
    with store.batch(
        source="test", origin="test", format=parsed.format, store=parsed.store
    ) as batch:
        return batch.add_raw(parsed.points) + batch.add_fine(parsed.fine_points)


def total(engine: MetricsEngine, *metrics: str, by: str = "total") -> list[dict[str, Any]]:
    """``engine.query`` over all the data."""
    return engine.query(list(metrics), by=by)


def one(engine: MetricsEngine, *metrics: str) -> dict[str, Any]:
    """The single total row of ``metrics``."""
    return total(engine, *metrics)[0]


def _col(index: int) -> str:
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def xlsx_bytes(rows: Sequence[Sequence[object]], sheet: str = "Sheet1") -> bytes:
    """A minimal .xlsx workbook holding ``rows`` (strings inline, numbers as numbers)."""
    lines = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_col(c)}{r}"
            if value is None:
                continue
            if isinstance(value, (int, float)):
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                text = escape(str(value))
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
        lines.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheet_xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(lines)}</sheetData></worksheet>"
    )
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes]) -> bytes:
    """A zip archive holding ``members``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def html_table_bytes(rows: Sequence[Sequence[str]], encoding: str = "utf-8") -> bytes:
    """An HTML page with one table, as some platforms export ``.xls`` files."""
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>\n" for row in rows
    )
    page = (
        f'<html><head><meta charset="{encoding}"></head><body>'
        f"<table border=1>\n{body}</table></body></html>"
    )
    return page.encode(encoding)


def csv_text(rows: Sequence[Sequence[object]], delimiter: str = ",") -> str:
    """Rows as CSV text with CRLF line ends, quoting cells that need it."""
    out = []
    for row in rows:
        cells = []
        for value in row:
            text = str(value)
            if delimiter in text or '"' in text or "\n" in text:
                text = '"' + text.replace('"', '""') + '"'
            cells.append(text)
        out.append(delimiter.join(cells))
    return "\r\n".join(out) + "\r\n"
