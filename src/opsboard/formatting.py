"""How figures are written on screen: whole numbers, never cut, missing shown as a dash.

Textual-free, so that the data layer and the tests can use it.
"""

from __future__ import annotations

import locale
import os
import sys

from opsboard.metrics import metric_kind

#: Shown where a figure is missing (no data, or a failed source): never a zero.
MISSING = "-"

_SYMBOLS = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "HKD": "HK$"}


def unicode_ok() -> bool:
    """True when the terminal can show Unicode blocks and braille (else charts use ASCII)."""
    if os.environ.get("OPSBOARD_ASCII"):
        return False
    # The locale the terminal declared wins. Under LANG=C Python coerces LC_CTYPE to
    # C.UTF-8 for itself (PEP 538); that says nothing about the terminal, so skip it.
    names = ["LC_ALL", "LC_CTYPE", "LANG"]
    if os.environ.get("LC_CTYPE") == "C.UTF-8" and os.environ.get("LANG", "C") in ("C", "POSIX"):
        names.remove("LC_CTYPE")
    for name in names:
        value = os.environ.get(name)
        if value:
            return "utf" in value.lower().replace("-", "")
    encoding = (getattr(sys.stdout, "encoding", None) or "").lower()
    if "utf" in encoding:
        return True
    return "utf" in (locale.getpreferredencoding(False) or "").lower().replace("-", "")


def currency_symbol(currency: str) -> str:
    """The symbol written before money in ``currency`` ("" when stores are mixed)."""
    if not currency:
        return ""
    return _SYMBOLS.get(currency, currency + " ")


def compact(value: float) -> str:
    """A large number shortened to at most about six characters: 12.3k, 4.56M."""
    size = abs(value)
    if size >= 1e9:
        return f"{value / 1e9:.2f}B"
    if size >= 1e6:
        return f"{value / 1e6:.2f}M"
    if size >= 1e5:
        return f"{value / 1e3:.0f}k"
    if size >= 1e4:
        return f"{value / 1e3:.1f}k"
    return f"{value:,.0f}"


def money(value: float | None, currency: str = "", *, cents: bool = False) -> str:
    """Money with its symbol; cents for small amounts such as CPC and AOV."""
    if value is None:
        return MISSING
    symbol = currency_symbol(currency)
    if cents or abs(value) < 100:
        return f"{symbol}{value:,.2f}"
    return f"{symbol}{compact(value)}"


def percent(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.0352 -> 3.5%."""
    if value is None:
        return MISSING
    return f"{value * 100:.{digits}f}%"


def ratio(value: float | None) -> str:
    """A ratio such as ROI: 2.35."""
    if value is None:
        return MISSING
    return f"{value:.2f}"


def change(value: float | None) -> str:
    """A relative change with its sign: +12.0%, -3.4%; huge changes stay short."""
    if value is None:
        return MISSING
    if abs(value) >= 10:
        return f"{value + 1:+.0f}x" if value > 0 else f"{value * 100:+.0f}%"
    return f"{value * 100:+.1f}%"


def figure(name: str, value: float | None, currency: str = "") -> str:
    """A metric's value formatted by its kind (count, money, rate, ratio)."""
    if value is None:
        return MISSING
    kind = metric_kind(name)
    if kind == "money":
        return money(value, currency, cents=name in ("aov", "cpc", "cpm"))
    if kind == "rate":
        return percent(value, 2 if name in ("conversion_rate", "ctr", "ad_cvr") else 1)
    if kind == "ratio":
        return ratio(value)
    return compact(value)


def age(seconds: float) -> str:
    """A duration as an operator says it: 45s, 12m, 3h05, 2d."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}"
    return f"{seconds // 86400}d"


def bar(fraction: float | None, width: int, *, unicode: bool = True) -> str:
    """A horizontal bar filled to ``fraction`` (capped at 1), ``width`` cells wide."""
    if fraction is None:
        return " " * width
    filled = max(0.0, min(1.0, fraction)) * width
    full = int(filled)
    if unicode:
        partial = " ▏▎▍▌▋▊▉"[int((filled - full) * 8)] if full < width else ""
        text = "█" * full + (partial if partial.strip() else "")
        return text + "░" * (width - len(text))
    return "#" * full + "-" * (width - full)
