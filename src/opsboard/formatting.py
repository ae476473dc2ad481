"""How a value becomes text, everywhere: the dashboard, the review, the command line's
tables and the alert messages. One function per number style (count, money, rate, ratio,
change, compact), chosen by the metric's kind (``opsboard.metrics.metric_kind``).

Where the places differ on purpose the difference is a named argument, never a second
writer: the dashboard's narrow cells shorten large numbers and mark a missing figure with a
dash, prose and tables write every digit and an em dash (``missing=MISSING_IN_PROSE``).

Textual-free, so that the data layer and the tests can use it.
"""

from __future__ import annotations

import locale
import os
import sys
import unicodedata
from datetime import date

from opsboard import i18n
from opsboard.i18n import _
from opsboard.metrics import metric_kind
from opsboard.text import inert

#: Shown where a figure is missing (no data, or a failed source): never a zero.
MISSING = "-"
#: The missing marker as prose and printed tables write it (the review, alert messages,
#: `opsboard query`): the same mark, typeset as an em dash.
MISSING_IN_PROSE = "—"

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


def _tidy(value: float, decimals: int) -> float:
    """``value`` rounded to ``decimals``, with -0.0 turned into 0.0 (never a negative zero)."""
    rounded = round(float(value), decimals)
    return 0.0 if rounded == 0 else rounded


def _signed(value: float, unit: str) -> str:
    """``value`` with one decimal, its sign and ``unit``: ``+2.5pt``; ``0.0pt`` when it
    rounds to nothing (neither a rise nor a fall)."""
    shown = _tidy(value, 1)
    return f"0.0{unit}" if shown == 0 else f"{shown:+.1f}{unit}"


def compact(value: float, *, sign: bool = False, label: bool = False) -> str:
    """A large number shortened to at most about six characters: 12.3k, 4.56M.

    ``label`` is the review's chart label: one decimal of thousands up to a million, no
    billions, and a figure that rounds to nothing is an unsigned ``0``; ``sign`` writes
    ``+`` before a positive label.
    """
    if i18n.is_chinese():
        return _compact_cn(value, sign=sign, label=label)
    size = abs(value)
    if label:
        if size >= 1e6:
            text = f"{size / 1e6:.2f}M"
        elif size >= 1e4:
            text = f"{size / 1e3:.1f}k"
        else:
            text = f"{size:,.0f}"
        if text in ("0", "0.0k"):
            return "0"
        return ("-" if value < 0 else "+" if sign else "") + text
    if size >= 1e9:
        text = f"{value / 1e9:.2f}B"
    elif size >= 1e6:
        text = f"{value / 1e6:.2f}M"
    elif size >= 1e5:
        text = f"{value / 1e3:.0f}k"
    elif size >= 1e4:
        text = f"{value / 1e3:.1f}k"
    else:
        text = f"{value:,.0f}"
    return "+" + text if sign and value > 0 else text


#: The Chinese large units, as 生意参谋 and 万相台 write figures: 亿 (10^8) and 万 (10^4),
#: each from where the smaller way would round up to it (9,999.5 is 1万, not "10,000").
_CN_UNITS = ((99_995_000.0, 1e8, "亿"), (9_999.5, 1e4, "万"))


def _cn_digits(amount: float) -> str:
    """About three significant digits, trailing zeros dropped: 2.99, 29.9, 299, 1.2."""
    decimals = 2 if abs(amount) < 10 else 1 if abs(amount) < 100 else 0
    text = f"{amount:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _compact_cn(value: float, *, sign: bool, label: bool) -> str:
    """``compact`` the Chinese way: 2.99万, 29.9万, 299万, 1.2亿; below 万 every digit."""
    size = abs(value)
    for start, unit, name in _CN_UNITS:
        if size >= start:
            text = _cn_digits(size / unit) + name
            break
    else:
        text = f"{size:,.0f}"
    if label and text == "0":
        return "0"
    if value < 0 and text != "0":
        return "-" + text
    return "+" + text if sign and value > 0 else text


def decimal(
    value: float | None,
    decimals: int = 2,
    *,
    missing: str = MISSING,
    grouped: bool = True,
    tidy: bool = False,
) -> str:
    """A ratio or an amount with its decimals: ``1,234.50``; ``grouped`` puts in the
    thousands separators, ``tidy`` never writes a negative zero."""
    if value is None:
        return missing
    shown = _tidy(value, decimals) if tidy else value
    return f"{shown:,.{decimals}f}" if grouped else f"{shown:.{decimals}f}"


def count(
    value: float | None, *, missing: str = MISSING, exact: bool = False, tidy: bool = False
) -> str:
    """A count (visitors, buyers, clicks) as a whole number: ``12,345``. ``exact`` shows a
    count a platform restated as a fraction with its two decimals instead of rounding it."""
    if value is None:
        return missing
    if exact and not float(value).is_integer():
        return decimal(value, 2, tidy=tidy)
    return decimal(value, 0, tidy=tidy)


def ratio(value: float | None, *, missing: str = MISSING) -> str:
    """A ratio such as ROI: 2.35."""
    return decimal(value, 2, missing=missing, grouped=False)


