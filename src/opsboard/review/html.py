"""The review as one standalone HTML file: inline CSS, charts drawn as inline SVG.

No scripts, no external fonts or images, so it opens the same on a phone, in a mail client
or from a chat attachment. Every text from the data is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from opsboard.output import format_value
from opsboard.review.model import Review
from opsboard.review.narrative import FACTOR_LABELS, percent_change, signed
from opsboard.review.render import (
    PRODUCT_LISTS,
    alert_line,
    completeness_lines,
    move_change,
    move_line,
    no_findings,
    product_line,
    title,
    value_text,
)

CSS = """
:root { --fg:#1d232a; --muted:#5f6b76; --bg:#fff; --line:#d8dee4; --up:#1a7f37;
  --down:#cf222e; --base:#8c959f; --accent:#0969da; --warn:#fff8c5; }
@media (prefers-color-scheme: dark) { :root { --fg:#e6edf3; --muted:#9aa5b1; --bg:#0d1117;
  --line:#30363d; --up:#3fb950; --down:#f85149; --base:#6e7681; --accent:#58a6ff;
  --warn:#3b2e00; } }
* { box-sizing: border-box; }
body { margin:0; padding:12px; font:15px/1.45 system-ui,-apple-system,"Segoe UI",
  "PingFang SC","Microsoft YaHei",sans-serif; color:var(--fg); background:var(--bg); }
main { max-width:760px; margin:0 auto; }
h1 { font-size:1.3em; margin:.3em 0; } h2 { font-size:1.05em; margin:1.4em 0 .4em;
  border-bottom:1px solid var(--line); padding-bottom:.2em; }
.muted { color:var(--muted); font-size:.9em; }
.scroll { overflow-x:auto; }
table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; }
th, td { padding:4px 6px; border-bottom:1px solid var(--line); white-space:nowrap; }
td.n, th.n { text-align:right; }
.up { color:var(--up); } .down { color:var(--down); }
.missing { background:var(--warn); }
ol.dx li { margin-bottom:.7em; } .remedy { font-style:italic; }
.note { background:var(--warn); padding:6px 8px; border-radius:6px; margin:4px 0; }
svg { width:100%; height:auto; display:block; }
svg text { fill:var(--fg); font-size:11px; }
"""

_W = 640


def _cls(value: float | None) -> str:
    if value is None or value == 0:
        return ""
    return "up" if value > 0 else "down"


def _bar(x: float, y: float, w: float, h: float, colour: str, label: str = "") -> str:
    tip = f"<title>{escape(label)}</title>" if label else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{max(h, 0.5):.1f}" '
        f'style="fill:var({colour})">{tip}</rect>'
    )


def _text(x: float, y: float, text: str, anchor: str = "middle") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'


def waterfall_svg(review: Review) -> str:
    """Last week's GMV, the three effects as floating bars, and the day's GMV."""
    bridge = review.bridge
    if bridge is None:
        return ""
    steps: list[tuple[str, float, float, str]] = [("last week", 0.0, bridge.before, "--base")]
    level = bridge.before
    for effect in bridge.effects:
        colour = "--up" if effect.amount >= 0 else "--down"
        steps.append((FACTOR_LABELS[effect.factor], level, level + effect.amount, colour))
        level += effect.amount
    steps.append(("day", 0.0, bridge.after, "--base"))
    top = max(max(a, b) for _, a, b, _ in steps) or 1.0
    height, pad = 200, 30
    scale = (height - 2 * pad) / top
    width = _W / len(steps)
    parts = []
    for i, (label, low, high, colour) in enumerate(steps):
        y0, y1 = sorted((low, high))
        x = i * width + width * 0.15
        y = height - pad - y1 * scale
        amount = high - low
        parts.append(_bar(x, y, width * 0.7, (y1 - y0) * scale, colour, f"{label} {amount:,.2f}"))
        shown = format_value(high, "gmv") if colour == "--base" else signed(amount, "gmv")
        parts.append(_text(x + width * 0.35, y - 4, shown))
        parts.append(_text(x + width * 0.35, height - pad + 14, label))
    return _svg(height, parts, "GMV bridge from last week to the day")


def channels_svg(review: Review) -> str:
    """Visitors gained or lost per channel, as bars either side of zero."""
    moves = [m for m in review.channels if m.delta]
    if not moves:
        return ""
    row, label_w = 24, 140
    height = row * len(moves) + 10
    reach = max(abs(m.delta) for m in moves)
    half = (_W - label_w - 80) / 2
    zero = label_w + half
    parts = [f'<line x1="{zero}" y1="0" x2="{zero}" y2="{height}" style="stroke:var(--line)"/>']
    for i, move in enumerate(moves):
        length = abs(move.delta) / reach * half
        x = zero if move.delta > 0 else zero - length
        y = i * row + 5
        colour = "--up" if move.delta > 0 else "--down"
        parts.append(_text(4, y + 14, move.key, "start"))
        parts.append(_bar(x, y, length, row - 8, colour, f"{move.key} {move.delta:+,.0f}"))
        parts.append(_text(_W - 4, y + 14, signed(move.delta, "uv"), "end"))
    return _svg(height, parts, "Visitors gained or lost by channel")


def spend_svg(review: Review) -> str:
    """Cumulative ad spend through the day against the budget, evening peak shaded."""
    hours = review.hourly_spend
    if not hours:
        return ""
    height, pad = 180, 24
    top = max(hours[-1].cumulative, review.budget or 0.0) or 1.0
    scale = (height - 2 * pad) / top
    step = (_W - 60) / 24

    def x(hour: float) -> float:
        """The horizontal position of a local hour."""
        return 30 + hour * step

    def y(amount: float) -> float:
        """The vertical position of a spend amount."""
        return height - pad - amount * scale

    parts = [
        f'<rect x="{x(20):.1f}" y="{pad}" width="{4 * step:.1f}" height="{height - 2 * pad}" '
        'style="fill:var(--warn)"><title>evening peak</title></rect>'
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
                x(0), y(review.budget) - 4, f"budget {format_value(review.budget, 'gmv')}", "start"
            )
        )
    for hour in range(0, 25, 4):
        parts.append(_text(x(hour), height - 6, f"{hour:02d}:00"))
    return _svg(height, parts, "Cumulative ad spend by hour against the budget")


def history_svg(review: Review) -> str:
    """GMV on the same weekday over the last five weeks."""
    known = [(d, v) for d, v in review.gmv_history if v is not None]
    if len(known) < 2:
        return ""
    height, pad = 150, 24
    top = max(v for _, v in known) or 1.0
    width = _W / len(review.gmv_history)
    parts = []
    for i, (day, value) in enumerate(review.gmv_history):
        cx = i * width + width / 2
        parts.append(_text(cx, height - 6, day.strftime("%m-%d")))
        if value is None:
            parts.append(_text(cx, height - pad - 4, "no data"))
            continue
        h = value / top * (height - 2 * pad)
        colour = "--accent" if day == review.day else "--base"
        parts.append(_bar(cx - width * 0.3, height - pad - h, width * 0.6, h, colour))
        parts.append(_text(cx, height - pad - h - 4, format_value(value, "gmv")))
    return _svg(height, parts, "GMV on the same weekday, last five weeks")


def _svg(height: int, parts: list[str], label: str) -> str:
    return (
        f'<svg viewBox="0 0 {_W} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
    )


def _section(review: Review) -> str:
    out = [
        f"<h1>{escape(title(review))}</h1>",
        f'<p class="muted">{escape(review.timezone)}; compared with {review.baseline_day} and '
        "the median of the same weekday over the 4 weeks before.</p>",
        "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in review.summary) + "</ul>",
        "<h2>Headline</h2>",
        '<div class="scroll"><table><tr><th></th><th class="n">day</th><th class="n">last week'
        '</th><th class="n">change</th><th class="n">median</th><th class="n">change</th></tr>',
    ]
    for move in review.headline:
        flag = ' class="missing"' if move.status in ("missing", "partial") else ""
        out.append(
            f"<tr{flag}><td>{escape(move.label)}</td>"
            f'<td class="n">{escape(value_text(move, move.value))}</td>'
            f'<td class="n">{escape(value_text(move, move.last_week))}</td>'
            f'<td class="n {_cls(move.vs_last_week)}">'
            f"{escape(move_change(move, 'last_week'))}</td>"
            f'<td class="n">{escape(value_text(move, move.median))}</td>'
            f'<td class="n {_cls(move.vs_median)}">{escape(move_change(move, "median"))}</td></tr>'
        )
    out.append("</table></div>")
    out.append(history_svg(review))
    if review.bridge is not None:
        out.append(f"<h2>Why GMV moved (on {escape(review.bridge.baseline)})</h2>")
        out.append(waterfall_svg(review))
        out.append('<div class="scroll"><table>')
        for effect in review.bridge.effects:
            out.append(
                f"<tr><td>{FACTOR_LABELS[effect.factor]}</td>"
                f'<td class="n {_cls(effect.amount)}">{escape(signed(effect.amount, "gmv"))}</td>'
                f'<td class="n">{escape(percent_change(effect.factor_change))}</td></tr>'
            )
        out.append("</table></div>")
    if review.channels:
        out.append("<h2>Visitors by channel</h2>")
        out.append(channels_svg(review))
        out.append(
            "<ul>"
            + "".join(f"<li>{escape(move_line(m, 'uv'))}</li>" for m in review.channels)
            + "</ul>"
        )
    for key, label in PRODUCT_LISTS:
        moves = review.products.get(key, ())
        if moves:
            items = "".join(f"<li>SKU {escape(product_line(key, m))}</li>" for m in moves)
            out.append(f"<h2>{escape(label)}</h2><ul>{items}</ul>")
    out.append("<h2>Diagnoses</h2>")
    if review.diagnoses:
        out.append('<ol class="dx">')
        for d in review.diagnoses:
            evidence = "".join(f"<li>{escape(e)}</li>" for e in d.evidence)
            out.append(
                f"<li><strong>{escape(d.title)}</strong>: {escape(d.subject)}<ul>{evidence}</ul>"
                f'<div class="remedy">Do: {escape(d.remedy)}</div></li>'
            )
        out.append("</ol>")
    else:
        out.append(f"<p>None: {no_findings(review)}.</p>")
    if review.hourly_spend:
        out.append("<h2>Ad spend through the day</h2>")
        out.append(spend_svg(review))
    out.append("<h2>Alerts of the day</h2>")
    if review.alerts:
        out.append(
            "<ul>"
            + "".join(f"<li>{escape(alert_line(a, review.timezone))}</li>" for a in review.alerts)
            + "</ul>"
        )
    else:
        out.append("<p>None fired.</p>")
    out.append("<h2>Data completeness</h2>")
    css = "" if review.completeness.complete else ' class="note"'
    out += [f"<p{css}>{escape(line)}</p>" for line in completeness_lines(review)]
    if review.cannot_tell:
        out.append("<h2>What this review cannot tell</h2><ul>")
        out += [f"<li>{escape(line)}</li>" for line in review.cannot_tell]
        out.append("</ul>")
    return "<section>" + "\n".join(out) + "</section>"


def to_html(reviews: Sequence[Review]) -> str:
    """One standalone HTML document holding every review given."""
    heading = title(reviews[0]) if len(reviews) == 1 else f"Morning review: {len(reviews)} stores"
    body = "\n<hr>\n".join(_section(r) for r in reviews)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(heading)}</title><style>{CSS}</style></head>"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )
