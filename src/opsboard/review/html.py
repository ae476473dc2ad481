"""The review as one standalone HTML file: inline CSS, charts drawn as inline SVG.

No scripts, no external fonts or images, so it opens the same on a phone, in a mail client
or from a chat attachment. Every text from the data is escaped. On a narrow screen the
headline table turns each figure into a small card, so no column is off-screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from opsboard import i18n
from opsboard.formatting import percent_change, signed_in_prose
from opsboard.i18n import _, ngettext
from opsboard.review.charts import channels_svg, history_svg, spend_svg, waterfall_svg
from opsboard.review.lines import (
    PRODUCT_LISTS,
    SKU,
    alert_line,
    comparison,
    completeness_lines,
    label_text,
    median_header,
    money_of,
    move_change,
    move_line,
    no_findings,
    not_assessed_line,
    product_line,
    title,
    value_text,
)
from opsboard.review.model import Review
from opsboard.review.narrative import factor_label, factor_measure, short_day

CSS = """
:root { --fg:#1d232a; --muted:#5f6b76; --bg:#fff; --line:#d8dee4; --up:#1a7f37;
  --down:#cf222e; --base:#8c959f; --accent:#0969da; --warn:#fff8c5; }
@media (prefers-color-scheme: dark) { :root { --fg:#e6edf3; --muted:#9aa5b1; --bg:#0d1117;
  --line:#30363d; --up:#3fb950; --down:#f85149; --base:#6e7681; --accent:#58a6ff;
  --warn:#3b2e00; } }
* { box-sizing: border-box; }
body { margin:0; padding:12px; font:15px/1.45 system-ui,-apple-system,"Segoe UI",
  "PingFang SC","Microsoft YaHei",sans-serif; color:var(--fg); background:var(--bg);
  overflow-wrap:anywhere; }
main { max-width:760px; margin:0 auto; }
h1 { font-size:1.3em; margin:.3em 0; } h2 { font-size:1.05em; margin:1.4em 0 .4em;
  border-bottom:1px solid var(--line); padding-bottom:.2em; }
.muted { color:var(--muted); font-size:.9em; }
table { border-collapse:collapse; width:100%; font-variant-numeric:tabular-nums; }
th, td { padding:4px 6px; border-bottom:1px solid var(--line); }
th { text-align:left; font-weight:600; }
td.n, th.n { text-align:right; white-space:nowrap; }
tr.total td { font-weight:600; border-top:2px solid var(--line); }
.up { color:var(--up); } .down { color:var(--down); }
.missing { background:var(--warn); }
ol.dx > li { margin-bottom:.8em; } ol.dx ul { margin:.2em 0; } .remedy { font-style:italic; }
.note { background:var(--warn); padding:6px 8px; border-radius:6px; margin:4px 0; }
svg { width:100%; max-width:560px; height:auto; display:block; margin:8px auto; }
svg text { fill:var(--fg); font-size:13px; } svg text.muted { fill:var(--muted); }
@media (max-width:560px) {
  table.cards thead { display:none; }
  table.cards tr { display:grid; grid-template-columns:repeat(3, 1fr); gap:0 10px;
    padding:6px 0; border-bottom:1px solid var(--line); }
  table.cards td { border:0; padding:1px 0; text-align:left; }
  table.cards td.name { grid-column:1 / -1; font-weight:600; }
  table.cards td:nth-child(5) { grid-column:2; }
  table.cards td[data-label]::before { content:attr(data-label); display:block;
    color:var(--muted); font-size:.8em; }
}
"""


def _cls(value: float | None) -> str:
    if value is None or abs(value) < 0.0005:  # shown as 0.0%: neither up nor down
        return ""
    return "up" if value > 0 else "down"


def _cell(text: str, label: str, css: str = "n") -> str:
    return f'<td class="{css}" data-label="{escape(label)}">{escape(text)}</td>'


def headline_table(review: Review) -> str:
    """The headline figures: a table on a wide screen, one card per figure on a phone."""
    median = median_header(review)
    money = money_of(review)
    columns = (_("day"), _("last week"), _("change"), median, _("change"))
    head = "".join(f'<th class="n">{escape(c)}</th>' for c in columns)
    figure = _("figure")
    rows = [f'<table class="cards"><thead><tr><th>{escape(figure)}</th>{head}</tr></thead><tbody>']
    versus = _("vs {baseline}")
    for move in review.headline:
        flag = ' class="missing"' if move.status in ("missing", "partial") else ""
        rows.append(
            f'<tr{flag}><td class="name">{escape(label_text(move, review.currency))}</td>'
            + _cell(value_text(move, move.value, money), _("day"))
            + _cell(value_text(move, move.last_week, money), _("last week"))
            + _cell(
                move_change(move, "last_week"),
                versus.format(baseline=_("last week")),
                f"n {_cls(move.vs_last_week)}",
            )
            + _cell(value_text(move, move.median, money), median)
            + _cell(
                move_change(move, "median"),
                versus.format(baseline=median),
                f"n {_cls(move.vs_median)}",
            )
            + "</tr>"
        )
    rows.append("</tbody></table>")
    return "".join(rows)


def bridge_table(review: Review) -> str:
    """The GMV change by factor, with headers and the total the effects add up to."""
    bridge = review.bridge
    if bridge is None:
        return ""
    money = money_of(review)
    factor, changed, total = _("factor"), _("factor change"), _("total")
    effect_head = _("effect ({currency})").format(currency=review.currency)
    rows = [
        f"<table><thead><tr><th>{escape(factor)}</th>"
        f'<th class="n">{escape(effect_head)}</th>'
        f'<th class="n">{escape(changed)}</th></tr></thead><tbody>'
    ]
    for effect in bridge.effects:
        measure = factor_measure(effect.factor)
        amount = signed_in_prose(effect.amount, "gmv", money)
        rows.append(
            f"<tr><td>{escape(factor_label(effect.factor))}</td>"
            f'<td class="n {_cls(effect.amount)}">{escape(amount)}</td>'
            f'<td class="n">{escape(measure)} {escape(percent_change(effect.factor_change))}'
            "</td></tr>"
        )
    rows.append(
        f'<tr class="total"><td>{escape(total)}</td><td class="n {_cls(bridge.total)}">'
        f'{escape(signed_in_prose(bridge.total, "gmv", money))}</td><td class="n"></td></tr>'
        "</tbody></table>"
    )
    return "".join(rows)


def _h2(text: str) -> str:
    return f"<h2>{escape(text)}</h2>"


def html_lang() -> str:
    """The page's ``lang``: ``zh-CN`` in Chinese (fonts and line breaking follow it)."""
    return i18n.current()


def _items(lines: Sequence[str], prefix: str = "") -> str:
    return "<ul>" + "".join(f"<li>{escape(prefix + line)}</li>" for line in lines) + "</ul>"


def _section(review: Review) -> str:
    money = money_of(review)
    comparing = _("{zone}; {comparison}.").format(
        zone=review.timezone, comparison=comparison(review)
    )
    out = [
        f"<h1>{escape(title(review))}</h1>",
        f'<p class="muted">{escape(comparing)}</p>',
        *([_h2(_("Against plan")), _items(review.plan)] if review.plan else []),
        *([_h2(_("Contribution")), _items(review.contribution)] if review.contribution else []),
        _items(review.summary),
        _h2(_("Headline")),
        headline_table(review),
        history_svg(review),
    ]
    if review.bridge is not None:
        day = short_day(review.bridge.baseline)
        out.append(_h2(_("Why GMV moved (vs {day})").format(day=day)))
        out.append(waterfall_svg(review))
        out.append(bridge_table(review))
    if review.channels:
        out.append(_h2(_("Visitors by channel")))
        out.append(channels_svg(review))
        out.append(_items([move_line(m, "uv", platform=review.platform) for m in review.channels]))
    for key, label in PRODUCT_LISTS:
        moves = review.products.get(key, ())
        if moves:
            out.append(_h2(_(label)))
            out.append(_items([product_line(key, m, money) for m in moves], _(SKU) + " "))
    out.append(_h2(_("Diagnoses")))
    if review.diagnoses:
        out.append('<ol class="dx">')
        colon, do = _(": "), _("Do:")
        for d in review.diagnoses:
            evidence = "".join(f"<li>{escape(e)}</li>" for e in d.evidence)
            out.append(
                f"<li><strong>{escape(d.title)}</strong>{escape(colon)}{escape(d.subject)}"
                f"<ul>{evidence}</ul>"
                f'<div class="remedy">{escape(do)} {escape(d.remedy)}</div></li>'
            )
        out.append("</ol>")
        if review.not_assessed:
            line = _("{line}.").format(line=not_assessed_line(review))
            out.append(f"<p>{escape(line)}</p>")
    else:
        none = _("None: {why}.").format(why=no_findings(review))
        out.append(f"<p>{escape(none)}</p>")
    if review.hourly_spend:
        out.append(_h2(_("Ad spend through the day")))
        out.append(spend_svg(review))
    out.append(_h2(_("Alerts of the day")))
    if review.alerts:
        out.append(_items([alert_line(a, review.timezone) for a in review.alerts]))
    else:
        out.append("<p>" + escape(_("None fired.")) + "</p>")
    out.append(_h2(_("Data completeness")))
    css = "" if review.completeness.complete else ' class="note"'
    out += [f"<p{css}>{escape(line)}</p>" for line in completeness_lines(review)]
    if review.cannot_tell:
        out.append(_h2(_("What this review cannot tell")))
        out.append(_items(review.cannot_tell))
    return "<section>" + "\n".join(part for part in out if part) + "</section>"


def to_html(reviews: Sequence[Review]) -> str:
    """One standalone HTML document holding every review given."""
    heading = (
        title(reviews[0])
        if len(reviews) == 1
        else ngettext(
            "Morning review: {count} store", "Morning review: {count} stores", len(reviews)
        ).format(count=len(reviews))
    )
    body = "\n<hr>\n".join(_section(r) for r in reviews)
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang()}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(heading)}</title><style>{CSS}</style></head>"
        f"<body><main>\n{body}\n</main></body></html>\n"
    )
