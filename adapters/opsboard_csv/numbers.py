"""Numbers as export files show them: display strings, currencies, percentages, 万 and 亿.

Every parser here returns ``None`` for a missing cell (``-``, ``--``, ``nan``, empty,
censored shares such as ``< 10%``) and raises ``NumberError`` naming what it expected for
a cell that is present but is not a number. The decimal convention (``1,234.56`` or
``1.234,56`` / ``1 234,56``) is decided once per file by ``decimal_convention`` and then
passed to every call.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Literal

from opsboard.adapters.api import N_, _

Kind = Literal["count", "money", "number", "percent", "fraction", "text"]
Decimal = Literal[".", ","]

#: Cells that mean "no value" on some platform; never 0.
MISSING = frozenset({"", "-", "--", "—", "–", "nan", "null", "none", "n/a", "na", "#n/a"})

_EXPECTED = {
    "count": N_("a whole number such as 1,234"),
    "money": N_("an amount such as 1,234.50 or ¥1,234.50"),
    "number": N_("a number such as 12.5"),
    "percent": N_("a percentage such as 3.45%"),
    "fraction": N_("a fraction such as 0.0345"),
    "text": "text",
}
_MULTIPLIERS = {"万": 1e4, "亿": 1e8}
#: Currency signs written before or after an amount, on every marketplace sellers meet:
#: ``$ US$ MX$ R$ C$ A$ CA$ AU$ HK$ S$``, ``£ € ¥ ₹ ₩ ₺ ₽ ₱ ฿ ₫ ₪``, ``Rs.``/``Rs`` (Amazon
#: India writes ``Rs.1000.0`` under a ``(₹)`` header), ISO codes (``AED 12``, ``12 SEK``),
#: ``zł``, ``kr``, ``Kč``, ``Fr.``, ``元``.
_CURRENCY = re.compile(
    r"^(?:[A-Z]{1,3}\$|[A-Z]{3}\s*|RMB\s*|Rs\.?\s*|zł\s*|kr\.?\s*|Kč\s*|Fr\.\s*"
    r"|[$€£¥₹₩₺₽₱฿₫₪])"
    r"|(?:\s*(?:元|€|£|₹|₺|₽|[A-Z]{3}|RMB|zł|kr\.?|Kč|Fr\.|,-))$"
)
_GUARD = re.compile(r'^="(.*)"$')
_FAST = re.compile(r"^\d{1,15}(?:\.\d{1,6})?$")
_PLAIN = re.compile(r"^\d+(?:\.\d+)?$|^\.\d+$")
_SCIENTIFIC = re.compile(r"^\d+(?:\.\d+)?[eE][+-]?\d+$")
#: Digit grouping: 1,234,567 or the Indian 12,34,567; 1.234.567 where the decimal is a comma.
_GROUPS = {
    ",": re.compile(r"^\d{1,3}(?:,\d{3})+$|^\d{1,2}(?:,\d{2})*,\d{3}$"),
    ".": re.compile(r"^\d{1,3}(?:\.\d{3})+$"),
}
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009'’")


class NumberError(ValueError):
    """A cell that is present but is not the kind of number its column holds."""

    def __init__(self, found: str, kind: str) -> None:
        expected = _(_EXPECTED.get(kind, kind))
        super().__init__(
            _("found {found!r}, expected {expected}").format(found=found, expected=expected)
        )
        self.found = found
        self.kind = kind


def normalise_cell(text: str) -> str:
    """``text`` with full-width characters folded (``％`` -> ``%``, ``，`` -> ``,``), trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def strip_excel_guard(text: str) -> str:
    """``="2549276819"`` (an Excel formula guard around an id) -> ``2549276819``."""
    match = _GUARD.match(text.strip())
    return match.group(1) if match else text.strip()


def is_missing(text: str) -> bool:
    """True for a cell that means "no value": ``-``, ``--``, ``nan``, empty..."""
    cleaned = normalise_cell(strip_excel_guard(text)).casefold()
    return cleaned in MISSING or cleaned.startswith(("<", ">"))


