"""The review shows ids from files inert: an escape sequence in a SKU is written escaped
in every format (and HTML-escaped in HTML), never sent to a terminal or a page."""

from __future__ import annotations

import json

import pytest

from opsboard.review import build_review, render

from .days import DAY, HISTORY, SHOP, Shop, channel_day, day_point, hour_point, write

HOSTILE = "\x1b]0;pwned\x07<b>\u202esku"
NORMAL = {"paid_search": 4000.0, "organic_search": 6000.0}


@pytest.mark.parametrize("fmt", ["text", "markdown", "html", "json"])
def test_an_escape_sequence_in_a_sku_is_shown_escaped(shop: Shop, fmt: str) -> None:
    shop.config = {"margin": 0.4, "daily_budget": 2400}
    for day in HISTORY:
        write(shop.store, channel_day(day, NORMAL))
    write(shop.store, channel_day(DAY, {"paid_search": 2000.0, "organic_search": 6000.0}))
    write(
        shop.store,
        [hour_point(DAY, h, "spend", 200.0) for h in range(24)]
        + [day_point(DAY, "uv", 500, sku=HOSTILE), day_point(DAY, "bounces", 450, sku=HOSTILE)],
        source="ads",
    )
    review = build_review(shop.runtime, shop.store, SHOP, DAY)
    out = render(review, fmt)
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in out
    if fmt == "json":
        assert "pwned" in json.dumps(json.loads(out), ensure_ascii=False)
    elif fmt == "html":
        assert "\\x1b]0;pwned\\x07&lt;b&gt;\\u202esku" in out
    elif fmt == "markdown":
        # Markdown escapes the backslash and the bracket: it reads \x1b]0;pwned\x07.
        assert "\\\\x1b\\]0;pwned\\\\x07" in out
    else:
        assert "\\x1b]0;pwned\\x07<b>\\u202esku" in out