def percent(
    value: float | None, digits: int = 1, *, missing: str = MISSING, tidy: bool = False
) -> str:
    """A fraction as a percentage (a rate): 0.0352 -> 3.5%."""
    if value is None:
        return missing
    shown = _tidy(value * 100, digits) if tidy else value * 100
    return f"{shown:.{digits}f}%"


def money(
    value: float | None, currency: str = "", *, cents: bool = False, missing: str = MISSING
) -> str:
    """Money with its symbol, as the dashboard shows it; cents for small amounts such as CPC
    and AOV, large ones shortened (¥22.3k)."""
    if value is None:
        return missing
    symbol = currency_symbol(currency)
    if cents or abs(value) < 100:
        return f"{symbol}{value:,.2f}"
    return f"{symbol}{compact(value)}"


def money_in_full(value: float | None, currency: str = "") -> str:
    """Money with every digit, as prose writes it: ``1,234.50`` or ``1,234.50 CNY``."""
    text = number(value, "gmv")
    return f"{text} {currency}" if currency and value is not None else text


def change(value: float | None, *, missing: str = MISSING) -> str:
    """A relative change with its sign: +12.0%, -3.4%; huge changes stay short."""
    if value is None:
        return missing
    if abs(value) >= 10:
        return f"{value + 1:+.0f}x" if value > 0 else f"{value * 100:+.0f}%"
    return _signed(value * 100, "%")


def percent_change(value: float | None, *, missing: str = MISSING_IN_PROSE) -> str:
    """A relative change in full, as prose writes it: ``+12.3%``; ``0.0%`` for a change
    that rounds to nothing."""
    if value is None:
        return missing
    return _signed(value * 100, "%")


def points(now: float | None, base: float | None, *, missing: str = MISSING) -> str:
    """The change between two rates in percentage points: ``+2.5pt``; ``0.0pt`` for a change
    that rounds to nothing (never ``-0.0pt``)."""
    if now is None or base is None:
        return missing
    return _signed((now - base) * 100, "pt")


def number(
    value: float | None,
    metric: str,
    *,
    missing: str = MISSING_IN_PROSE,
    exact: bool = False,
    tidy: bool = True,
) -> str:
    """A metric's value with every digit, as prose and printed tables write it:
    ``12,345`` / ``1,234.50`` / ``3.26%`` / ``4.22``. The review rounds counts and never
    writes a negative zero; `opsboard query` (``exact=True, tidy=False``) shows a
    fractional count and the stored value as it is."""
    if value is None:
        return missing
    kind = metric_kind(metric)
    if kind == "count":
        return count(value, exact=exact, tidy=tidy)
    if kind == "rate":
        return percent(value, 2, tidy=tidy)
    return decimal(value, 2, tidy=tidy)


def signed(value: float, metric: str) -> str:
    """``+1,234.50`` / ``-12``; a change that rounds to nothing has no sign."""
    text = number(abs(value), metric)
    if number(value, metric) == number(0.0, metric):
        return text
    return ("-" if value < 0 else "+") + text


def in_prose(value: float | None, metric: str, currency: str = "") -> str:
    """A figure in a sentence of the review: ``number`` in English (``1,234.50``); in
    Chinese money with its symbol and counts and money from 万 up the platforms' way
    (``¥29.9万``, ``2.99万``, ``¥5,036.07``)."""
    if value is None or not i18n.is_chinese() or metric_kind(metric) not in ("count", "money"):
        return number(value, metric)
    money_ = metric_kind(metric) == "money"
    size = abs(value)
    text = _compact_cn(size, sign=False, label=False) if size >= 9_999.5 else number(size, metric)
    return (
        ("-" if value < 0 and text != number(0.0, metric) else "")
        + (currency_symbol(currency) if money_ else "")
        + text
    )


def signed_in_prose(value: float, metric: str, currency: str = "") -> str:
    """``in_prose`` with its sign: ``+1,234.50`` / ``-¥1.2万``; no sign on a nothing."""
    text = in_prose(abs(value), metric, currency)
    if signed(value, metric) == number(0.0, metric):
        return text
    return ("-" if value < 0 else "+") + text


def direction(value: float, *, flat: float = 0.0005) -> str:
    """``up 2.1%`` / ``down 7.0%`` / ``flat``: a relative change read aloud."""
    if abs(value) < flat:
        return _("flat")
    if value > 0:
        return _("up {change}").format(change=f"{abs(value):.1%}")
    return _("down {change}").format(change=f"{abs(value):.1%}")


def share(value: float) -> str:
    """A share of a whole as ``37%`` (never negative, never above 100%)."""
    return f"{min(max(value, 0.0), 1.0):.0%}"


def figure(name: str, value: float | None, currency: str = "") -> str:
    """A metric's value as the dashboard shows it, formatted by its kind (count, money,
    rate, ratio)."""
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


_CN_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def month_day(day: date) -> str:
    """A day without its year: ``Dec 7``; in Chinese ``12月7日``."""
    if i18n.is_chinese():
        return f"{day.month}月{day.day}日"
    return f"{day:%b} {day.day}"


