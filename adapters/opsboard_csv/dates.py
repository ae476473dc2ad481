"""Dates as export files write them, and the date ranges in their titles and file names.

Accepted: ``2026-06-18``, ``2026/6/18``, ``2026.6.18``, ``2026年6月18日``, ``20260618``,
Excel serial numbers, ``Jun 1, 2026`` / ``June 1, 2026`` / ``1 June 2026`` (also French
and German month names), and ``6/18/2026`` or ``18/06/2026``, whose order is decided over
the whole column (a day above 12 settles it).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Literal

from opsboard.adapters.api import _

SlashOrder = Literal["mdy", "dmy"]

EARLIEST = date(2000, 1, 1)
_EXCEL_EPOCH = date(1899, 12, 30)

_MONTHS = {
    # English
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4,
    "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9, "oct": 10, "october": 10, "nov": 11,
    "november": 11, "dec": 12, "december": 12,
    # French
    "janv": 1, "janvier": 1, "févr": 2, "février": 2, "fevrier": 2, "mars": 3, "avr": 4,
    "avril": 4, "mai": 5, "juin": 6, "juil": 7, "juillet": 7, "août": 8, "aout": 8,
    "déc": 12, "décembre": 12, "decembre": 12, "oct.": 10, "octobre": 10,
    "novembre": 11, "septembre": 9, "sept.": 9,
    # German
    "januar": 1, "jän": 1, "februar": 2, "märz": 3, "maerz": 3, "juni": 6, "juli": 7,
    "okt": 10, "oktober": 10, "dez": 12, "dezember": 12,
}  # fmt: skip
_MONTH_NAME = r"([^\W\d_]{3,10})\.?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ymd", re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")),
    ("ymd", re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")),
    ("compact", re.compile(r"(?<!\d)(20\d{2})(\d{2})(\d{2})(?!\d)")),
    ("slash", re.compile(r"(?<!\d)(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})(?!\d)")),
    ("mdy_name", re.compile(_MONTH_NAME + r"\s+(\d{1,2}),?\s+(\d{4})", re.IGNORECASE)),
    ("dmy_name", re.compile(r"(?<!\d)(\d{1,2})\.?\s+" + _MONTH_NAME + r",?\s+(\d{4})", re.I)),
]
_TIME = re.compile(r"[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?\s*")


class DateError(ValueError):
    """A date cell that cannot be read, or a date outside the plausible range."""


def _month(name: str) -> int | None:
    key = name.casefold().rstrip(".")
    return _MONTHS.get(key) or _MONTHS.get(key[:3]) if len(key) >= 3 else None


def _build(year: int, month: int, day: int) -> date | None:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_match(kind: str, groups: Sequence[str], order: SlashOrder) -> date | None:
    if kind in ("ymd", "compact"):
        return _build(int(groups[0]), int(groups[1]), int(groups[2]))
    if kind == "slash":
        first, second, year = int(groups[0]), int(groups[1]), int(groups[2])
        if order == "dmy":
            return _build(year, second, first)
        return _build(year, first, second)
    if kind == "mdy_name":
        month = _month(groups[0])
        return None if month is None else _build(int(groups[2]), month, int(groups[1]))
    month = _month(groups[1])
    return None if month is None else _build(int(groups[2]), month, int(groups[0]))


def find_dates(text: str, order: SlashOrder = "mdy") -> list[date]:
    """Every date written in ``text`` (a title row, a file name), in reading order."""
    text = unicodedata.normalize("NFKC", text)
    found: list[tuple[int, int, date]] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            if any(start <= match.start() < end for start, end, _ in found):
                continue
            value = _from_match(kind, match.groups(), order)
            if value is not None:
                found.append((match.start(), match.end(), value))
    return [value for _start, _end, value in sorted(found, key=lambda item: item[0])]


def parse_date(text: str, order: SlashOrder = "mdy") -> date | None:
    """The date in one cell; None for an empty cell; ``DateError`` if it is not a date.

    A cell holding a date and a time (``2026-06-18 00:00:00``) gives the date.
    """
    cell = unicodedata.normalize("NFKC", text).strip()
    if not cell:
        return None
    if re.fullmatch(r"\d{5}(?:\.\d+)?", cell):  # an Excel serial number
        return _EXCEL_EPOCH + timedelta(days=int(float(cell)))
    for kind, pattern in _PATTERNS:
        match = pattern.match(cell)
        if match is None:
            continue
        rest = cell[match.end() :]
        if rest.strip() and not _TIME.fullmatch(rest):
            continue
        value = _from_match(kind, match.groups(), order)
        if value is not None:
            return value
    raise DateError(_("found {cell!r}, expected a date such as 2026-06-18").format(cell=cell))


def slash_order(cells: Sequence[str], default: SlashOrder = "mdy") -> SlashOrder:
    """The order of ``a/b/yyyy`` dates in a column: ``dmy`` if any first part exceeds 12,
    ``mdy`` if any second part does, else ``default``."""
    pattern = _PATTERNS[3][1]
    for cell in cells:
        match = pattern.fullmatch(unicodedata.normalize("NFKC", cell).strip())
        if match is None:
            continue
        if int(match.group(1)) > 12:
            return "dmy"
        if int(match.group(2)) > 12:
            return "mdy"
    if any("." in cell and pattern.fullmatch(cell.strip()) for cell in cells):
        return "dmy"  # 18.06.2026 is the German way
    return default


def check_plausible(day: date, today: date) -> None:
    """``DateError`` for a date before 2000 or more than two days after ``today``."""
    if day < EARLIEST:
        raise DateError(
            _("date {day} is before 2000: not a real report date").format(day=day.isoformat())
        )
    if day > today + timedelta(days=2):
        raise DateError(
            _("date {day} is in the future (today is {today})").format(
                day=day.isoformat(), today=today.isoformat()
            )
        )
