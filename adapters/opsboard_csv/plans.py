"""The plan sheet: the targets operators keep in a spreadsheet, read like an export.

Its header is ``store,metric,period,value[,scope]`` (or 店铺,指标,周期,目标值[,范围]), on
the first non-empty row of a ``.csv`` (any of the usual encodings) or of a sheet of an
``.xlsx``/``.xls`` workbook. The cells are handed over as text (``PlanSheet``); the core
checks them and refuses the sheet whole, by line and cell.
"""

from __future__ import annotations

from opsboard.adapters.api import (
    PLAN_COLUMNS,
    PLAN_REQUIRED,
    ParsedFile,
    PlanSheet,
    RejectedInput,
    _,
)
from opsboard_csv.containers import Table, delimited_table, sniff, workbook_tables
from opsboard_csv.decoding import candidates

FORMAT = "plan_sheet"


def _header(row: list[str]) -> dict[int, str] | None:
    """{cell index: column} when ``row`` is a plan sheet's header, else None."""
    found: dict[int, str] = {}
    for index, cell in enumerate(row):
        name = PLAN_COLUMNS.get(cell.strip().lstrip("\ufeff").lower())
        if name is None:
            if cell.strip():
                return None
            continue
        found[index] = name
    return found if set(found.values()) >= set(PLAN_REQUIRED) else None


def _sheet(table: Table) -> PlanSheet | None:
    rows = [(line, row) for line, row in zip(table.lines, table.rows, strict=True)]
    while rows and not any(c.strip() for c in rows[0][1]):
        rows.pop(0)
    if not rows:
        return None
    header = _header(rows[0][1])
    if header is None:
        return None
    columns = {name: rows[0][1][index].strip() for index, name in header.items()}
    plan = PlanSheet(columns=columns)
    for line, row in rows[1:]:
        if not any(c.strip() for c in row):
            continue
        extra = [c for i, c in enumerate(row) if i not in header and c.strip()]
        if extra:
            raise RejectedInput(
                _("a cell {cell!r} outside the plan's columns").format(cell=extra[0]), line=line,
                hint=_("keep only the columns store, metric, period, value and scope"),
            )  # fmt: skip
        cells = {name: row[index] if index < len(row) else "" for index, name in header.items()}
        plan.rows.append((line, cells))
    return plan


def read_plan(data: bytes, name: str, store: str | None) -> ParsedFile | None:
    """The file as a plan sheet, or None when its header is not a plan's."""
    kind = sniff(data)
    if kind in ("xlsx", "xls"):
        tables = workbook_tables(data, kind, name)
    elif kind == "text":
        head = next(candidates(data), None)
        if head is None:
            return None
        encoding, text = head
        first = text.lstrip("\ufeff\r\n").split("\n", 1)[0]
        delimiter = "\t" if "\t" in first else ","
        if _header(first.rstrip("\r").split(delimiter)) is None:
            return None
        tables = [delimited_table(text, delimiter, encoding)]
    else:
        return None
    for table in tables:
        plan = _sheet(table)
        if plan is not None:
            stores = {cells.get("store", "").strip() for _line, cells in plan.rows}
            return ParsedFile(
                format=FORMAT,
                store=", ".join(sorted(s for s in stores if s)) or (store or ""),
                points=(),
                rows=len(plan.rows),
                plan=plan,
            )
    return None