def weekday(day: date) -> str:
    """The day of the week, short: ``Mon``; in Chinese ``周一``."""
    return _CN_WEEKDAYS[day.weekday()] if i18n.is_chinese() else f"{day:%a}"


def day_and_weekday(day: date) -> str:
    """A day as an operator names it: ``Mon Dec 7``; in Chinese ``12月7日 周一``."""
    if i18n.is_chinese():
        return f"{month_day(day)} {weekday(day)}"
    return f"{weekday(day)} {month_day(day)}"


def long_day(day: date) -> str:
    """A day with its year and weekday, as a title names it: ``Mon 2026-12-07``; in
    Chinese ``2026年12月7日 周一``."""
    if i18n.is_chinese():
        return f"{day.year}年{day_and_weekday(day)}"
    return f"{day:%a %Y-%m-%d}"


def bare(value: float | None) -> str:
    """A value whose metric is not known (an alert's value in a list): two decimals for a
    small fraction, else a whole number."""
    if value is None:
        return MISSING
    if abs(value) < 10 and not float(value).is_integer():
        return f"{value:.2f}"
    return f"{value:,.0f}"


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


# Alert messages: figures precise enough to tell apart from the threshold they cross.

#: How many decimals beyond a style's own a figure may gain to differ from its threshold.
EXTRA_DECIMALS = 3
_DECIMALS = {"rate": 1, "count": 0, "ratio": 2, "change": 0}


class ShownValue:
    """A number with the text an operator reads, for a message template: ``{value}`` gives
    the text, a format spec (``{value:.0f}``, ``{value:.1%}``) formats the number itself."""

    __slots__ = ("number", "text")

    def __init__(self, number: float | None, text: str) -> None:
        self.number = number
        self.text = text

    def __format__(self, spec: str) -> str:
        if not spec:
            return self.text
        if self.number is None:
            return format(self.text, spec)
        return format(self.number, spec)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return repr(self.text)


def style_of(metric: str | None) -> str:
    """How a metric's figures are written in a message: ``rate`` (3.2%), ``count`` (1,234)
    or ``ratio``."""
    if not metric:
        return "ratio"
    kind = metric_kind(metric)
    return kind if kind in ("rate", "count") else "ratio"


def _written(value: float, style: str, decimals: int) -> str:
    if style == "rate":
        return percent(value, decimals)
    if style == "change":
        return f"{value * 100:+.{decimals}f}%"
    return decimal(value, decimals)


def _rounded(value: float, style: str, decimals: int) -> float:
    return round(value * 100 if style in ("rate", "change") else value, decimals)


def precise(value: float | None, style: str, *apart_from: float | None) -> str:
    """``value`` written in ``style``, with just enough extra decimals (up to
    ``EXTRA_DECIMALS``) that it does not read the same as any of ``apart_from`` that differs
    from it: a CTR of 5.97% against a 6.0% target, not 6.0% against 6.0%."""
    if value is None:
        return MISSING_IN_PROSE
    base = _DECIMALS.get(style, 2)
    others = [o for o in apart_from if o is not None and o != value]
    decimals = base
    while decimals < base + EXTRA_DECIMALS and any(
        _rounded(value, style, decimals) == _rounded(o, style, decimals) for o in others
    ):
        decimals += 1
    return _written(value, style, decimals)


def show(value: float | None, metric: str | None) -> str:
    """A figure as an operator reads it in a message (a threshold, a spend)."""
    return precise(value, style_of(metric))


def _cells(char: str) -> int:
    """Terminal cells of one character: CJK and other wide characters take two."""
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def cells(text: str) -> int:
    """Terminal cells ``text`` takes: a CJK character takes two (万 in 1.22万)."""
    return sum(_cells(c) for c in text)


def pad(text: str, width: int, *, right: bool = True) -> str:
    """``text`` padded with spaces to ``width`` terminal cells, aligned right (or left):
    ``f"{text:>8}"`` counts characters, and 万 or 亿 would push a column out of line."""
    room = " " * max(width - cells(text), 0)
    return room + text if right else text + room


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` terminal cells (wide CJK characters count two), ending in
    ``…`` when cut."""
    if sum(_cells(c) for c in text) <= width:
        return text
    out, used = [], 0
    for char in text:
        if used + _cells(char) > max(width - 1, 0):
            break
        out.append(char)
        used += _cells(char)
    return "".join(out) + "…"


def with_name(key: str, name: str | None, width: int | None = None) -> str:
    """An id with the platform's name beside it, as tables show them: ``77012003172
    春季新品推广``; the name (never the id) shortened so that the whole fits ``width``
    cells; the id alone when there is no name. Both are made inert (they come from
    files and APIs)."""
    key = inert(key)
    if not name:
        return key
    name = inert(name)
    if width is not None:
        room = width - len(key) - 1
        if room < 2:
            return key
        name = shorten(name, room)
    return f"{key} {name}"


def named(key: str, name: str | None) -> str:
    """An id with its name in prose: ``春季新品推广 (77012003172)``; the id alone without
    a name; both made inert."""
    return f"{inert(name)} ({inert(key)})" if name else inert(key)
