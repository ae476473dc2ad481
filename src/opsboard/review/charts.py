"""The review's charts as inline SVG: no script, no external file, readable on a phone.

The drawing is 400 units wide and shown at most 560 px wide, so that its 13-unit labels
stay between about 12 and 18 px from a phone to a desktop. Labels from the data are
escaped.
"""

from __future__ import annotations

import math
from html import escape

from opsboard import i18n
from opsboard.formatting import compact
from opsboard.glossary import channel_label
from opsboard.i18n import _
from opsboard.review.model import Review
from opsboard.review.narrative import factor_label

WIDTH = 400


def _channel(key: str, platform: str) -> str:
    """A channel's label: its key in English, the platform's name in Chinese."""
    return channel_label(key, platform=platform) if i18n.is_chinese() else key


def _bar(x: float, y: float, w: float, h: float, colour: str, label: str = "") -> str:
    tip = f"<title>{escape(label)}</title>" if label else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{max(h, 0.5):.1f}" '
        f'style="fill:var({colour})">{tip}</rect>'
    )


def _text(x: float, y: float, text: str, anchor: str = "middle", css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{cls}>{escape(text)}</text>'


def _svg(height: int, parts: list[str], label: str) -> str:
    return (
        f'<svg viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def axis_floor(low: float, high: float) -> float:
    """Where a chart of values from ``low`` to ``high`` starts: zero when the values
    differ a lot, else a round number below ``low``, so that a change of a few percent
    fills the chart instead of being a sliver on top of a tall bar."""
    span = high - low
    if span <= 0 or low <= 0:
        return 0.0
    floor = low - span * 0.6
    if floor <= 0:
        return 0.0
    step = 10.0 ** math.floor(math.log10(span))
    return float(math.floor(floor / step) * step)


def waterfall_svg(review: Review) -> str:
    """Last week's GMV, the three effects as floating bars, and the day's GMV."""
    bridge = review.bridge
    if bridge is None:
        return ""
    steps: list[tuple[str, float, float, str]] = [(_("last week"), 0.0, bridge.before, "--base")]
    level = bridge.before
    for effect in bridge.effects:
        colour = "--up" if effect.amount >= 0 else "--down"
        steps.append((factor_label(effect.factor), level, level + effect.amount, colour))
        level += effect.amount
    steps.append((_("day"), 0.0, bridge.after, "--base"))
    levels = [bridge.before, bridge.after, *(b for _, _, b, _ in steps)]
    floor = axis_floor(min(levels), max(levels))
    top = max(levels) - floor or 1.0
    height, pad = 210, 34
    scale = (height - 2 * pad) / top
    width = WIDTH / len(steps)
    parts = []
    for i, (label, low, high, colour) in enumerate(steps):
        y0, y1 = sorted((max(low, floor), high))
        x = i * width + width * 0.15
        y = height - pad - (y1 - floor) * scale
        amount = high - low
        parts.append(_bar(x, y, width * 0.7, (y1 - y0) * scale, colour, f"{label} {amount:,.2f}"))
        shown = (
            compact(high, label=True)
            if colour == "--base"
            else compact(amount, sign=True, label=True)
        )
        parts.append(_text(x + width * 0.35, y - 5, shown))
        parts.append(_text(x + width * 0.35, height - pad + 16, label))
    if floor:
        # The axis does not start at zero: say so on the chart itself.
        parts.append(
            _text(
                2,
                height - 4,
                _("axis from {amount}").format(amount=compact(floor, label=True)),
                "start",
                "muted",
            )
        )
    return _svg(height, parts, _("GMV bridge from last week to the day"))


def channels_svg(review: Review) -> str:
    """Visitors gained or lost per channel, as bars either side of zero."""
    moves = [m for m in review.channels if m.delta]
    if not moves:
        return ""
    row, label_w, value_w = 26, 112, 52
    height = row * len(moves) + 10
    reach = max(abs(m.delta) for m in moves)
    half = (WIDTH - label_w - value_w) / 2
    zero = label_w + half
    parts = [f'<line x1="{zero}" y1="0" x2="{zero}" y2="{height}" style="stroke:var(--line)"/>']
    for i, move in enumerate(moves):
        length = abs(move.delta) / reach * half
        x = zero if move.delta > 0 else zero - length
        y = i * row + 5
        colour = "--up" if move.delta > 0 else "--down"
        name = _channel(move.key, review.platform)
        parts.append(_text(2, y + 14, name, "start"))
        parts.append(_bar(x, y, length, row - 9, colour, f"{name} {move.delta:+,.0f}"))
        parts.append(_text(WIDTH - 2, y + 14, compact(move.delta, sign=True, label=True), "end"))
    return _svg(height, parts, _("Visitors gained or lost by channel"))


def spend_svg(review: Review) -> str:
    """Cumulative ad spend through the day against the budget, evening peak shaded."""
    hours = review.hourly_spend
    if not hours:
        return ""
    height, pad = 190, 26
    top = max(hours[-1].cumulative, review.budget or 0.0) or 1.0
    scale = (height - 2 * pad) / top
    step = (WIDTH - 40) / 24

    def x(hour: float) -> float:
        """The horizontal position of a local hour."""
        return 20 + hour * step

    def y(amount: float) -> float:
        """The vertical position of a spend amount."""
        return height - pad - amount * scale

    peak = escape(_("evening peak"))
    parts = [
        f'<rect x="{x(20):.1f}" y="{pad}" width="{4 * step:.1f}" height="{height - 2 * pad}" '
        f'style="fill:var(--warn)"><title>{peak}</title></rect>'
    ]
    points = " ".join(f"{x(h.hour + 1):.1f},{y(h.cumulative):.1f}" for h in hours)
    first = hours[0]
    points = f"{x(first.hour):.1f},{y(first.cumulative - first.spend):.1f} " + points
    parts.append(
        f'<polyline points="{points}" style="fill:none;stroke:var(--accent);stroke-width:2"/>'
    )
    if review.budget:
        parts.append(
            f'<line x1="{x(0):.1f}" y1="{y(review.budget):.1f}" x2="{x(24):.1f}" '
            f'y2="{y(review.budget):.1f}" style="stroke:var(--down);stroke-dasharray:4 3"/>'
        )
        parts.append(
            _text(
                x(0),
                y(review.budget) - 5,
                _("budget {amount}").format(amount=compact(review.budget, label=True)),
                "start",
            )
        )
    for hour in range(0, 25, 4):
        parts.append(_text(x(hour), height - 6, f"{hour:02d}:00"))
    return _svg(height, parts, _("Cumulative ad spend by hour against the budget"))


def history_svg(review: Review) -> str:
    """GMV on the same weekday over the last five weeks."""
    known = [(d, v) for d, v in review.gmv_history if v is not None]
    if len(known) < 2:
        return ""
    height, pad = 160, 26
    top = max(v for _, v in known) or 1.0
    width = WIDTH / len(review.gmv_history)
    parts = []
    for i, (day, value) in enumerate(review.gmv_history):
        cx = i * width + width / 2
        parts.append(_text(cx, height - 6, day.strftime("%m-%d")))
        if value is None:
            parts.append(_text(cx, height - pad - 4, _("no data")))
            continue
        h = value / top * (height - 2 * pad)
        colour = "--accent" if day == review.day else "--base"
        parts.append(_bar(cx - width * 0.3, height - pad - h, width * 0.6, h, colour))
        parts.append(_text(cx, height - pad - h - 5, compact(value, label=True)))
    return _svg(height, parts, _("GMV on the same weekday, last five weeks"))