def parse_number(
    text: str, kind: Kind = "number", *, decimal: Decimal = ".", dash_is_zero: bool = False
) -> float | None:
    """The value of one cell, or None when it is missing.

    ``kind`` says what the column holds: ``count`` (whole numbers, ``2.5万`` allowed),
    ``money`` (currency signs stripped), ``number``, ``percent`` (``3.45%`` -> 0.0345; a
    bare number up to 1 is taken as a fraction, as spreadsheets store percentages) or
    ``fraction`` (``0.0345``; a ``%`` sign is honoured). ``dash_is_zero`` makes ``-`` and
    ``--`` mean 0 for columns whose platform writes them for "none".
    """
    plain = "." not in text or (decimal == "." and kind in ("money", "number"))
    plain = plain and kind in ("count", "money", "number")
    if plain and text.isascii() and _FAST.match(text):
        return float(text)  # the common plain cell, without the full clean-up below
    raw = text
    cleaned = normalise_cell(strip_excel_guard(text))
    folded = cleaned.casefold()
    if folded in MISSING or folded.startswith(("<", ">")):
        if dash_is_zero and folded in {"-", "--", "—", "–"}:
            return 0.0
        return None
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1].strip()
    if cleaned.startswith("-"):
        negative, cleaned = True, cleaned[1:].strip()
    percent = cleaned.endswith("%")
    if percent:
        cleaned = cleaned[:-1].strip()
    scale = 1.0
    if cleaned and cleaned[-1] in _MULTIPLIERS:
        scale, cleaned = _MULTIPLIERS[cleaned[-1]], cleaned[:-1].strip()
    cleaned = _CURRENCY.sub("", cleaned).strip()
    if cleaned.startswith("-"):  # "$-12.00"
        negative, cleaned = True, cleaned[1:]
    body = cleaned.translate(_SPACES)
    grouping, point = (".", ",") if decimal == "," else (",", ".")
    whole, _sep, _fraction = body.partition(point)
    if grouping in whole and not _GROUPS[grouping].match(whole):
        raise NumberError(raw.strip(), kind)  # "12,50" where the file writes 1,234.56
    body = body.replace(grouping, "").replace(point, ".")
    if _PLAIN.match(body) or _SCIENTIFIC.match(body):
        value = float(body) * scale
    else:
        raise NumberError(raw.strip(), kind)
    if not math.isfinite(value):
        raise NumberError(raw.strip(), kind)
    if percent:
        if kind not in ("percent", "fraction", "number"):
            raise NumberError(raw.strip(), kind)
        value /= 100.0
    elif kind == "percent" and value > 1.0:
        raise NumberError(raw.strip(), kind)
    if kind == "count":
        if abs(value - round(value)) > 1e-6:
            raise NumberError(raw.strip(), kind)
        value = float(round(value))
    return -value if negative else value


_DECIMAL_COMMA = re.compile(r"^\d{1,3}(?:[.\s\u00a0\u202f]\d{3})*,\d{1,2}$")
_DECIMAL_DOT = re.compile(r"^\d{1,3}(?:[,\s\u00a0\u202f]\d{3})*\.\d{1,2}$|^\d+\.\d{1,2}$")
_GROUPED_DOT = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$")


def decimal_convention(money_cells: Iterable[str]) -> Decimal:
    """``","`` when the file's amounts use a decimal comma, else ``"."``.

    Decided once per file from the money columns: an amount always shows two decimals,
    so ``12,50`` or ``1.234,56`` can only be a decimal comma and ``1,234.56`` a decimal
    point; ``1.234`` (no cents) is a grouped thousand. The majority wins; no evidence
    means a decimal point.
    """
    comma = dot = 0
    for text in money_cells:
        cell = _CURRENCY.sub("", normalise_cell(strip_excel_guard(text))).strip().lstrip("-")
        if not cell or cell.casefold() in MISSING:
            continue
        if _DECIMAL_COMMA.match(cell):
            comma += 1
        elif _DECIMAL_DOT.match(cell):
            dot += 1
        elif _GROUPED_DOT.match(cell):
            comma += 1
    return "," if comma > dot else "."


def parse_id(text: str) -> str | None:
    """A product, plan or campaign id as text; None when missing.

    Excel guards (``="2549..."``) are stripped and ``12345.0`` becomes ``12345``.
    Raises ``NumberError`` for scientific notation (``6.81127E+11``): the id is lost.
    """
    cleaned = normalise_cell(strip_excel_guard(text))
    if cleaned.casefold() in MISSING:
        return None
    if _SCIENTIFIC.match(cleaned.replace(",", ".")):
        raise NumberError(
            cleaned, N_("an id written in full (Excel turned it into a rounded number)")
        )
    if re.fullmatch(r"\d+\.0+", cleaned):
        cleaned = cleaned.split(".", 1)[0]
    return cleaned
