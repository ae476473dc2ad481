"""Printing query rows as a table, JSON or CSV (stdout carries results only).

Ids and names come from files and APIs: every cell is made inert (control characters
shown escaped, never sent to the terminal) and the table's cells are plain text, never
Rich markup (a SKU named ``[bold]`` prints as it is written).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from opsboard import i18n
from opsboard.formatting import number
from opsboard.glossary import metric_label
from opsboard.i18n import N_, _
from opsboard.text import inert, inert_json

#: The table's dimension columns in words (JSON and CSV keep the contract's keys).
_DIMENSIONS = {
    "store": N_("store"),
    "day": N_("day"),
    "hour": N_("hour"),
    "channel": N_("channel"),
    "source": N_("traffic source"),
    "campaign": N_("campaign"),
    "sku": N_("SKU"),
    "keyword": N_("keyword"),
    "term": N_("search term"),
    "name": N_("name"),
}


def header(column: str, metrics: Sequence[str]) -> str:
    """A table column's heading: the key in English, the operators' word in Chinese
    (``访客数``, ``渠道``)."""
    if not i18n.is_chinese():
        return column
    if column in metrics:
        return metric_label(column)
    return _(_DIMENSIONS[column]) if column in _DIMENSIONS else column


def format_value(value: Any, metric: str) -> str:
    """A value as an operator reads it: 12,345 / 1,234.50 / 3.26% / 4.22; a count a platform
    restated as a fraction keeps its decimals, and the stored value is shown as it is."""
    return number(value, metric, exact=True, tidy=False)


def render(rows: Sequence[dict[str, Any]], metrics: Sequence[str], fmt: str) -> str:
    """``rows`` rendered as ``table``, ``json`` or ``csv`` text."""
    if fmt == "json":
        return inert_json(json.dumps(list(rows), ensure_ascii=False))
    columns = list(rows[0]) if rows else list(metrics)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})
        return buffer.getvalue().rstrip("\n")
    table = Table(show_edge=False, header_style="bold")
    for column in columns:
        table.add_column(
            Text(inert(header(column, metrics))),
            justify="right" if column in metrics else "left",
        )
    for row in rows:
        table.add_row(
            *(
                Text(format_value(row[c], c) if c in metrics else str(_cell(row[c])))
                for c in columns
            )
        )
    buffer = io.StringIO()
    Console(file=buffer, width=200, color_system=None).print(table)
    return buffer.getvalue().rstrip("\n")


def _cell(value: Any) -> Any:
    """A cell as printed: nothing for None, text made inert, numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, str):
        return inert(value)
    return value
